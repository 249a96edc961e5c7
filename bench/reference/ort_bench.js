#!/usr/bin/env node
// Times ONNX files with ONNX Runtime's CPU engine (onnxruntime-node), the way a user
// deploying BERT would run them: all graph optimizations, sequential execution, the given
// intra-op threads. Prints one JSON object per (file, batch) on stdout.
//
//   node bench/reference/ort_bench.js --threads 2 --batches 8,1 --warmup 3 --runs 10 a.onnx b.onnx
//
// Token ids are random (seeded), the attention mask all ones, 128 tokens.
'use strict';
const ort = require('onnxruntime-node');

function parse(argv) {
  const opts = { threads: 2, batches: [8, 1], warmup: 3, runs: 10, seq: 128, files: [] };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--threads') opts.threads = Number(next());
    else if (a === '--batches') opts.batches = next().split(',').map(Number);
    else if (a === '--warmup') opts.warmup = Number(next());
    else if (a === '--runs') opts.runs = Number(next());
    else if (a === '--seq') opts.seq = Number(next());
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.files.push(a);
  }
  if (!opts.files.length) throw new Error('give one or more .onnx files');
  return opts;
}

// Nearest-rank percentile, as TPQ Studio's InferenceTimer computes it.
function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function randomIds(n, seed) {
  let s = BigInt(seed) || 1n;
  const ids = new BigInt64Array(n);
  for (let i = 0; i < n; ++i) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    ids[i] = 1000n + ((s >> 33n) % 29000n);
  }
  return ids;
}

async function main() {
  const opts = parse(process.argv.slice(2));
  for (const file of opts.files) {
    const session = await ort.InferenceSession.create(file, {
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    for (const batch of opts.batches) {
      const n = batch * opts.seq;
      const mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [batch, opts.seq]);
      const ms = [];
      for (let i = 0; i < opts.warmup + opts.runs; ++i) {
        const ids = new ort.Tensor('int64', randomIds(n, i + 1), [batch, opts.seq]);
        const t = process.hrtime.bigint();
        await session.run({ input_ids: ids, attention_mask: mask });
        const elapsed = Number(process.hrtime.bigint() - t) / 1e6;
        if (i >= opts.warmup) ms.push(elapsed);
      }
      ms.sort((a, b) => a - b);
      console.log(JSON.stringify({ file, batch, seq: opts.seq, threads: opts.threads, runs: opts.runs,
                                   p50_ms: percentile(ms, 0.5), p95_ms: percentile(ms, 0.95),
                                   ort_version: ort.env.versions ? ort.env.versions.node : undefined }));
    }
    await session.release();
  }
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message}`);
  process.exit(1);
});
