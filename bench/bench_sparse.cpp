// Pruned models that run faster (issue 19): the bert-base-uncased shape with random weights
// (seed 0), every encoder linear layer pruned to 50/70/80/90/95% by magnitude per layer in
// blocks of 1x1, 1x4, 4x1 or 16x1 (pooler and classifier kept), in fp32 and after dynamic
// int8 quantization, against the same shape unpruned in fp32 (OpenBLAS) and int8 (our
// dense kernel), side by side in one process: the forward passes of the four models
// alternate (dense fp32, pruned fp32, dense int8, pruned int8; each timed pass right after
// an untimed one of the same model; every other round in the reverse order), 1 warm-up and
// TPQ_BENCH_ROUNDS (default 5) timed rounds, medians reported. The pruned models run
// where the sparse kernels' crossover puts each layer (TPQ_SPARSE_KERNEL=on runs every layer
// with a zero sparse, to measure the crossover; =off every layer dense).
//   TPQ_BENCH_SPARSE_BLOCKS=1x4,4x1   blocks to run (default all four)
//   TPQ_BENCH_SPARSE_LEVELS=0.8,0.9   sparsities (default 0.5,0.7,0.8,0.9,0.95)
//   TPQ_BENCH_SPARSE_BATCHES=8,1      batch sizes (default 8 and 1), 128 tokens each
//   TPQ_BENCH_PROFILE_INT8=1          only the pruned int8 model (to profile it with perf)
// Prints one markdown table (the README's), and Google Benchmark's counters per row.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/int8_gemm.h"
#include "kernels/sparse_gemm.h"
#include "models/bert_model.h"
#include "prune/unstructured_pruning.h"
#include "quant/int8_kernels.h"
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
    // For a profiler: only the pruned int8 model runs (its rows' other columns stay 0).
    const bool profileInt8 = std::getenv("TPQ_BENCH_PROFILE_INT8") != nullptr;
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
                        for (int i = 0; i < 4; ++i) {
                            // Every other round backwards: whichever model follows the long fp32
                            // passes (the machine runs slower for a while after them, measured:
                            // a dense int8 pass 1.5x slower than the same model later) changes.
                            const int m = r % 2 == 0 ? i : 3 - i;
                            if (profileInt8 && m != 3) continue;
                            // One untimed pass of the same model first: OpenBLAS's workers spin for
                            // up to ~0.1 s after an fp32 product (a 50 ms pause left the next int8
                            // pass 20% slower), and a pause instead lets the clock and the caches
                            // cool (a 250 ms one made short passes slower than back to back).
                            benchmark::DoNotOptimize(models[m]->forward(ids, mask).data_ptr());
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
                    for (int m = 0; m < 4; ++m)
                        if (!ms[m].empty()) *p50[m] = tpq::latencyStats(ms[m], batch, kSeqLen).p50Ms;
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

// The crossover: one layer of each bert-base shape at densities 0.05-0.6, sparse against
// dense side by side (alternating, 3 warm-ups, 15 timed products, medians), fp32 (CSR on
// 1x1 weights and blocks on 1x4 ones, against OpenBLAS) and int8 (groups of 4 against our
// dense kernel). A layer runs sparse where its density is below the largest density at
// which the sparse product is faster on every shape (sparse_gemm.h's fp32MaxDensity and
// int8MaxDensity). Weights: random, 1x4 blocks (int8 and fp32 blocks: the quads' density
// is exact), 1x1 for fp32 CSR (elements).
struct Crossover {
    std::string shape;
    int64_t tokens;
    double density, fp32Dense, fp32Sparse, int8Dense, int8Sparse, fp32Blocks;
};
std::vector<Crossover> g_crossover;

// Milliseconds `f` takes.
double timeMs(const std::function<void()>& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

void BM_SparseLayerCrossover(benchmark::State& state) {
    tpq::setUpProcess();
    const char* threads = std::getenv("TPQ_BENCH_THREADS");
    at::set_num_threads(threads ? std::atoi(threads) : int(std::thread::hardware_concurrency()));
    torch::NoGradGuard noGrad;
    if (!tpq::sparse::int8Available()) return state.SkipWithError("no sparse kernel on this CPU (AVX-512 VNNI)");
    const std::vector<std::pair<int64_t, int64_t>> shapes = {{768, 768}, {768, 3072}, {3072, 768}};
    for (auto _ : state) {
        for (const int64_t tokens : {int64_t(1024), int64_t(128)}) {
            for (const auto& [in, out] : shapes) {
                const at::Tensor x = torch::randn({tokens, in});
                const at::Tensor dense = torch::randn({out, in}) * 0.02, bias = torch::zeros({out});
                const tpq::Int8Weight qd = tpq::quantizeWeightInt8(dense);
                const auto packedDense = tpq::int8gemm::pack(qd.values, qd.scales, bias, tpq::int8gemm::Layout::Dense);
                for (double density : {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6}) {
                    const at::Tensor keep1x4 =
                        torch::rand({out, in / 4}).lt(density).repeat_interleave(4, 1).to(torch::kFloat32);
                    const at::Tensor keep1x1 = torch::rand({out, in}).lt(density).to(torch::kFloat32);
                    const tpq::Int8Weight q = tpq::quantizeWeightInt8(dense * keep1x4);
                    const auto packedSparse =
                        tpq::int8gemm::pack(q.values, q.scales, bias, tpq::int8gemm::Layout::Sparse);
                    const auto fp32Sparse = tpq::sparse::packFp32(dense * keep1x1, bias);
                    const auto fp32Blocks = tpq::sparse::packFp32(dense * keep1x4, bias);  // 1x4: blocks
                    const std::function<void()> forms[5] = {
                        [&] { benchmark::DoNotOptimize(torch::linear(x, dense, bias).data_ptr()); },
                        [&] { benchmark::DoNotOptimize(tpq::sparse::linearFp32(x, fp32Sparse).data_ptr()); },
                        [&] { benchmark::DoNotOptimize(tpq::int8gemm::linear(x, packedDense).data_ptr()); },
                        [&] { benchmark::DoNotOptimize(tpq::int8gemm::linear(x, packedSparse).data_ptr()); },
                        [&] { benchmark::DoNotOptimize(tpq::sparse::linearFp32(x, fp32Blocks).data_ptr()); }};
                    std::vector<double> ms[5];
                    for (int r = 0; r < 18; ++r)  // 3 warm-up rounds, 15 timed
                        for (int k = 0; k < 5; ++k) {
                            const double t = timeMs(forms[k]);
                            if (r >= 3) ms[k].push_back(t);
                        }
                    g_crossover.push_back({std::to_string(in) + "->" + std::to_string(out), tokens, density,
                                           median(ms[0]), median(ms[1]), median(ms[2]), median(ms[3]), median(ms[4])});
                    const auto& c = g_crossover.back();
                    std::fprintf(stderr,
                                 "%s x %lld tokens, density %.2f: fp32 %.2fx, fp32 1x4 blocks %.2fx, int8 %.2fx\n",
                                 c.shape.c_str(), (long long)tokens, density, c.fp32Dense / c.fp32Sparse,
                                 c.fp32Dense / c.fp32Blocks, c.int8Dense / c.int8Sparse);
                }
            }
        }
    }
}
BENCHMARK(BM_SparseLayerCrossover)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void printTable() {
    if (!g_crossover.empty()) {
        std::printf(
            "\n| layer | tokens | density | fp32 OpenBLAS ms | fp32 CSR (1x1) ms | speedup | fp32 blocks (1x4) ms | "
            "speedup | int8 dense ms | int8 sparse ms | int8 speedup |\n| --- | --- | --- | --- | --- | --- | --- | "
            "--- "
            "| --- | --- | --- |\n");
        for (const auto& c : g_crossover)
            std::printf("| %s | %lld | %.2f | %.3f | %.3f | %.2fx | %.3f | %.2fx | %.3f | %.3f | %.2fx |\n",
                        c.shape.c_str(), (long long)c.tokens, c.density, c.fp32Dense, c.fp32Sparse,
                        c.fp32Dense / c.fp32Sparse, c.fp32Blocks, c.fp32Dense / c.fp32Blocks, c.int8Dense, c.int8Sparse,
                        c.int8Dense / c.int8Sparse);
    }
    if (g_rows.empty()) return;
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
