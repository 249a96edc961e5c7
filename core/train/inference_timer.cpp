#include "train/inference_timer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "models/classifier.h"
#include "train/eval_mode_guard.h"
#include "util/error.h"

namespace tpq {
namespace {

// Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it.
double percentile(const std::vector<double>& sorted, double p) {
    const double rank = std::ceil(p / 100.0 * double(sorted.size()));
    const size_t index = rank < 1 ? 0 : size_t(rank) - 1;
    return sorted[std::min(index, sorted.size() - 1)];
}

constexpr uint64_t kInputSeed = 20240229;  // fixed, so every measurement sees the same inputs

}  // namespace

LatencyStats InferenceTimer::measure(int64_t batchSize, int64_t seqLen, int64_t batches, int64_t warmup,
                                     int64_t vocabLimit, const CancellationToken* cancel) {
    std::vector<std::string> problems;
    if (batchSize < 1) problems.push_back("batch size must be >= 1, got " + std::to_string(batchSize));
    if (seqLen < 1) problems.push_back("sequence length must be >= 1, got " + std::to_string(seqLen));
    if (batches < 1) problems.push_back("timed batches must be >= 1, got " + std::to_string(batches));
    if (warmup < 0) problems.push_back("warm-up batches must be >= 0, got " + std::to_string(warmup));
    if (vocabLimit < 2) problems.push_back("vocabulary limit must be >= 2, got " + std::to_string(vocabLimit));
    if (!problems.empty()) {
        std::string message = "InferenceTimer::measure:";
        for (const auto& p : problems) message += " " + p + ";";
        message.pop_back();
        throw Error(message);
    }

    EvalModeGuard evalMode(m_model);
    torch::NoGradGuard noGrad;
    at::Generator generator = at::detail::createCPUGenerator(kInputSeed);
    const at::Tensor mask = torch::ones({batchSize, seqLen}, torch::kInt64);
    auto randomIds = [&] { return torch::randint(1, vocabLimit, {batchSize, seqLen}, generator, torch::kInt64); };

    std::vector<double> ms;
    ms.reserve(size_t(batches));
    for (int64_t i = 0; i < warmup + batches; ++i) {
        if (cancel) cancel->throwIfCancelled();
        const at::Tensor ids = randomIds();  // outside the timed region
        const auto start = std::chrono::steady_clock::now();
        const at::Tensor logits = m_model.forward(ids, mask);
        const auto stop = std::chrono::steady_clock::now();
        (void)logits;
        if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }

    return latencyStats(std::move(ms), batchSize, seqLen);
}

LatencyStats latencyStats(std::vector<double> ms, int64_t batchSize, int64_t seqLen) {
    if (ms.empty()) throw Error("latencyStats: no timings");
    LatencyStats stats;
    stats.batchSize = batchSize;
    stats.seqLen = seqLen;
    stats.batches = int64_t(ms.size());
    stats.threads = at::get_num_threads();
    stats.meanMs = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
    std::sort(ms.begin(), ms.end());
    stats.p50Ms = percentile(ms, 50);
    stats.p95Ms = percentile(ms, 95);
    stats.perSampleP50Ms = stats.p50Ms / double(batchSize);
    stats.samplesPerSecond = stats.meanMs > 0 ? double(batchSize) * 1000.0 / stats.meanMs : 0.0;
    return stats;
}

}  // namespace tpq
