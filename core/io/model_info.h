#pragma once
/// \file model_info.h
/// tpq.json, what tpq writes beside a model's weights: its label names, the max length and
/// config it was trained with, and where it came from (the pruning and quantization steps
/// that made it, the metrics of the run, how its weights are stored). One type, one writer
/// (toJson), one reader (fromJson); keys it does not know are kept as they were.
///
///     ModelInfo info = ModelInfo::read("checkpoints/baseline");   // info.present: the file exists
///     info.labelNames   // {"ham", "spam"}

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq {

struct ModelInfo {
    bool present = false;  // read from a tpq.json (a plain Hugging Face folder has none)
    int version = 1;       // of the tpq.json format
    std::vector<std::string> labelNames;
    int maxLength = 0;           // tokens per text it was trained with; 0 = unknown
    std::string trainingConfig;  // the ExperimentConfig it was trained with, as YAML; "" = none
    // Provenance, null when absent: the step that made it (pruning / quantization keys of
    // the run), the run's result.json, how the weights file stores tensors.
    nlohmann::ordered_json pruning, quantization, metrics, weightsStorage;
    using Step = nlohmann::ordered_json ModelInfo::*;                 // &ModelInfo::pruning or &ModelInfo::quantization
    nlohmann::ordered_json other = nlohmann::ordered_json::object();  // keys of a newer version, kept

    std::string toJson() const;
    /// Throws tpq::Error naming `where` and the key: not JSON, not an object, a newer
    /// format version, a value of the wrong type.
    static ModelInfo fromJson(const std::string& text, const std::string& where);
    /// `dir`/tpq.json, or a ModelInfo with present = false when the folder has none.
    static ModelInfo read(const std::string& dir);
};

}  // namespace tpq
