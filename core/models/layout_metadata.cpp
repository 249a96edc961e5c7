#include "models/layout_metadata.h"

#include "util/error.h"
#include "util/json_support.h"

namespace tpq {

nlohmann::json readLayoutMetadata(const std::map<std::string, std::string>& metadata, const std::string& formatKey,
                                  const std::string& format, const std::string& layoutKey, const std::string& source) {
    const auto found = metadata.find(formatKey);
    if (found == metadata.end()) return nullptr;
    if (found->second != format) {
        throw Error(source + ": " + formatKey + " '" + found->second + "' is not supported (this TPQ Studio reads " +
                    format + "); save the model again with this version");
    }
    const auto text = metadata.find(layoutKey);
    nlohmann::json layout;
    try {
        layout = nlohmann::json::parse(text == metadata.end() ? std::string("{}") : text->second);
    } catch (const nlohmann::json::exception& e) {
        throw Error(source + ": the " + layoutKey + " metadata is not valid JSON (" + jsonErrorText(e) + ")");
    }
    if (!layout.is_object()) throw Error(source + ": the " + layoutKey + " metadata is not a JSON object");
    return layout;
}

}  // namespace tpq
