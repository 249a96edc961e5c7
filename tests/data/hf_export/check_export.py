#!/usr/bin/python3
"""The logits of a Hugging Face BERT folder as transformers v4 computes them, in plain PyTorch.

An independent reader for tests/test_export.cpp: it follows transformers' rules for
BertForSequenceClassification.from_pretrained — build the model from config.json, remove
the heads listed in config.json's pruned_heads (BertAttention.prune_heads: query/key/value
lose the heads' rows, the output dense their columns), then load model.safetensors with
every tensor's shape checked — and runs the forward pass written out here (no code from
TPQ Studio, no transformers).

    TPQ_KEEP_EXPORT=/tmp/hf build/tests/test_export      # writes the exported folder
    /usr/bin/python3 tests/data/hf_export/check_export.py /tmp/hf tests/data/tiny_bert/reference.json \
        > tests/data/hf_export/reference.json

Needs Debian's python3-torch.
"""
import json
import math
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def fnv1a64(data):
    """64-bit FNV-1a, as TPQ Studio's tpq::fnv1a (util/strings.h), to tie the logits to the file."""
    h = 1469598103934665603
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + begin:base + end]), dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


def main(folder, inputs):
    config = json.load(open(f"{folder}/config.json"))
    weights = read_safetensors(f"{folder}/model.safetensors")
    H, L = config["hidden_size"], config["num_hidden_layers"]
    heads, inter = config["num_attention_heads"], config["intermediate_size"]
    d = H // heads
    eps = config["layer_norm_eps"]
    labels = len(config["id2label"])
    pruned = {int(k): sorted(v) for k, v in config.get("pruned_heads", {}).items()}

    # The parameter shapes transformers builds: full layers, then prune_heads.
    shapes = {
        "bert.embeddings.word_embeddings.weight": [config["vocab_size"], H],
        "bert.embeddings.position_embeddings.weight": [config["max_position_embeddings"], H],
        "bert.embeddings.token_type_embeddings.weight": [config["type_vocab_size"], H],
        "bert.embeddings.LayerNorm.weight": [H], "bert.embeddings.LayerNorm.bias": [H],
        "bert.pooler.dense.weight": [H, H], "bert.pooler.dense.bias": [H],
        "classifier.weight": [labels, H], "classifier.bias": [labels],
    }
    for i in range(L):
        p = f"bert.encoder.layer.{i}"
        kept = (heads - len(pruned.get(i, []))) * d
        for m in ("query", "key", "value"):
            shapes[f"{p}.attention.self.{m}.weight"] = [kept, H]
            shapes[f"{p}.attention.self.{m}.bias"] = [kept]
        shapes[f"{p}.attention.output.dense.weight"] = [H, kept]
        shapes[f"{p}.attention.output.dense.bias"] = [H]
        shapes[f"{p}.attention.output.LayerNorm.weight"] = [H]
        shapes[f"{p}.attention.output.LayerNorm.bias"] = [H]
        shapes[f"{p}.intermediate.dense.weight"] = [inter, H]
        shapes[f"{p}.intermediate.dense.bias"] = [inter]
        shapes[f"{p}.output.dense.weight"] = [H, inter]
        shapes[f"{p}.output.dense.bias"] = [H]
        shapes[f"{p}.output.LayerNorm.weight"] = [H]
        shapes[f"{p}.output.LayerNorm.bias"] = [H]
    for name, shape in shapes.items():
        if name not in weights:
            sys.exit(f"{folder}: missing {name}")
        if list(weights[name].shape) != shape:
            sys.exit(f"{folder}: {name} has shape {list(weights[name].shape)}, the model needs {shape}")
    W = {k: v.to(torch.float64) for k, v in weights.items()}

    def ln(x, w, b):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + eps) * w + b

    ids = torch.tensor(inputs["input_ids"])
    mask = torch.tensor(inputs["attention_mask"], dtype=torch.float64)
    B, T = ids.shape
    x = W["bert.embeddings.word_embeddings.weight"][ids] + W["bert.embeddings.position_embeddings.weight"][:T] \
        + W["bert.embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
    x = ln(x, W["bert.embeddings.LayerNorm.weight"], W["bert.embeddings.LayerNorm.bias"])
    additive = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float64).min
    for i in range(L):
        p = f"bert.encoder.layer.{i}"
        h = heads - len(pruned.get(i, []))
        lin = lambda name, v: v @ W[f"{p}.{name}.weight"].T + W[f"{p}.{name}.bias"]
        split = lambda v: v.view(B, T, h, d).transpose(1, 2)
        q, k, v = (split(lin(f"attention.self.{m}", x)) for m in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
        ctx = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(B, T, h * d)
        x = ln(lin("attention.output.dense", ctx) + x, W[f"{p}.attention.output.LayerNorm.weight"],
               W[f"{p}.attention.output.LayerNorm.bias"])
        inner = lin("intermediate.dense", x)
        inner = 0.5 * inner * (1.0 + torch.erf(inner / math.sqrt(2.0)))
        x = ln(lin("output.dense", inner) + x, W[f"{p}.output.LayerNorm.weight"], W[f"{p}.output.LayerNorm.bias"])
    pooled = torch.tanh(x[:, 0] @ W["bert.pooler.dense.weight"].T + W["bert.pooler.dense.bias"])
    logits = pooled @ W["classifier.weight"].T + W["classifier.bias"]
    print(json.dumps({
        "weights_fnv1a64": format(fnv1a64(open(f"{folder}/model.safetensors", "rb").read()), "016x"),
        "pruned_heads": {str(k): v for k, v in pruned.items()},
        "intermediate_size": inter,
        "input_ids": inputs["input_ids"], "attention_mask": inputs["attention_mask"],
        "logits": logits.tolist(),
        "torch_version": torch.__version__,
    }, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], json.load(open(sys.argv[2])))
