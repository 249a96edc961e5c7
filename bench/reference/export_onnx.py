#!/usr/bin/python3
"""The bert-base-uncased shape as ONNX files for ONNX Runtime, fp32 and dynamic int8.

Run by scripts/bench when Debian's python3-torch and python3-onnx are installed:

    /usr/bin/python3 bench/reference/export_onnx.py --out build/bench/onnx

Writes bert_base_fp32.onnx (random weights, seed 0: the model of bert_eager.py, exported
with torch.onnx.export, opset 14, dynamic batch and sequence) and bert_base_int8.onnx: the
same graph after the rewrite ORT's `quantize_dynamic` makes (its defaults: int8 weights,
symmetric, one scale per tensor; uint8 activations from DynamicQuantizeLinear): every
MatMul whose second input is a weight becomes

    DynamicQuantizeLinear(x) -> MatMulInteger(xq, Wq, xzp) -> Cast(float) -> Mul(x_scale * W_scale)

which ORT's graph optimizer fuses into DynamicQuantizeMatMul. onnxruntime's own Python
package is not in Debian, so the rewrite is written here with the onnx package; it is the
graph quantize_dynamic writes for MatMul nodes (Gemm nodes — the pooler and classifier,
0.1 % of the work — stay fp32, as they do there by default).
"""
import argparse
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from bert_eager import SEQ_LEN, Bert


def export_fp32(path, layers, hidden, heads):
    torch.manual_seed(0)
    model = Bert(layers, hidden, heads).eval()
    ids = torch.randint(1, 30522, (1, SEQ_LEN))
    mask = torch.ones(1, SEQ_LEN, dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"}}
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask), path, input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], dynamic_axes=axes, opset_version=14,
                          do_constant_folding=True)


def quantize_dynamic(src, dst):
    model = onnx.load(src)
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes, new_inits, quantized = [], [], 0
    for node in graph.node:
        w = weights.get(node.input[1]) if node.op_type == "MatMul" else None
        if w is None or len(w.dims) != 2:
            nodes.append(node)
            continue
        values = numpy_helper.to_array(w).astype(np.float32)
        scale = max(float(np.abs(values).max()), 1e-12) / 127.0
        q = np.clip(np.round(values / scale), -127, 127).astype(np.int8)
        base = f"{w.name}_q{quantized}"
        new_inits += [numpy_helper.from_array(q, base + "_quantized"),
                      numpy_helper.from_array(np.array(scale, np.float32), base + "_scale"),
                      numpy_helper.from_array(np.array(0, np.int8), base + "_zero_point")]
        x = node.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [base + "_xq", base + "_xs", base + "_xzp"]),
            helper.make_node("MatMulInteger", [base + "_xq", base + "_quantized", base + "_xzp",
                                               base + "_zero_point"], [base + "_int32"]),
            helper.make_node("Cast", [base + "_int32"], [base + "_float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [base + "_xs", base + "_scale"], [base + "_rescale"]),
            helper.make_node("Mul", [base + "_float", base + "_rescale"], [node.output[0]]),
        ]
        quantized += 1
    used = {i for n in nodes for i in n.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return quantized


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder for the .onnx files")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    fp32 = os.path.join(args.out, "bert_base_fp32.onnx")
    int8 = os.path.join(args.out, "bert_base_int8.onnx")
    export_fp32(fp32, 12, 768, 12)
    onnx.checker.check_model(onnx.load(fp32))
    n = quantize_dynamic(fp32, int8)
    print(f"wrote {fp32} ({os.path.getsize(fp32) / 2**20:.0f} MiB) and {int8} "
          f"({os.path.getsize(int8) / 2**20:.0f} MiB, {n} MatMul nodes quantized)")


if __name__ == "__main__":
    main()
