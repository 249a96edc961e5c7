#!/usr/bin/python3
"""Builds the tiny BERT checkpoint in this folder and its expected logits.

Run once with Debian's python3-torch (`apt-get install python3-torch`, then
`/usr/bin/python3 make_reference.py`); the C++ tests only read the files it writes.

It is an independent reference: BERT's forward pass (Devlin et al. 2018, as in Hugging
Face's BertForSequenceClassification) written here in plain PyTorch, and safetensors
written by hand from the format description, without any code from TPQ Studio.

Writes: config.json, vocab.txt, model.safetensors (with the "bert." prefix),
pytorch_model.bin (torch.save of a state dict without the "bert." prefix, as some
checkpoints are), reference.json (input ids, attention masks, expected logits).
"""
import json
import math
import struct

import torch

torch.manual_seed(1234)
H, LAYERS, HEADS, INTER, VOCAB, POS, TYPES, LABELS = 32, 2, 4, 64, 120, 64, 2, 3
EPS = 1e-12

config = {
    "architectures": ["BertForSequenceClassification"],
    "model_type": "bert",
    "vocab_size": VOCAB,
    "hidden_size": H,
    "num_hidden_layers": LAYERS,
    "num_attention_heads": HEADS,
    "intermediate_size": INTER,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": POS,
    "type_vocab_size": TYPES,
    "layer_norm_eps": EPS,
    "pad_token_id": 0,
    "id2label": {"0": "negative", "1": "neutral", "2": "positive"},
    "label2id": {"negative": 0, "neutral": 1, "positive": 2},
}


def rnd(*shape, scale=0.2):
    return torch.randn(*shape) * scale


sd = {}
sd["bert.embeddings.word_embeddings.weight"] = rnd(VOCAB, H)
sd["bert.embeddings.position_embeddings.weight"] = rnd(POS, H)
sd["bert.embeddings.token_type_embeddings.weight"] = rnd(TYPES, H)
sd["bert.embeddings.LayerNorm.weight"] = 1 + rnd(H, scale=0.1)
sd["bert.embeddings.LayerNorm.bias"] = rnd(H, scale=0.1)
for i in range(LAYERS):
    p = f"bert.encoder.layer.{i}."
    for name in ("query", "key", "value"):
        sd[p + f"attention.self.{name}.weight"] = rnd(H, H)
        sd[p + f"attention.self.{name}.bias"] = rnd(H, scale=0.05)
    sd[p + "attention.output.dense.weight"] = rnd(H, H)
    sd[p + "attention.output.dense.bias"] = rnd(H, scale=0.05)
    sd[p + "attention.output.LayerNorm.weight"] = 1 + rnd(H, scale=0.1)
    sd[p + "attention.output.LayerNorm.bias"] = rnd(H, scale=0.1)
    sd[p + "intermediate.dense.weight"] = rnd(INTER, H)
    sd[p + "intermediate.dense.bias"] = rnd(INTER, scale=0.05)
    sd[p + "output.dense.weight"] = rnd(H, INTER)
    sd[p + "output.dense.bias"] = rnd(H, scale=0.05)
    sd[p + "output.LayerNorm.weight"] = 1 + rnd(H, scale=0.1)
    sd[p + "output.LayerNorm.bias"] = rnd(H, scale=0.1)
sd["bert.pooler.dense.weight"] = rnd(H, H)
sd["bert.pooler.dense.bias"] = rnd(H, scale=0.05)
sd["classifier.weight"] = rnd(LABELS, H)
sd["classifier.bias"] = rnd(LABELS, scale=0.05)


def layer_norm(x, w, b):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + EPS) * w + b


def gelu(x):  # exact (erf) GELU, as hidden_act "gelu"
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def forward(ids, mask):
    B, L = ids.shape
    dh = H // HEADS
    x = (sd["bert.embeddings.word_embeddings.weight"][ids]
         + sd["bert.embeddings.position_embeddings.weight"][torch.arange(L)][None]
         + sd["bert.embeddings.token_type_embeddings.weight"][0][None, None])
    x = layer_norm(x, sd["bert.embeddings.LayerNorm.weight"], sd["bert.embeddings.LayerNorm.bias"])
    add_mask = (1.0 - mask[:, None, None, :].double()) * torch.finfo(torch.float64).min
    for i in range(LAYERS):
        p = f"bert.encoder.layer.{i}."
        lin = lambda t, n: t @ sd[p + n + ".weight"].T + sd[p + n + ".bias"]
        heads = lambda t: t.view(B, L, HEADS, dh).transpose(1, 2)
        q, k, v = (heads(lin(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + add_mask
        ctx = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(B, L, H)
        a = layer_norm(lin(ctx, "attention.output.dense") + x, sd[p + "attention.output.LayerNorm.weight"],
                       sd[p + "attention.output.LayerNorm.bias"])
        f = lin(gelu(lin(a, "intermediate.dense")), "output.dense")
        x = layer_norm(f + a, sd[p + "output.LayerNorm.weight"], sd[p + "output.LayerNorm.bias"])
    pooled = torch.tanh(x[:, 0] @ sd["bert.pooler.dense.weight"].T + sd["bert.pooler.dense.bias"])
    return pooled @ sd["classifier.weight"].T + sd["classifier.bias"]


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


ids = torch.tensor([[101, 7, 19, 33, 102, 0, 0], [101, 45, 102, 0, 0, 0, 0], [101, 5, 6, 7, 8, 9, 102]])
mask = (ids != 0).long()
with torch.no_grad():
    sd = {k: v.float() for k, v in sd.items()}
    write_safetensors("model.safetensors", sd)
    torch.save({k[len("bert."):] if k.startswith("bert.") else k: v for k, v in sd.items()}, "pytorch_model.bin")
    sd64 = {k: v.double() for k, v in sd.items()}
    sd = sd64
    logits = forward(ids, mask)

with open("config.json", "w") as f:
    json.dump(config, f, indent=2)
with open("vocab.txt", "w") as f:
    f.write("\n".join(["[PAD]"] + [f"[unused{i}]" for i in range(99)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
                      + [f"w{i}" for i in range(VOCAB - 104)]) + "\n")
with open("reference.json", "w") as f:
    json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "logits": logits.tolist(),
               "torch_version": torch.__version__}, f, indent=1)
print("logits", logits)
