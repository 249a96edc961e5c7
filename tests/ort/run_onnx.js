#!/usr/bin/env node
// Runs an ONNX file exported by `tpq export --format onnx` in ONNX Runtime (onnxruntime-node,
// pinned in third_party/npm) and prints its logits as JSON, so tests and benchmarks can hold
// them against TPQ Studio's own engine.
//
//   node tests/ort/run_onnx.js MODEL.onnx INPUTS.json [--time ROUNDS] [--threads N]
//
// INPUTS.json: {"input_ids": [[...], ...], "attention_mask": [[...], ...]} — equal-length rows
// (pad with 0 and mask 0) — or a list of such batches. Prints {"logits": [[...], ...]} (the
// rows of every batch in order) and, with --time, "ms": [...]: the wall time of each of
// ROUNDS further passes over the batches after the first.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message) {
    process.stderr.write(`run_onnx: ${message}\n`);
    process.exit(1);
}

function loadRuntime() {
    const modules = path.join(__dirname, '..', '..', 'third_party', 'npm', 'node_modules');
    try {
        return require(path.join(modules, 'onnxruntime-node'));
    } catch (error) {
        fail(`onnxruntime-node is not installed under ${modules} (run scripts/setup): ${error.message}`);
    }
    return null;
}

function parseArguments(argv) {
    const options = { rounds: 0, threads: 0, files: [] };
    for (let i = 0; i < argv.length; ++i) {
        if (argv[i] === '--time') options.rounds = Number(argv[++i]);
        else if (argv[i] === '--threads') options.threads = Number(argv[++i]);
        else options.files.push(argv[i]);
    }
    if (options.files.length !== 2) fail('usage: run_onnx.js MODEL.onnx INPUTS.json [--time ROUNDS] [--threads N]');
    if (!Number.isInteger(options.rounds) || options.rounds < 0) fail('--time needs a whole number of rounds');
    if (!Number.isInteger(options.threads) || options.threads < 0) fail('--threads needs a whole number');
    return options;
}

function tensorOf(ort, rows, name) {
    if (!Array.isArray(rows) || rows.length === 0) fail(`inputs: "${name}" must be a non-empty list of rows`);
    const width = rows[0].length;
    const data = new BigInt64Array(rows.length * width);
    rows.forEach((row, r) => {
        if (!Array.isArray(row) || row.length !== width) fail(`inputs: "${name}" row ${r} has ${row.length} values, row 0 has ${width}`);
        row.forEach((value, c) => { data[r * width + c] = BigInt(value); });
    });
    return new ort.Tensor('int64', data, [rows.length, width]);
}

async function main() {
    const options = parseArguments(process.argv.slice(2));
    const ort = loadRuntime();
    const [modelPath, inputsPath] = options.files;
    let inputs;
    try {
        inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
    } catch (error) {
        fail(`cannot read ${inputsPath}: ${error.message}`);
    }
    const sessionOptions = { graphOptimizationLevel: 'all' };
    if (options.threads > 0) {
        sessionOptions.intraOpNumThreads = options.threads;
        sessionOptions.interOpNumThreads = 1;
    }
    let session;
    try {
        session = await ort.InferenceSession.create(modelPath, sessionOptions);
    } catch (error) {
        fail(`ONNX Runtime cannot load ${modelPath}: ${error.message}`);
    }
    const batches = (Array.isArray(inputs) ? inputs : [inputs]).map((b, i) => {
        if (b === null || typeof b !== 'object') fail(`inputs: batch ${i} is not an object`);
        return {
            input_ids: tensorOf(ort, b.input_ids, 'input_ids'),
            attention_mask: tensorOf(ort, b.attention_mask, 'attention_mask'),
        };
    });
    const result = { logits: [] };
    for (const feeds of batches) {
        const logits = (await session.run(feeds)).logits;
        const [rows, classes] = logits.dims;
        for (let r = 0; r < rows; ++r) result.logits.push(Array.from(logits.data.slice(r * classes, (r + 1) * classes)));
    }
    if (options.rounds > 0) {
        result.ms = [];
        for (let i = 0; i < options.rounds; ++i) {
            const start = process.hrtime.bigint();
            for (const feeds of batches) await session.run(feeds);
            result.ms.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
    }
    process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => fail(error.message));
