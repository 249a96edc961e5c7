#!/usr/bin/python3
"""PyTorch eager-mode timings of the shapes bench_models times in C++ (issue 3, point 9).

Run by scripts/bench when Debian's python3-torch is installed:

    /usr/bin/python3 bench/reference/bert_eager.py --ours build/bench/bench_models.json

The models are written here in plain PyTorch modules, the way Hugging Face's
BertForSequenceClassification (eager attention) and torch.nn.TransformerEncoderLayer
compute them, independent of TPQ Studio's code. Same shapes, same thread count, same
optimizer (AdamW, clipping at 1.0) as the C++ benchmark; random weights and token ids.
With --ours it reads Google Benchmark's JSON output of bench_models and prints each
figure side by side with the ratio (ours / PyTorch for rates, PyTorch / ours for times,
so > 1 means TPQ Studio is faster).
"""
import argparse
import json
import math
import os
import time

import torch
from torch import nn

SEQ_LEN, TRAIN_BATCH, TRAIN_STEPS = 128, 32, 6


class BertLayer(nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.heads, self.dh = heads, h // heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.attn_norm = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.out_norm = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, add_mask):
        b, l, h = x.shape
        split = lambda t: t.view(b, l, self.heads, self.dh).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.dh) + add_mask
        ctx = (self.drop(torch.softmax(scores, -1)) @ v).transpose(1, 2).reshape(b, l, h)
        a = self.attn_norm(self.drop(self.attn_out(ctx)) + x)
        return self.out_norm(self.drop(self.out(nn.functional.gelu(self.inter(a)))) + a)


class Bert(nn.Module):
    def __init__(self, layers, h, heads, vocab=30522, labels=2):
        super().__init__()
        self.word, self.pos, self.token_type = nn.Embedding(vocab, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.norm, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(0.1)
        self.layers = nn.ModuleList(BertLayer(h, heads, 4 * h) for _ in range(layers))
        self.pooler, self.classifier = nn.Linear(h, h), nn.Linear(h, labels)

    def forward(self, ids, mask):
        l = ids.shape[1]
        x = self.word(ids) + self.pos(torch.arange(l))[None] + self.token_type(torch.zeros_like(ids))
        x = self.drop(self.norm(x))
        add_mask = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, add_mask)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


class Transformer(nn.Module):
    """The custom model: scaled embeddings + sinusoidal positions, post-norm ReLU encoder, max pooling."""

    def __init__(self, vocab, d, heads, layers, d_ff, dropout, labels=2):
        super().__init__()
        self.d = d
        self.emb = nn.Embedding(vocab, d, padding_idx=0)
        pos = torch.arange(512)[:, None] * torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        self.register_buffer("pe", torch.stack([pos.sin(), pos.cos()], -1).flatten(1))
        layer = nn.TransformerEncoderLayer(d, heads, d_ff, dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.drop, self.classifier = nn.Dropout(dropout), nn.Linear(d, labels)

    def forward(self, ids, mask):
        x = self.drop(self.emb(ids) * math.sqrt(self.d) + self.pe[: ids.shape[1]][None])
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        return self.classifier(self.drop(x.masked_fill(mask[..., None] == 0, float("-inf")).amax(1)))


def train_rate(model, vocab, seconds=5.0):
    """Samples/s of forward + cross-entropy + backward + clip + AdamW step, batch 32 x 128."""
    g = torch.Generator().manual_seed(1)
    batches = [(torch.randint(1000, vocab, (TRAIN_BATCH, SEQ_LEN), generator=g),
                torch.randint(0, 2, (TRAIN_BATCH,), generator=g)) for _ in range(TRAIN_STEPS)]
    mask = torch.ones(TRAIN_BATCH, SEQ_LEN, dtype=torch.long)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    model.train()

    def step(ids, labels):
        loss = nn.functional.cross_entropy(model(ids, mask), labels)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    step(*batches[0])  # warm-up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for ids, labels in batches:
            step(ids, labels)
            done += TRAIN_BATCH
    return done / (time.perf_counter() - start)


def infer_latency(model, batch, runs=10, warmup=2):
    """Milliseconds per forward pass (p50, p95), eval mode, no gradients, batch x 128 tokens."""
    g = torch.Generator().manual_seed(2)
    mask = torch.ones(batch, SEQ_LEN, dtype=torch.long)
    model.eval()
    ms = []
    with torch.no_grad():
        for i in range(warmup + runs):
            ids = torch.randint(1, 30522, (batch, SEQ_LEN), generator=g)
            t = time.perf_counter()
            model(ids, mask)
            if i >= warmup:
                ms.append(1000 * (time.perf_counter() - t))
    ms.sort()
    return ms[math.ceil(0.5 * len(ms)) - 1], ms[math.ceil(0.95 * len(ms)) - 1]


def linear_stack_ms(int8, runs=7):
    """p50 ms of bert-base's encoder linear layers alone on [8, 128, 768] (BM_BertBaseLinearStack):
    fp32 nn.Linear, or the same after torch.quantization.quantize_dynamic (int8)."""
    h, f = 768, 3072
    layers = []
    for _ in range(12):
        layers += [nn.Linear(h, h) for _ in range(4)] + [nn.Linear(h, f), nn.Linear(f, h)]
    stack = nn.Sequential(*layers)
    for layer in stack:
        nn.init.normal_(layer.weight, 0.0, 0.02)
    if int8:
        stack = torch.quantization.quantize_dynamic(stack, {nn.Linear}, dtype=torch.qint8)
    mods = list(stack)
    x = torch.randn(8, SEQ_LEN, h)

    def run():
        for i in range(12):
            p = mods[6 * i:6 * i + 6]
            for k in range(4):
                p[k](x)
            p[5](torch.nn.functional.gelu(p[4](x)))

    ms = []
    with torch.no_grad():
        run()
        for _ in range(runs):
            t = time.perf_counter()
            run()
            ms.append(1000 * (time.perf_counter() - t))
    ms.sort()
    return ms[len(ms) // 2]


def ours(path):
    """Benchmark entries from Google Benchmark's JSON output."""
    with open(path) as f:
        return json.load(f)["benchmarks"]


def find(entries, prefix):
    """The entry whose name starts with `prefix` ("BM_InferBertBase/8/"), or {}."""
    return next((b for b in entries if (b["name"] + "/").startswith(prefix)), {})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", help="bench_models --benchmark_out JSON to compare with")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    rows = []  # (figure, PyTorch value, benchmark name prefix, counter, higher is better)
    rate = train_rate(Transformer(30000, 128, 2, 1, 256, 0.2), 30000)
    rows.append(("train custom Transformer, samples/s", rate, "BM_TrainTransformerBaseConfig/",
                 "samples/s", True))
    rate = train_rate(Bert(4, 256, 4), 30522)
    rows.append(("train bert-mini, samples/s", rate, "BM_TrainBertMini/", "samples/s", True))
    base = Bert(12, 768, 12)
    for batch in (1, 8):
        p50, p95 = infer_latency(base, batch)
        name = f"BM_InferBertBase/{batch}/"
        rows.append((f"bert-base fp32 batch {batch} x 128, p50 ms", p50, name, "p50_ms", False))
        rows.append((f"bert-base fp32 batch {batch} x 128, p95 ms", p95, name, "p95_ms", False))
    # The whole model after PyTorch's own dynamic int8 quantization (linear layers only; the
    # classifier too — its cost is nil), against BM_InferBertBaseInt8Dynamic.
    qbase = torch.quantization.quantize_dynamic(base, {nn.Linear}, dtype=torch.qint8)
    for batch in (1, 8):
        p50, p95 = infer_latency(qbase, batch)
        rows.append((f"bert-base int8 dynamic batch {batch} x 128, p50 ms", p50,
                     f"BM_InferBertBaseInt8Dynamic/{batch}/", "p50_ms", False))
    rows.append(("bert-base linear layers fp32, 8 x 128, p50 ms", linear_stack_ms(False),
                 "BM_BertBaseLinearStack/0/", "p50_ms", False))
    rows.append(("bert-base linear layers int8 dynamic, p50 ms", linear_stack_ms(True),
                 "BM_BertBaseLinearStack/1/", "p50_ms", False))

    mine = ours(args.ours) if args.ours else []
    print(f"PyTorch {torch.__version__} eager, {torch.get_num_threads()} threads")
    print(f"{'figure':42} {'PyTorch':>10} {'TPQ':>10} {'ratio':>7}")
    for label, theirs, bench, counter, higher in rows:
        value = find(mine, bench).get(counter)
        if value is None:
            print(f"{label:42} {theirs:10.2f} {'-':>10} {'-':>7}")
            continue
        ratio = value / theirs if higher else theirs / value
        print(f"{label:42} {theirs:10.2f} {value:10.2f} {ratio:6.2f}x")
    print("ratio > 1: TPQ Studio faster")


if __name__ == "__main__":
    main()
