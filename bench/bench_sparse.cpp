// Pruned models that run faster (issue 19): the bert-base-uncased shape with random weights
// (seed 0), every encoder linear layer pruned to 50/70/80/90/95% by magnitude per layer in
// blocks of 1x1, 1x4, 4x1 or 16x1 (pooler and classifier kept), in fp32 and after dynamic
// int8 quantization, against the same shape unpruned in fp32 (OpenBLAS) and int8 (our
// dense kernel), side by side in one process: the forward passes of the four models
// alternate (dense fp32, pruned fp32, dense int8, pruned int8), 1 warm-up and
// TPQ_BENCH_ROUNDS (default 5) timed rounds, medians reported. The pruned models run
// where the sparse kernels' crossover puts each layer (TPQ_SPARSE_KERNEL=on runs every layer
// with a zero sparse, to measure the crossover; =off every layer dense).
//   TPQ_BENCH_SPARSE_BLOCKS=1x4,4x1   blocks to run (default all four)
//   TPQ_BENCH_SPARSE_LEVELS=0.8,0.9   sparsities (default 0.5,0.7,0.8,0.9,0.95)
//   TPQ_BENCH_SPARSE_BATCHES=8,1      batch sizes (default 8 and 1), 128 tokens each
// Prints one markdown table (the README's), and Google Benchmark's counters per row.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/sparse_gemm.h"
#include "models/bert_model.h"
#include "prune/unstructured_pruning.h"
#include "quant/post_training_quantization.h"
#include "train/inference_timer.h"
#include "util/block_shape.h"
#include "util/strings.h"
#include "util/system_info.h"

namespace {

constexpr int64_t kSeqLen = 128;

std::vector<std::string> listFromEnv(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return tpq::split(v && *v ? v : fallback, ',');
}

std::unique_ptr<tpq::BertModel> bertBase() {
    torch::manual_seed(0);
    auto model = std::make_unique<tpq::BertModel>(tpq::BertConfig::preset("bert-base-uncased"));
    model->eval();
    return model;
}

std::unique_ptr<tpq::BertModel> quantized(std::unique_ptr<tpq::BertModel> model) {
    tpq::PostTrainingQuantization::applyDynamicQuantization(*model);
    model->eval();
    return model;
}

// The share of the encoder's linear layers that run sparse, and their mean density.
std::pair<int, double> sparseLayers(tpq::BertModel& model) {
    int n = 0;
    double density = 0;
    for (const auto& l : model.linearLayers()) {
        const tpq::LayerKernel k = tpq::layerKernel(l);
        if (!k.sparse) continue;
        ++n;
        density += k.density;
    }
    return {n, n > 0 ? density / n : 1.0};
}

struct Row {
    std::string block;
    double sparsity;
    int64_t batch;
    double fp32Dense, fp32Sparse, int8Dense, int8Sparse;
    int fp32Layers, int8Layers;
    double fp32Density, int8Density;
};
std::vector<Row> g_rows;

void BM_SparseBertBase(benchmark::State& state) {
    static const bool setUp = [] {
        tpq::setUpProcess();
        const char* threads = std::getenv("TPQ_BENCH_THREADS");
        at::set_num_threads(threads ? std::atoi(threads) : int(std::thread::hardware_concurrency()));
        return true;
    }();
    (void)setUp;
    torch::NoGradGuard noGrad;
    static std::unique_ptr<tpq::BertModel> denseFp32 = bertBase();
    static std::unique_ptr<tpq::BertModel> denseInt8 = quantized(bertBase());
    const int rounds = std::getenv("TPQ_BENCH_ROUNDS") ? std::atoi(std::getenv("TPQ_BENCH_ROUNDS")) : 5;
    const auto blocks = listFromEnv("TPQ_BENCH_SPARSE_BLOCKS", "1x1,1x4,4x1,16x1");
    const auto levels = listFromEnv("TPQ_BENCH_SPARSE_LEVELS", "0.5,0.7,0.8,0.9,0.95");
    const auto batches = listFromEnv("TPQ_BENCH_SPARSE_BATCHES", "8,1");
    for (auto _ : state) {
        for (const auto& blockName : blocks) {
            const auto block = tpq::parseBlockShape(blockName);
            if (!block) return state.SkipWithError(("not a block shape: " + blockName).c_str());
            for (const auto& levelText : levels) {
                const double level = std::stod(levelText);
                auto prunedFp32 = bertBase();
                tpq::UnstructuredPruningOptions options;
                options.global = false;
                options.block = *block;
                tpq::UnstructuredPruning(*prunedFp32, options).applyPruning(level);
                // The int8 copy quantizes the same pruned weights.
                auto copy = bertBase();
                const auto source = prunedFp32->linearLayers();
                const auto target = copy->linearLayers();
                for (size_t i = 0; i < source.size(); ++i) target[i].linear->weight.copy_(source[i].linear->weight);
                auto prunedInt8 = quantized(std::move(copy));
                for (const auto& batchText : batches) {
                    const int64_t batch = std::stoll(batchText);
                    const at::Tensor ids = torch::randint(1, 30522, {batch, kSeqLen}, torch::kInt64);
                    const at::Tensor mask = torch::ones({batch, kSeqLen}, torch::kInt64);
                    tpq::BertModel* models[4] = {denseFp32.get(), prunedFp32.get(), denseInt8.get(), prunedInt8.get()};
                    std::vector<double> ms[4];
                    for (int r = 0; r < rounds + 1; ++r) {
                        for (int m = 0; m < 4; ++m) {
                            // OpenBLAS's workers spin for a while after a product: let them park.
                            std::this_thread::sleep_for(std::chrono::milliseconds(50));
                            const auto start = std::chrono::steady_clock::now();
                            benchmark::DoNotOptimize(models[m]->forward(ids, mask).data_ptr());
                            const double t =
                                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                                    .count();
                            if (r > 0) ms[m].push_back(t);
                        }
                    }
                    Row row{blockName, level, batch, 0, 0, 0, 0, 0, 0, 1, 1};
                    double* p50[4] = {&row.fp32Dense, &row.fp32Sparse, &row.int8Dense, &row.int8Sparse};
                    for (int m = 0; m < 4; ++m) *p50[m] = tpq::latencyStats(ms[m], batch, kSeqLen).p50Ms;
                    std::tie(row.fp32Layers, row.fp32Density) = sparseLayers(*prunedFp32);
                    std::tie(row.int8Layers, row.int8Density) = sparseLayers(*prunedInt8);
                    g_rows.push_back(row);
                    const std::string key = blockName + "_" + levelText + "_b" + batchText;
                    state.counters[key + "_fp32_x"] = row.fp32Dense / row.fp32Sparse;
                    state.counters[key + "_int8_x"] = row.int8Dense / row.int8Sparse;
                    std::fprintf(stderr,
                                 "%s %.2f batch %lld: fp32 %.1f -> %.1f ms (%.2fx, %d sparse layers), int8 %.1f -> "
                                 "%.1f ms (%.2fx, %d sparse layers)\n",
                                 blockName.c_str(), level, (long long)batch, row.fp32Dense, row.fp32Sparse,
                                 row.fp32Dense / row.fp32Sparse, row.fp32Layers, row.int8Dense, row.int8Sparse,
                                 row.int8Dense / row.int8Sparse, row.int8Layers);
                }
            }
        }
    }
}
BENCHMARK(BM_SparseBertBase)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void printTable() {
    std::printf(
        "\n| block | sparsity | batch | fp32 dense ms | fp32 pruned ms | fp32 speedup | int8 dense ms | int8 pruned ms "
        "| int8 speedup | int8 pruned vs fp32 dense | sparse layers fp32 / int8 |\n");
    std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (const Row& r : g_rows) {
        std::printf("| %s | %.0f%% | %lld x 128 | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx | %.2fx | %d / %d |\n",
                    r.block.c_str(), 100 * r.sparsity, (long long)r.batch, r.fp32Dense, r.fp32Sparse,
                    r.fp32Dense / r.fp32Sparse, r.int8Dense, r.int8Sparse, r.int8Dense / r.int8Sparse,
                    r.fp32Dense / r.int8Sparse, r.fp32Layers, r.int8Layers);
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    printTable();
    return 0;
}
