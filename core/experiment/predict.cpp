#include "experiment/predict.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "data/data_loader.h"
#include "models/model_folder.h"
#include "text/encode_dataset.h"
#include "train/evaluator.h"
#include "util/utf8.h"

namespace tpq {

PredictionBatch predictTexts(const std::string& modelDir, const std::vector<std::string>& texts, int maxLength) {
    using Clock = std::chrono::steady_clock;
    const auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    PredictionBatch out;
    const auto start = Clock::now();
    LoadedModel loaded = loadModelFolder(modelDir);
    std::vector<std::string> labels;
    if (!loaded.tpqJson.empty()) {
        const auto j = nlohmann::json::parse(loaded.tpqJson, nullptr, false);
        if (!j.is_discarded() && j.contains("label_names")) labels = j["label_names"].get<std::vector<std::string>>();
        if (maxLength <= 0 && !j.is_discarded() && j.contains("max_length")) maxLength = j["max_length"].get<int>();
    }
    if (maxLength <= 0) maxLength = 128;
    const auto loadedAt = Clock::now();
    out.loadMs = ms(start, loadedAt);
    std::vector<std::string> clean;
    for (const auto& t : texts) clean.push_back(sanitizeUtf8(t));
    DataLoader loader(encodeTexts(*loaded.tokenizer, clean, size_t(maxLength)), std::vector<int64_t>(clean.size(), 0),
                      loaded.tokenizer->padId(), 16, false, 0);
    Evaluator evaluator(*loaded.model);
    const Evaluator::Predictions p = evaluator.predict(loader);
    out.predictMs = ms(loadedAt, Clock::now());
    for (size_t i = 0; i < clean.size(); ++i) {
        TextPrediction t;
        t.labelIndex = p.labels[i];
        t.labelNames = labels;
        t.label = size_t(t.labelIndex) < labels.size() ? labels[size_t(t.labelIndex)] : std::to_string(t.labelIndex);
        t.probabilities.assign(p.probabilities[i].begin(), p.probabilities[i].end());
        out.texts.push_back(std::move(t));
    }
    return out;
}

}  // namespace tpq
