#include "data/jsonl_loader.h"

#include <nlohmann/json.hpp>

#include "data/label_mapping.h"
#include "data/loader_common.h"
#include "util/error.h"
#include "util/json_support.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace tpq {

TextClassificationDataset loadJsonl(const std::string& path, const JsonlOptions& options, const LoadContext& context) {
    const std::string data = readTextFile(path, "JSONL file");
    LoadReport report;
    report.source = path;
    std::vector<std::string> texts, rawLabels;
    std::vector<size_t> lines;
    size_t lineNo = 0;
    size_t pos = 0;
    while (pos < data.size()) {
        size_t end = data.find('\n', pos);
        if (end == std::string::npos) end = data.size();
        std::string_view raw(data.data() + pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (context.cancel && lineNo % 1000 == 0) context.cancel->throwIfCancelled();
        if (lineNo == 1 && startsWith(raw, "\xEF\xBB\xBF")) raw.remove_prefix(3);
        if (trim(raw).empty()) continue;
        const std::string where = path + ":" + std::to_string(lineNo);
        // Repair invalid UTF-8 first: the JSON parser would reject the whole line.
        const std::string line = sanitizeUtf8(raw, &report.invalidUtf8Replaced);
        nlohmann::json obj;
        try {
            obj = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) {
            throw Error(where + ": not valid JSON (" + jsonErrorText(e) +
                        "); each line must be one JSON object like {\"" + options.textKey + "\": \"...\", \"" +
                        options.labelKey + "\": \"...\"}");
        }
        if (!obj.is_object()) {
            throw Error(where + ": expected a JSON object, got " + std::string(obj.type_name()));
        }
        auto keysOf = [&]() {
            std::vector<std::string> keys;
            for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
            return keys;
        };
        auto missing = [&](const std::string& key, const std::string& option) {
            std::string msg =
                where + ": no key '" + key + "' (data." + option + "); the object has [" + join(keysOf(), ", ") + "]";
            const std::string near = nearestMatch(key, keysOf());
            if (!near.empty()) msg += "; did you mean '" + near + "'?";
            return Error(msg);
        };
        if (!obj.contains(options.textKey)) throw missing(options.textKey, "text_column");
        if (!obj.contains(options.labelKey) || obj[options.labelKey].is_null()) {
            throw missing(options.labelKey, "label_column");
        }
        const auto& t = obj[options.textKey];
        if (!t.is_string()) {
            throw Error(where + ": '" + options.textKey + "' must be a string, got " + std::string(t.type_name()));
        }
        const auto& l = obj[options.labelKey];
        std::string label;
        if (l.is_string()) {
            label = std::string(trim(l.get<std::string>()));
        } else if (l.is_number_integer()) {
            label = std::to_string(l.get<long long>());
        } else {
            throw Error(where + ": label '" + options.labelKey + "' must be a string or an integer, got " +
                        std::string(l.type_name()) + " " + l.dump());
        }
        if (label.empty()) throw Error(where + ": empty label in '" + options.labelKey + "'");
        std::string text = t.get<std::string>();
        if (trim(text).empty()) {
            ++report.skipped;
            continue;
        }
        texts.push_back(std::move(text));
        rawLabels.push_back(std::move(label));
        lines.push_back(lineNo);
    }
    if (report.skipped) {
        report.warnings.push_back(std::to_string(report.skipped) + " line(s) with an empty text were skipped");
    }
    if (report.invalidUtf8Replaced) {
        report.warnings.push_back(std::to_string(report.invalidUtf8Replaced) +
                                  " invalid UTF-8 sequence(s) replaced by U+FFFD in " + path);
    }
    if (texts.empty()) throw Error("JSONL file " + path + " has no examples with a non-empty text");
    report.recordsRead = texts.size() + report.skipped;
    LabelMapping mapping =
        mapLabels(rawLabels, options.labelNames, [&](size_t i) { return path + ":" + std::to_string(lines[i]); });
    for (const auto& w : mapping.warnings) report.warnings.push_back(path + ": " + w);
    TextClassificationDataset dataset(mapping.names);
    for (size_t i = 0; i < texts.size(); ++i) dataset.add(std::move(texts[i]), mapping.ids[i]);
    dataset.report() = std::move(report);
    return dataset;
}

}  // namespace tpq
