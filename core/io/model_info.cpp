#include "io/model_info.h"

#include <filesystem>

#include "util/error.h"
#include "util/file_io.h"
#include "util/json_support.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

using Json = nlohmann::ordered_json;
constexpr const char* kFormat = "tpq-model-folder";

}  // namespace

std::string ModelInfo::toJson() const {
    Json j;
    j["format"] = kFormat;
    j["version"] = version;
    j["label_names"] = labelNames;
    if (maxLength > 0) j["max_length"] = maxLength;
    if (!trainingConfig.empty()) j["training_config"] = trainingConfig;
    if (!pruning.is_null()) j["pruning"] = pruning;
    if (!quantization.is_null()) j["quantization"] = quantization;
    if (!metrics.is_null()) j["metrics"] = metrics;
    if (!weightsStorage.is_null()) j["weights_storage"] = weightsStorage;
    for (const auto& [key, value] : other.items()) j[key] = value;
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

ModelInfo ModelInfo::fromJson(const std::string& text, const std::string& where) {
    Json j;
    try {
        j = Json::parse(text);
    } catch (const Json::exception& e) {
        throw Error(where + ": not valid JSON (" + jsonErrorText(e) + "); the model folder is damaged: save it again");
    }
    if (!j.is_object()) throw Error(where + ": not a tpq.json (expected a JSON object)");
    // The typed readers take nlohmann::json: each key they read, converted alone.
    auto field = [&](const char* key) {
        nlohmann::json one = nlohmann::json::object();
        if (j.contains(key)) one[key] = nlohmann::json(j[key]);
        return one;
    };
    ModelInfo info;
    info.present = true;
    info.version = int(jsonInteger(field("version"), "version", where, 1));
    if (info.version > 1)
        throw Error(where + ": tpq.json format " + std::to_string(info.version) +
                    " was written by a newer TPQ Studio (this one reads 1): update TPQ Studio");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        const Json& v = it.value();
        if (key == "format" || key == "version") continue;
        if (key == "label_names") {
            info.labelNames = jsonStringList(field("label_names"), "label_names", where);
        } else if (key == "max_length") {
            const int64_t n = jsonInteger(field("max_length"), "max_length", where);
            if (n < 1 || n > 1 << 20) throw Error(where + ": \"max_length\" must be > 0, got " + std::to_string(n));
            info.maxLength = int(n);
        } else if (key == "training_config") {
            info.trainingConfig = jsonString(field("training_config"), "training_config", where);
        } else if (key == "pruning") {
            info.pruning = v;
        } else if (key == "quantization") {
            info.quantization = v;
        } else if (key == "metrics") {
            info.metrics = v;
        } else if (key == "weights_storage") {
            info.weightsStorage = v;
        } else {
            info.other[key] = v;
        }
    }
    return info;
}

ModelInfo ModelInfo::read(const std::string& dir) {
    const fs::path file = fs::path(dir) / "tpq.json";
    std::error_code ec;
    if (!fs::exists(file, ec)) return {};
    return fromJson(readFile(file.string(), "model info"), file.string());
}

}  // namespace tpq
