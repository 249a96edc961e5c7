#pragma once
/// \file inference_timer.h
/// Forward-pass latency of a Classifier on random token ids: percentiles per batch and
/// throughput, with the thread count they were measured with. Inputs come from a private
/// seeded generator, so measuring does not change torch's global random state.
///
///     const LatencyStats s = InferenceTimer(model).measure(32, 128);
///     // s.p50Ms, s.samplesPerSecond

#include <cstdint>
#include <vector>

#include "util/progress.h"

namespace tpq {

class Classifier;

struct LatencyStats {
    int64_t batchSize = 0;          // examples per forward pass
    int64_t seqLen = 0;             // tokens per example (no padding)
    int64_t batches = 0;            // timed forward passes (warm-up excluded)
    int64_t threads = 0;            // at::get_num_threads() during the measurement
    double p50Ms = 0.0;             // median milliseconds per batch (nearest rank)
    double p95Ms = 0.0;             // 95th percentile milliseconds per batch (nearest rank)
    double meanMs = 0.0;            // mean milliseconds per batch
    double perSampleP50Ms = 0.0;    // p50Ms / batchSize
    double samplesPerSecond = 0.0;  // batchSize / mean seconds per batch
};

/// The statistics of per-batch timings in milliseconds (at least one), as measure() reports
/// them; for callers that time forward passes their own way (side by side, alternating).
LatencyStats latencyStats(std::vector<double> ms, int64_t batchSize, int64_t seqLen);

class InferenceTimer {
public:
    /// The model is borrowed; it must outlive the timer.
    explicit InferenceTimer(Classifier& model) : m_model(model) {}

    /// Times `batches` forward passes of [batchSize, seqLen] random ids in [1, vocabLimit)
    /// with a full attention mask, after `warmup` untimed passes, in eval mode without
    /// gradients (the previous train/eval mode is restored). `vocabLimit` must not exceed the
    /// model's vocabulary and `seqLen` its maximum length. Checks `cancel` every pass.
    /// Throws tpq::Error for batchSize, seqLen or batches < 1, warmup < 0 or vocabLimit < 2.
    LatencyStats measure(int64_t batchSize, int64_t seqLen, int64_t batches = 50, int64_t warmup = 5,
                         int64_t vocabLimit = 1000, const CancellationToken* cancel = nullptr);

private:
    Classifier& m_model;
};

}  // namespace tpq
