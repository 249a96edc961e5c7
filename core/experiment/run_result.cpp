#include "experiment/run_result.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "models/precision.h"
#include "util/error.h"
#include "util/json_support.h"

namespace tpq {
namespace {

using Json = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The run's metrics, model and measurement: the keys every result.json has.
void writeCommon(const RunResult& r, Json& j) {
    j["run_id"] = r.runId;
    j["method"] = resultMethodName(r.method);
    j["accuracy"] = r.test.accuracy;
    j["precision"] = r.test.precision;
    j["recall"] = r.test.recall;
    j["f1"] = r.test.f1;
    j["loss"] = r.test.loss;
    j["confusion_matrix"] = r.test.confusionMatrix;
    j["label_names"] = r.labelNames;
    j["test_examples"] = r.test.count;
    j["num_parameters"] = r.numParameters;
    j["nonzero_parameters"] = r.nonzeroParameters;
    j["sparsity"] = r.sparsity;
    j["size_bytes"] = r.sizeBytes;
    j["latency_ms_p50"] = r.latency.p50Ms;
    j["latency_ms_p95"] = r.latency.p95Ms;
    j["throughput"] = r.latency.samplesPerSecond;
    j["latency_batch_size"] = r.latency.batchSize;
    j["latency_seq_len"] = r.latency.seqLen;
    j["threads"] = r.latency.threads;
    if (!r.kernelPath.empty()) j["kernel_path"] = r.kernelPath;
    if (!r.layerKernels.empty()) {
        Json layers = Json::object();
        for (const auto& [name, k] : r.layerKernels) {
            Json e = {{"precision", k.precision}, {"path", k.path}, {"sparse", k.sparse}};
            if (k.sparse) {
                e["format"] = k.format;
                e["density"] = k.density;
            }
            layers[name] = e;
        }
        j["layer_kernels"] = layers;
    }
    if (!r.notes.empty()) j["notes"] = r.notes;
    if (r.latencyBatch1.p50Ms > 0) {
        j["latency_batch1_ms_p50"] = r.latencyBatch1.p50Ms;
        j["latency_batch1_ms_p95"] = r.latencyBatch1.p95Ms;
    }
    j["train_seconds"] = r.trainSeconds;
    j["model_dir"] = r.modelDir;
}

// Pruning: what was asked for, per-layer sparsity, progressive steps, structured heads.
void writePruning(const RunResult& r, Json& j) {
    if (!r.baseModelDir.empty()) j["base_model_dir"] = r.baseModelDir;
    if (r.targetSparsity >= 0) {
        j["target_sparsity"] = r.targetSparsity;
        j["fine_tune_epochs"] = r.fineTuneEpochs;
    }
    if (r.baselineAccuracy >= 0) {
        j["baseline_accuracy"] = r.baselineAccuracy;
        j["accuracy_drop"] = r.baselineAccuracy - r.test.accuracy;
    }
    if (!r.pruningHistory.empty()) {
        j["pruning_history"] = Json::array();
        for (const auto& s : r.pruningHistory) {
            j["pruning_history"].push_back({{"iteration", s.iteration},
                                            {"target_sparsity", s.targetSparsity},
                                            {"sparsity", s.sparsity},
                                            {"val_accuracy", s.valAccuracy},
                                            {"within_budget", s.withinBudget}});
        }
    }
}

// Structured and unstructured pruning's per-layer results (the heatmaps).
void writeLayers(const RunResult& r, Json& j) {
    if (!r.headImportance.empty()) j["head_importance"] = r.headImportance;
    if (!r.headsKept.empty()) j["heads_kept"] = r.headsKept;
    if (!r.ffnKept.empty()) {
        j["ffn_kept"] = r.ffnKept;
        j["ffn_original"] = r.ffnOriginal;
    }
    if (!r.layerSparsity.empty()) {
        Json layers = Json::object();
        for (const auto& [name, s] : r.layerSparsity) layers[name] = s;
        j["layer_sparsity"] = layers;
    }
}

// The model it was made from, measured side by side.
void writeComparison(const RunResult& r, Json& j) {
    if (r.baselineSizeBytes > 0 && r.sizeBytes > 0) {
        j["baseline_size_bytes"] = r.baselineSizeBytes;
        j["size_ratio"] = double(r.sizeBytes) / double(r.baselineSizeBytes);
        j["compression_ratio"] = double(r.baselineSizeBytes) / double(r.sizeBytes);
    }
    if (r.baselineParameters > 0) j["baseline_parameters"] = r.baselineParameters;
    if (r.baselineLatency.p50Ms > 0 && r.latency.p50Ms > 0) {
        j["baseline_latency_ms_p50"] = r.baselineLatency.p50Ms;
        j["baseline_latency_ms_p95"] = r.baselineLatency.p95Ms;
        j["speedup"] = r.baselineLatency.p50Ms / r.latency.p50Ms;
    }
    if (r.baselineLatencyBatch1.p50Ms > 0 && r.latencyBatch1.p50Ms > 0) {
        j["baseline_latency_batch1_ms_p50"] = r.baselineLatencyBatch1.p50Ms;
        j["speedup_batch1"] = r.baselineLatencyBatch1.p50Ms / r.latencyBatch1.p50Ms;
    }
}

// Quantization: precisions, memory, the weights file, mixed-precision sensitivity.
void writeQuantization(const RunResult& r, Json& j) {
    if (!r.precisionMap.empty()) {
        Json map = Json::object();
        for (const auto& [name, precision] : r.precisionMap) map[name] = precision;
        j["precision_map"] = map;
    }
    if (r.fakeQuantAccuracy >= 0) j["fake_quant_accuracy"] = r.fakeQuantAccuracy;
    if (r.memoryBytes > 0 && r.baselineMemoryBytes > 0) {
        j["memory_bytes"] = r.memoryBytes;
        j["baseline_memory_bytes"] = r.baselineMemoryBytes;
        j["memory_ratio"] = double(r.memoryBytes) / double(r.baselineMemoryBytes);
    }
    if (r.weightsBytes > 0 && r.baselineWeightsBytes > 0) {
        j["weights_bytes"] = r.weightsBytes;
        j["baseline_weights_bytes"] = r.baselineWeightsBytes;
        j["weights_compression_ratio"] = double(r.baselineWeightsBytes) / double(r.weightsBytes);
    }
    if (!r.prunedModelDir.empty()) {
        j["pruned_model_dir"] = r.prunedModelDir;
        j["pruned_nonzero_parameters"] = r.prunedNonzeroParameters;
    }
    if (r.estimatedSizeBytes > 0) j["estimated_size_bytes"] = r.estimatedSizeBytes;
    if (!r.setting.empty()) j["mixed_precision_setting"] = r.setting;
    if (!r.layerSensitivity.empty()) {
        auto& rows = j["layer_sensitivity"] = Json::array();
        // NaN (int4 not possible for the layer) is written as null.
        auto num = [](double v) { return std::isnan(v) ? Json() : Json(v); };
        for (const auto& s : r.layerSensitivity) {
            rows.push_back({{"layer", s.layer},
                            {"loss_delta_int8", num(s.lossDeltaInt8)},
                            {"accuracy_delta_int8", num(s.accuracyDeltaInt8)},
                            {"loss_delta_int4", num(s.lossDeltaInt4)},
                            {"accuracy_delta_int4", num(s.accuracyDeltaInt4)}});
        }
    }
}

// Readers of one key: a missing or null key keeps `fallback`; a value of another type is
// an error naming the key.
const Json* find(const Json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}
double number(const Json& j, const char* key, double fallback) {
    const auto* v = find(j, key);
    if (!v) return fallback;
    if (!v->is_number()) throw Error(std::string("key \"") + key + "\" is not a number");
    return v->get<double>();
}
int64_t integer(const Json& j, const char* key, int64_t fallback = 0) {
    const auto* v = find(j, key);
    if (!v) return fallback;
    if (!v->is_number()) throw Error(std::string("key \"") + key + "\" is not a number");
    return v->get<int64_t>();
}
std::string text(const Json& j, const char* key) {
    const auto* v = find(j, key);
    if (!v) return "";
    if (!v->is_string()) throw Error(std::string("key \"") + key + "\" is not a string");
    return v->get<std::string>();
}
template <class T>
void read(const Json& j, const char* key, T& out) {
    if (const auto* v = find(j, key)) out = v->get<T>();
}

void readCommon(const Json& j, RunResult& r) {
    r.runId = text(j, "run_id");
    if (r.runId.empty()) throw Error("key \"run_id\" is missing");
    if (!j.contains("accuracy")) throw Error("key \"accuracy\" is missing");
    const std::string method = text(j, "method");
    const auto parsed = parseMethod(method.empty() ? "baseline" : method);
    if (!parsed) throw Error("key \"method\": unknown method '" + method + "' (" + methodList() + ")");
    r.method = *parsed;
    r.modelDir = text(j, "model_dir");
    r.baseModelDir = text(j, "base_model_dir");
    r.test.accuracy = number(j, "accuracy", kNaN);
    r.test.precision = number(j, "precision", kNaN);
    r.test.recall = number(j, "recall", kNaN);
    r.test.f1 = number(j, "f1", kNaN);
    r.test.loss = number(j, "loss", kNaN);
    read(j, "confusion_matrix", r.test.confusionMatrix);
    r.test.count = integer(j, "test_examples");
    read(j, "label_names", r.labelNames);
    r.numParameters = integer(j, "num_parameters");
    r.nonzeroParameters = integer(j, "nonzero_parameters");
    r.sparsity = number(j, "sparsity", 0);
    r.sizeBytes = integer(j, "size_bytes");
    r.latency.p50Ms = number(j, "latency_ms_p50", kNaN);
    r.latency.p95Ms = number(j, "latency_ms_p95", kNaN);
    r.latency.samplesPerSecond = number(j, "throughput", kNaN);
    r.latency.batchSize = integer(j, "latency_batch_size");
    r.latency.seqLen = integer(j, "latency_seq_len");
    r.latency.threads = integer(j, "threads");
    r.latencyBatch1.p50Ms = number(j, "latency_batch1_ms_p50", kNaN);  // NaN: not measured
    r.latencyBatch1.p95Ms = number(j, "latency_batch1_ms_p95", kNaN);
    r.kernelPath = text(j, "kernel_path");
    if (const auto* layers = find(j, "layer_kernels"); layers && layers->is_object()) {
        for (const auto& [layer, e] : layers->items()) {
            LayerKernel k;
            k.precision = text(e, "precision");
            k.path = text(e, "path");
            read(e, "sparse", k.sparse);
            k.format = text(e, "format");
            k.density = number(e, "density", 1.0);
            r.layerKernels.emplace_back(layer, k);
        }
    }
    read(j, "notes", r.notes);
    r.trainSeconds = number(j, "train_seconds", 0);
}

void readPruning(const Json& j, RunResult& r) {
    r.targetSparsity = number(j, "target_sparsity", -1);
    r.fineTuneEpochs = int(integer(j, "fine_tune_epochs"));
    r.baselineAccuracy = number(j, "baseline_accuracy", -1);
    if (const auto* h = find(j, "pruning_history")) {
        for (const auto& s : *h)
            r.pruningHistory.push_back({s.at("iteration").get<int>(), s.at("target_sparsity").get<double>(),
                                        s.at("sparsity").get<double>(), s.at("val_accuracy").get<double>(),
                                        s.at("within_budget").get<bool>()});
    }
    read(j, "head_importance", r.headImportance);
    read(j, "heads_kept", r.headsKept);
    read(j, "ffn_kept", r.ffnKept);
    read(j, "ffn_original", r.ffnOriginal);
    if (const auto* layers = find(j, "layer_sparsity"); layers && layers->is_object())
        for (const auto& [layer, s] : layers->items()) r.layerSparsity.emplace_back(layer, s.get<double>());
}

void readComparison(const Json& j, RunResult& r) {
    r.baselineSizeBytes = integer(j, "baseline_size_bytes");
    r.baselineParameters = integer(j, "baseline_parameters");
    r.baselineLatency.p50Ms = number(j, "baseline_latency_ms_p50", 0);
    r.baselineLatency.p95Ms = number(j, "baseline_latency_ms_p95", 0);
    r.baselineLatencyBatch1.p50Ms = number(j, "baseline_latency_batch1_ms_p50", 0);
    // Files written before the sizes were kept: the ratio alone.
    if (r.baselineSizeBytes == 0 && r.sizeBytes > 0) {
        const double ratio = number(j, "compression_ratio", kNaN);
        if (ratio > 0) r.baselineSizeBytes = int64_t(std::llround(ratio * double(r.sizeBytes)));
    }
}

void readQuantization(const Json& j, RunResult& r) {
    if (const auto* map = find(j, "precision_map"); map && map->is_object())
        for (const auto& [layer, p] : map->items()) r.precisionMap.emplace_back(layer, p.get<std::string>());
    r.fakeQuantAccuracy = number(j, "fake_quant_accuracy", -1);
    r.memoryBytes = integer(j, "memory_bytes");
    r.baselineMemoryBytes = integer(j, "baseline_memory_bytes");
    r.weightsBytes = integer(j, "weights_bytes");
    r.baselineWeightsBytes = integer(j, "baseline_weights_bytes");
    r.prunedModelDir = text(j, "pruned_model_dir");
    r.prunedNonzeroParameters = integer(j, "pruned_nonzero_parameters");
    r.estimatedSizeBytes = integer(j, "estimated_size_bytes");
    r.setting = text(j, "mixed_precision_setting");
    if (const auto* rows = find(j, "layer_sensitivity"); rows && rows->is_array()) {
        for (const auto& row : *rows) {
            LayerSensitivity s;
            s.layer = row.at("layer").get<std::string>();
            // null: not possible for the layer (int4 with a group size it cannot take), NaN.
            s.lossDeltaInt8 = number(row, "loss_delta_int8", kNaN);
            s.accuracyDeltaInt8 = number(row, "accuracy_delta_int8", kNaN);
            s.lossDeltaInt4 = number(row, "loss_delta_int4", kNaN);
            s.accuracyDeltaInt4 = number(row, "accuracy_delta_int4", kNaN);
            r.layerSensitivity.push_back(s);
        }
    }
}

}  // namespace

const char* resultMethodName(Method m) {
    switch (m) {
        case Method::Dynamic:
            return "dynamic_quantization";
        case Method::Static:
            return "static_quantization";
        case Method::Mixed:
            return "mixed_precision";
        default:
            return methodName(m);
    }
}

std::string RunResult::toJson() const {
    Json j;
    writeCommon(*this, j);
    writePruning(*this, j);
    writeComparison(*this, j);
    writeLayers(*this, j);
    writeQuantization(*this, j);
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

RunResult RunResult::fromJson(const std::string& body) {
    Json j;
    try {
        j = Json::parse(body);
    } catch (const Json::exception& e) {
        throw Error(std::string("not valid JSON (") + jsonErrorText(e) + ")");
    }
    if (!j.is_object()) throw Error("not a result.json (expected a JSON object)");
    RunResult r;
    try {
        readCommon(j, r);
        readPruning(j, r);
        readComparison(j, r);
        readQuantization(j, r);
    } catch (const Json::exception& e) {
        throw Error(std::string("unexpected value (") + jsonErrorText(e) + ")");
    }
    return r;
}

double RunResult::compressionRatio() const {
    if (baselineSizeBytes > 0 && sizeBytes > 0) return double(baselineSizeBytes) / double(sizeBytes);
    return method == Method::Baseline ? 1.0 : kNaN;
}

double RunResult::speedup() const {
    if (baselineLatency.p50Ms > 0 && latency.p50Ms > 0) return baselineLatency.p50Ms / latency.p50Ms;
    return method == Method::Baseline ? 1.0 : kNaN;
}

double RunResult::accuracyDrop() const {
    if (baselineAccuracy >= 0) return baselineAccuracy - test.accuracy;
    return method == Method::Baseline ? 0.0 : kNaN;
}

std::string RunResult::weightPrecision() const {
    std::map<std::string, int> counts;
    // Layers kept in fp32 (the classifier, a skip list) do not make a model mixed precision.
    for (const auto& [layer, p] : precisionMap)
        if (parsePrecision(p) != Precision::Fp32 && layer.find("embeddings") == std::string::npos) ++counts[p];
    if (counts.empty()) return "fp32";
    // Every precision the linear layers use, the most used first: "int8+int4".
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [p, n] : counts) order.emplace_back(-n, p);
    std::sort(order.begin(), order.end());
    std::string out;
    for (const auto& [n, p] : order) out += (out.empty() ? "" : "+") + p;
    return out;
}

}  // namespace tpq
