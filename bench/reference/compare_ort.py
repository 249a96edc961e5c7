#!/usr/bin/env python3
"""Ours against ONNX Runtime on the bert-base-uncased shape, one table (scripts/bench).

    python3 bench/reference/compare_ort.py --ours build/bench/bench_models.json --ort ort.jsonl

--ours: Google Benchmark's JSON output of bench_models; --ort: the JSON lines of
ort_bench.js. Prints p50/p95 of each precision and batch, ours and ORT's, and the ratio
ours / ORT (< 1: TPQ Studio faster). Standard library only.
"""
import argparse
import json

# (label, our benchmark name prefix, ORT file stem) per precision.
ROWS = [
    ("fp32", "BM_InferBertBase/{b}/", "bert_base_fp32"),
    ("int8 dynamic", "BM_InferBertBaseInt8Dynamic/{b}/", "bert_base_int8"),
    ("int8 static", "BM_InferBertBaseInt8Static/{b}/", None),
    ("int8 QAT-converted", "BM_InferBertBaseInt8Qat/{b}/", None),
    ("int4 W4A8 (group 128)", "BM_InferBertBaseInt4/{b}/", None),
    ("bf16", "BM_InferBertBaseBf16/{b}/", None),
]


def find(entries, prefix):
    return next((e for e in entries if (e["name"] + "/").startswith(prefix)), None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True)
    ap.add_argument("--ort", required=True)
    args = ap.parse_args()
    with open(args.ours) as f:
        ours = json.load(f)["benchmarks"]
    with open(args.ort) as f:
        ort = [json.loads(line) for line in f if line.strip()]
    batches = sorted({o["batch"] for o in ort}, reverse=True) or [8, 1]
    print(f"{'bert-base, 128 tokens':28} {'batch':>5} {'ours p50':>9} {'ours p95':>9} "
          f"{'ORT p50':>9} {'ORT p95':>9} {'ours/ORT':>9}")
    for label, prefix, stem in ROWS:
        for b in batches:
            mine = find(ours, prefix.format(b=b))
            theirs = next((o for o in ort if stem and o["file"].endswith(stem + ".onnx") and o["batch"] == b), None)
            # ORT's dynamic int8 is the reference for every quantized form (it has no static one here).
            if theirs is None and stem is None and not label.startswith("bf16"):
                theirs = next((o for o in ort if o["file"].endswith("bert_base_int8.onnx") and o["batch"] == b), None)
            cells = [f"{mine['p50_ms']:9.1f}" if mine else f"{'-':>9}", f"{mine['p95_ms']:9.1f}" if mine else f"{'-':>9}",
                     f"{theirs['p50_ms']:9.1f}" if theirs else f"{'-':>9}",
                     f"{theirs['p95_ms']:9.1f}" if theirs else f"{'-':>9}"]
            ratio = f"{mine['p50_ms'] / theirs['p50_ms']:8.2f}x" if mine and theirs else f"{'-':>9}"
            print(f"{label:28} {b:5d} {' '.join(cells)} {ratio}")
    print("ours/ORT < 1: TPQ Studio faster (int8 static, QAT and int4 rows against ORT's dynamic int8; bf16 alone)")


if __name__ == "__main__":
    main()
