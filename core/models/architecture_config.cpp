#include "models/architecture_config.h"

#include "util/error.h"
#include "util/json_support.h"

namespace tpq {

ArchitectureConfig parseArchitectureConfig(const std::string& configJson, const std::string& source) {
    const nlohmann::json j = parseJsonObject(configJson, source);
    if (!j.contains("model_type")) throw Error(source + ": missing key \"model_type\" (bert or tpq-transformer)");
    const std::string type = jsonString(j, "model_type", source);
    if (type == "bert") return BertConfig::fromJson(configJson, source);
    if (type == "tpq-transformer") return TransformerConfig::fromJson(configJson, source);
    throw Error(source + ": model_type '" + type + "' is not supported (bert or tpq-transformer)");
}

ClassifierPtr buildModel(const ArchitectureConfig& config) {
    if (const auto* bert = std::get_if<BertConfig>(&config)) return std::make_shared<BertModel>(*bert);
    return std::make_shared<TransformerModel>(std::get<TransformerConfig>(config));
}

}  // namespace tpq
