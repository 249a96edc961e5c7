#pragma once
/// \file run_result.h
/// The outcome of one step of an experiment (baseline training now; pruning and
/// quantization later), written as results/<run>/result.json.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "train/inference_timer.h"
#include "train/metrics.h"

namespace tpq {

struct RunResult {
    std::string runId;  // results/<runId>/
    std::string method = "baseline";
    std::string modelDir;  // the saved model folder
    ClassificationMetrics test;
    std::vector<std::string> labelNames;
    int64_t numParameters = 0;
    int64_t nonzeroParameters = 0;
    double sparsity = 0;    // fraction of zero weights in the linear layers
    int64_t sizeBytes = 0;  // bytes of the saved model folder
    LatencyStats latency;   // fp32 inference at the run's batch size and max_length
    LatencyStats latencyBatch1;  // the same at batch 1 (p50Ms 0 = not measured)
    std::string kernelPath;      // where the linear layers ran: "avx2", "avx512_vnni+libtorch", ... (modelKernelPath)
    std::vector<std::string> notes;  // facts about the measurement a reader must know ("bf16 is emulated ...")
    double trainSeconds = 0;
    // Pruning runs (written only when set):
    std::string baseModelDir;                                   // the model it was made from
    double targetSparsity = -1;                                 // asked-for sparsity; < 0 = not a pruning run
    double baselineAccuracy = -1;                               // the base model on the same test split; < 0 = unknown
    int fineTuneEpochs = 0;                                     // fine-tuning after pruning
    std::vector<std::pair<std::string, double>> layerSparsity;  // (linear layer, zero fraction)
    struct PruningStep {
        int iteration;          // 1-based
        double targetSparsity;  // the schedule's value
        double sparsity;        // measured, in scope
        double valAccuracy;     // after fine-tuning
        bool withinBudget;      // within max_accuracy_drop
    };
    std::vector<PruningStep> pruningHistory;  // progressive pruning, one entry per step
    // Structured pruning (heatmaps): layers x configured heads, -1 = not scored.
    std::vector<std::vector<double>> headImportance;
    std::vector<std::vector<bool>> headsKept;  // layers x configured heads
    std::vector<int64_t> ffnKept;              // per layer, feed-forward neurons left
    std::vector<int64_t> ffnOriginal;          // per layer, configured width
    // The model it was made from, measured side by side in the same process (< 0 / 0 = unknown).
    LatencyStats baselineLatency;
    LatencyStats baselineLatencyBatch1;
    int64_t baselineSizeBytes = 0;
    int64_t baselineParameters = 0;

    // Quantization runs (written only when set):
    std::vector<std::pair<std::string, std::string>> precisionMap;  // (layer or embedding table, precision)
    double fakeQuantAccuracy = -1;    // QAT: test accuracy of the fake-quantized model before convert
    int64_t memoryBytes = 0;          // weights the model computes from, in memory (compareWithFp32)
    int64_t baselineMemoryBytes = 0;  // the same for the base model
    int64_t weightsBytes = 0;          // bytes of model.safetensors alone (the folder also holds vocab.txt, ...)
    int64_t baselineWeightsBytes = 0;  // the same for the base model
    int64_t estimatedSizeBytes = 0;   // mixed precision: estimateModelSize of the plan
    std::string prunedModelDir;           // combined: the pruned model that was quantized
    int64_t prunedNonzeroParameters = 0;  // combined: its non-zero parameters before quantization
    std::string setting;              // mixed precision: which plan ("all_int8", "top5_bf16", ...)
    struct Sensitivity {
        std::string layer;
        double lossDeltaInt8, accuracyDeltaInt8, lossDeltaInt4, accuracyDeltaInt4;
    };
    std::vector<Sensitivity> layerSensitivity;  // mixed precision, most sensitive first

    /// result.json with the keys users' scripts read: run_id, method, accuracy, precision,
    /// recall, f1, loss, confusion_matrix, num_parameters, nonzero_parameters, sparsity,
    /// size_bytes, latency_ms_p50, latency_ms_p95, throughput, model_dir (+ a few more).
    std::string toJson() const;
};

}  // namespace tpq
