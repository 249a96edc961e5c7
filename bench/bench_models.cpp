// Model speed on this CPU, all cores (issue 3, acceptance 9):
//  - training samples/s through the real Trainer (AdamW, clipping, schedule) for the custom
//    Transformer of configs/base_config.yaml and for bert-mini, batch 32, 128 tokens;
//  - fp32 inference latency of the bert-base-uncased shape (random weights), batch 1 and 8,
//    128 tokens, through the same InferenceTimer that `tpq bench` and result.json use.
// bench/reference/bert_eager.py times the same shapes in PyTorch eager Python.

#include <memory>
#include <random>
#include <thread>

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "train/inference_timer.h"
#include "train/trainer.h"

namespace {

constexpr int64_t kSeqLen = 128;
constexpr int64_t kTrainBatch = 32;
constexpr int64_t kTrainBatches = 6;  // optimizer steps per benchmark iteration

void useAllCores() {
    static const bool done = [] {
        at::set_num_threads(int(std::thread::hardware_concurrency()));
        return true;
    }();
    (void)done;
}

tpq::DataLoader randomLoader(int64_t examples, int64_t vocab, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> token(1000, vocab - 1);
    std::vector<std::vector<int64_t>> sequences(static_cast<size_t>(examples),
                                                std::vector<int64_t>(static_cast<size_t>(kSeqLen), 0));
    std::vector<int64_t> labels(static_cast<size_t>(examples), 0);
    for (int64_t i = 0; i < examples; ++i) {
        for (auto& id : sequences[size_t(i)]) id = token(rng);
        labels[size_t(i)] = i % 2;
    }
    return tpq::DataLoader(std::move(sequences), std::move(labels), 0, size_t(kTrainBatch), true, seed);
}

// One epoch of kTrainBatches steps per iteration; validation is a single small batch.
void trainBenchmark(benchmark::State& state, tpq::Classifier& model, int64_t vocab) {
    useAllCores();
    tpq::DataLoader train = randomLoader(kTrainBatch * kTrainBatches, vocab, 1);
    tpq::DataLoader validation = randomLoader(8, vocab, 2);
    tpq::TrainerOptions options;
    options.epochs = 1;
    options.learningRate = 1e-4;
    for (auto _ : state) {
        tpq::Trainer trainer(model, options);
        auto history = trainer.train(train, validation, nullptr, nullptr, nullptr);
        benchmark::DoNotOptimize(history);
    }
    state.counters["samples/s"] =
        benchmark::Counter(double(kTrainBatch * kTrainBatches), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["threads"] = at::get_num_threads();
}

void BM_TrainTransformerBaseConfig(benchmark::State& state) {
    torch::manual_seed(0);
    tpq::TransformerConfig c;  // configs/base_config.yaml's model, word vocabulary of 30000
    c.vocabSize = 30000;
    c.dModel = 128;
    c.numHeads = 2;
    c.numLayers = 1;
    c.dFf = 256;
    c.dropout = 0.2;
    c.pooling = "max";
    tpq::TransformerModel model(c);
    trainBenchmark(state, model, c.vocabSize);
}
BENCHMARK(BM_TrainTransformerBaseConfig)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);

void BM_TrainBertMini(benchmark::State& state) {
    torch::manual_seed(0);
    tpq::BertModel model(tpq::BertConfig::preset("bert-mini"));
    trainBenchmark(state, model, 30522);
}
BENCHMARK(BM_TrainBertMini)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);

// bert-base-uncased shape with random weights, fp32, eval mode, no gradients.
void BM_InferBertBase(benchmark::State& state) {
    useAllCores();
    torch::manual_seed(0);
    static tpq::BertModel model(tpq::BertConfig::preset("bert-base-uncased"));
    const int64_t batch = state.range(0);
    tpq::InferenceTimer timer(model);
    tpq::LatencyStats last;
    for (auto _ : state) {
        last = timer.measure(batch, kSeqLen, 10, 2, 30522);
    }
    state.counters["p50_ms"] = last.p50Ms;
    state.counters["p95_ms"] = last.p95Ms;
    state.counters["samples/s"] = last.samplesPerSecond;
    state.counters["threads"] = double(last.threads);
}
BENCHMARK(BM_InferBertBase)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
