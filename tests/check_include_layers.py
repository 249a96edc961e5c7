#!/usr/bin/env python3
# core/'s layers, lowest first: a file may include its own folder and the folders of lower
# layers only (folders on one layer do not include each other). Prints each include that goes
# up or sideways, with file:line, and exits 1 when there is one.
#   tests/check_include_layers.py CORE_DIR
import os, re, sys

LAYERS = [["util"], ["kernels"], ["data"], ["text"], ["config"], ["models"], ["train"], ["quant", "prune"], ["io"], ["export"],
          ["experiment"]]
rank = {folder: i for i, layer in enumerate(LAYERS) for folder in layer}
core = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "core")
bad = []
for folder in sorted(os.listdir(core)):
    path = os.path.join(core, folder)
    if not os.path.isdir(path):
        continue
    if folder not in rank:
        bad.append(f"{path}: a folder of core/ that is in no layer: add it to LAYERS in {__file__}")
        continue
    for name in sorted(os.listdir(path)):
        file = os.path.join(path, name)
        for number, line in enumerate(open(file, encoding="utf-8"), 1):
            m = re.match(r'\s*#\s*include\s+"([a-z_]+)/', line)
            if not m or m.group(1) == folder:
                continue
            to = m.group(1)
            if to not in rank or rank[to] >= rank[folder]:
                bad.append(f"{file}:{number}: {folder}/ includes {to}/ ({line.strip()}): layers, lowest first: "
                           + " < ".join("/".join(l) for l in LAYERS))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
