#include "experiment/run_result.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace tpq {

std::string RunResult::toJson() const {
    nlohmann::ordered_json j;
    j["run_id"] = runId;
    j["method"] = method;
    j["accuracy"] = test.accuracy;
    j["precision"] = test.precision;
    j["recall"] = test.recall;
    j["f1"] = test.f1;
    j["loss"] = test.loss;
    j["confusion_matrix"] = test.confusionMatrix;
    j["label_names"] = labelNames;
    j["test_examples"] = test.count;
    j["num_parameters"] = numParameters;
    j["nonzero_parameters"] = nonzeroParameters;
    j["sparsity"] = sparsity;
    j["size_bytes"] = sizeBytes;
    j["latency_ms_p50"] = latency.p50Ms;
    j["latency_ms_p95"] = latency.p95Ms;
    j["throughput"] = latency.samplesPerSecond;
    j["latency_batch_size"] = latency.batchSize;
    j["latency_seq_len"] = latency.seqLen;
    j["threads"] = latency.threads;
    if (!kernelPath.empty()) j["kernel_path"] = kernelPath;
    if (!notes.empty()) j["notes"] = notes;
    if (latencyBatch1.p50Ms > 0) {
        j["latency_batch1_ms_p50"] = latencyBatch1.p50Ms;
        j["latency_batch1_ms_p95"] = latencyBatch1.p95Ms;
    }
    j["train_seconds"] = trainSeconds;
    j["model_dir"] = modelDir;
    if (!baseModelDir.empty()) j["base_model_dir"] = baseModelDir;
    if (targetSparsity >= 0) {
        j["target_sparsity"] = targetSparsity;
        j["fine_tune_epochs"] = fineTuneEpochs;
    }
    if (baselineAccuracy >= 0) {
        j["baseline_accuracy"] = baselineAccuracy;
        j["accuracy_drop"] = baselineAccuracy - test.accuracy;
    }
    if (!pruningHistory.empty()) {
        j["pruning_history"] = nlohmann::ordered_json::array();
        for (const auto& s : pruningHistory) {
            j["pruning_history"].push_back({{"iteration", s.iteration},
                                            {"target_sparsity", s.targetSparsity},
                                            {"sparsity", s.sparsity},
                                            {"val_accuracy", s.valAccuracy},
                                            {"within_budget", s.withinBudget}});
        }
    }
    if (baselineSizeBytes > 0 && sizeBytes > 0) {
        j["baseline_size_bytes"] = baselineSizeBytes;
        j["size_ratio"] = double(sizeBytes) / double(baselineSizeBytes);
        j["compression_ratio"] = double(baselineSizeBytes) / double(sizeBytes);
    }
    if (baselineParameters > 0) j["baseline_parameters"] = baselineParameters;
    if (baselineLatency.p50Ms > 0 && latency.p50Ms > 0) {
        j["baseline_latency_ms_p50"] = baselineLatency.p50Ms;
        j["baseline_latency_ms_p95"] = baselineLatency.p95Ms;
        j["speedup"] = baselineLatency.p50Ms / latency.p50Ms;
    }
    if (baselineLatencyBatch1.p50Ms > 0 && latencyBatch1.p50Ms > 0) {
        j["baseline_latency_batch1_ms_p50"] = baselineLatencyBatch1.p50Ms;
        j["speedup_batch1"] = baselineLatencyBatch1.p50Ms / latencyBatch1.p50Ms;
    }
    if (!headImportance.empty()) j["head_importance"] = headImportance;
    if (!headsKept.empty()) j["heads_kept"] = headsKept;
    if (!ffnKept.empty()) {
        j["ffn_kept"] = ffnKept;
        j["ffn_original"] = ffnOriginal;
    }
    if (!layerSparsity.empty()) {
        nlohmann::ordered_json layers = nlohmann::ordered_json::object();
        for (const auto& [name, s] : layerSparsity) layers[name] = s;
        j["layer_sparsity"] = layers;
    }
    if (!precisionMap.empty()) {
        nlohmann::ordered_json map = nlohmann::ordered_json::object();
        for (const auto& [name, precision] : precisionMap) map[name] = precision;
        j["precision_map"] = map;
    }
    if (fakeQuantAccuracy >= 0) j["fake_quant_accuracy"] = fakeQuantAccuracy;
    if (memoryBytes > 0 && baselineMemoryBytes > 0) {
        j["memory_bytes"] = memoryBytes;
        j["baseline_memory_bytes"] = baselineMemoryBytes;
        j["memory_ratio"] = double(memoryBytes) / double(baselineMemoryBytes);
    }
    if (weightsBytes > 0 && baselineWeightsBytes > 0) {
        j["weights_bytes"] = weightsBytes;
        j["baseline_weights_bytes"] = baselineWeightsBytes;
        j["weights_compression_ratio"] = double(baselineWeightsBytes) / double(weightsBytes);
    }
    if (!prunedModelDir.empty()) {
        j["pruned_model_dir"] = prunedModelDir;
        j["pruned_nonzero_parameters"] = prunedNonzeroParameters;
    }
    if (estimatedSizeBytes > 0) j["estimated_size_bytes"] = estimatedSizeBytes;
    if (!setting.empty()) j["mixed_precision_setting"] = setting;
    if (!layerSensitivity.empty()) {
        auto& rows = j["layer_sensitivity"] = nlohmann::ordered_json::array();
        // NaN (int4 not possible for the layer) is written as null.
        auto num = [](double v) { return std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v); };
        for (const auto& s : layerSensitivity) {
            rows.push_back({{"layer", s.layer},
                            {"loss_delta_int8", num(s.lossDeltaInt8)},
                            {"accuracy_delta_int8", num(s.accuracyDeltaInt8)},
                            {"loss_delta_int4", num(s.lossDeltaInt4)},
                            {"accuracy_delta_int4", num(s.accuracyDeltaInt4)}});
        }
    }
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace tpq
