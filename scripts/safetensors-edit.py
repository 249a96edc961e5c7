#!/usr/bin/env python3
# A tiny safetensors editor for scripts/damaged-inputs: FILE drop NAME | FILE nan NAME
# (removes a tensor, or writes NaN into its first element; keeps the metadata).
import json, struct, sys
path, op, name = sys.argv[1:4]
b = open(path, 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8+n]); data = b[8+n:]
meta = h.pop('__metadata__', None)
items = sorted(h.items(), key=lambda kv: kv[1]['data_offsets'][0])
out = {}; buf = bytearray(); 
for k, v in items:
    s, e = v['data_offsets']; chunk = bytearray(data[s:e])
    if op == 'drop' and k == name: continue
    if op == 'nan' and k == name: chunk[0:4] = struct.pack('<f', float('nan'))
    out[k] = dict(v, data_offsets=[len(buf), len(buf)+len(chunk)]); buf += chunk
if meta is not None: out['__metadata__'] = meta
hj = json.dumps(out).encode(); hj += b' ' * ((8 - len(hj) % 8) % 8)
open(path, 'wb').write(struct.pack('<Q', len(hj)) + hj + bytes(buf))
