#pragma once
/// \file run_result.h
/// The outcome of one run of an experiment — training, pruning, quantization or both — as
/// one type with one writer and one reader: results/<run>/result.json is toJson(), and
/// fromJson() reads it (and the files of older versions) back. The comparison, the plots
/// and the GUI read RunResult values (ResultsStore::readRun adds history.csv).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "experiment/method.h"
#include "models/layer_kernel.h"
#include "quant/layer_sensitivity.h"
#include "train/inference_timer.h"
#include "train/metrics.h"
#include "train/train_history.h"

namespace tpq {

/// The name result.json gives a method: the project's name, except dynamic_quantization,
/// static_quantization and mixed_precision (what users' scripts have always read).
const char* resultMethodName(Method m);

struct RunResult {
    std::string runId;  // results/<runId>/
    Method method = Method::Baseline;
    std::string modelDir;  // the saved model folder
    ClassificationMetrics test;
    std::vector<std::string> labelNames;
    int64_t numParameters = 0;
    int64_t nonzeroParameters = 0;
    double sparsity = 0;         // fraction of zero weights in the linear layers
    int64_t sizeBytes = 0;       // bytes of the saved model folder
    LatencyStats latency;        // fp32 inference at the run's batch size and max_length
    LatencyStats latencyBatch1;  // the same at batch 1 (p50Ms 0 = not measured)
    std::string kernelPath;      // where the linear layers ran: "avx2", "avx512_vnni+libtorch", ... (modelKernelPath)
    std::vector<std::pair<std::string, LayerKernel>> layerKernels;  // per linear layer: its kernel, and whether
                                                                    // it ran sparse (layer_kernels)
    std::vector<std::string> notes;  // facts about the measurement a reader must know ("bf16 is emulated ...")
    double trainSeconds = 0;
    // Pruning runs (written only when set):
    std::string baseModelDir;                                   // the model it was made from
    double targetSparsity = -1;                                 // asked-for sparsity; < 0 = not a pruning run
    double baselineAccuracy = -1;                               // the base model on the same test split; < 0 = unknown
    int fineTuneEpochs = 0;                                     // fine-tuning after pruning
    std::vector<std::pair<std::string, double>> layerSparsity;  // (linear layer, zero fraction)
    struct PruningStep {
        int iteration = 0;          // 1-based
        double targetSparsity = 0;  // the schedule's value
        double sparsity = 0;        // measured, in scope
        double valAccuracy = 0;     // after fine-tuning
        bool withinBudget = true;   // within max_accuracy_drop
    };
    std::vector<PruningStep> pruningHistory;  // progressive pruning, one entry per step
    // Structured pruning (heatmaps): layers x configured heads, -1 = not scored.
    std::vector<std::vector<double>> headImportance;
    std::vector<std::vector<bool>> headsKept;  // layers x configured heads, false = removed
    std::vector<int64_t> ffnKept;              // per layer, feed-forward neurons left
    std::vector<int64_t> ffnOriginal;          // per layer, configured width
    // The model it was made from, measured side by side in the same process (< 0 / 0 = unknown).
    LatencyStats baselineLatency;
    LatencyStats baselineLatencyBatch1;
    int64_t baselineSizeBytes = 0;
    int64_t baselineParameters = 0;

    // Quantization runs (written only when set):
    std::vector<std::pair<std::string, std::string>> precisionMap;  // (layer or embedding table, precision)
    double fakeQuantAccuracy = -1;        // QAT: test accuracy of the fake-quantized model before convert
    int64_t memoryBytes = 0;              // weights the model computes from, in memory (compareWithFp32)
    int64_t baselineMemoryBytes = 0;      // the same for the base model
    int64_t weightsBytes = 0;             // bytes of model.safetensors alone (the folder also holds vocab.txt, ...)
    int64_t baselineWeightsBytes = 0;     // the same for the base model
    int64_t estimatedSizeBytes = 0;       // mixed precision: estimateModelSize of the plan
    std::string prunedModelDir;           // combined: the pruned model that was quantized
    int64_t prunedNonzeroParameters = 0;  // combined: its non-zero parameters before quantization
    std::string setting;                  // mixed precision: which plan ("all_int8", "top5_bf16", ...)
    std::vector<LayerSensitivity> layerSensitivity;  // mixed precision, most sensitive first

    // Where it was read from (not written): ResultsStore::readRun.
    std::string resultPath;  // results/<run-id>/result.json
    TrainHistory history;    // history.csv beside it, empty when absent

    /// Versus the model it was made from, from the sizes, latencies and accuracies above: 1,
    /// 1 and 0 for a baseline; NaN when the run did not record what they need.
    double compressionRatio() const;  // base folder bytes / this folder's
    double speedup() const;           // base p50 latency / this p50 latency
    double accuracyDrop() const;      // base test accuracy - this test accuracy (a fraction)
    /// The precisions of the linear layers, most used first ("fp32", "int8", "int8+int4").
    std::string weightPrecision() const;

    /// result.json with the keys users' scripts read: run_id, method, accuracy, precision,
    /// recall, f1, loss, confusion_matrix, num_parameters, nonzero_parameters, sparsity,
    /// size_bytes, latency_ms_p50, latency_ms_p95, throughput, model_dir (+ a few more).
    std::string toJson() const;
    /// Reads what toJson() writes, and result.json files of earlier versions (a missing key
    /// keeps its default; numbers missing from a run are NaN). Throws tpq::Error naming the
    /// key: not JSON, not an object, no run_id or accuracy, a value of the wrong type.
    static RunResult fromJson(const std::string& text);
};

}  // namespace tpq
