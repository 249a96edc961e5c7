#include "experiment/predict.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "data/data_loader.h"
#include "io/model_folder.h"
#include "text/encode_dataset.h"
#include "train/evaluator.h"
#include "util/utf8.h"

namespace tpq {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

PredictionBatch predictTexts(const std::string& modelDir, const std::vector<std::string>& texts, int maxLength) {
    const auto start = Clock::now();
    const LoadedModel loaded = loadModelFolder(modelDir);
    const double loadMs = msSince(start);
    PredictionBatch out = predictTexts(loaded, texts, maxLength);
    out.loadMs = loadMs;
    return out;
}

PredictionBatch predictTexts(const LoadedModel& loaded, const std::vector<std::string>& texts, int maxLength) {
    requireTrainedHead(loaded);
    PredictionBatch out;
    const auto start = Clock::now();
    std::vector<std::string> labels;
    labels = loaded.info.labelNames;
    if (maxLength <= 0) maxLength = loaded.info.maxLength;
    if (maxLength <= 0) maxLength = 128;
    std::vector<std::string> clean;
    for (const auto& t : texts) clean.push_back(sanitizeUtf8(t));
    DataLoader loader(encodeTexts(*loaded.tokenizer, clean, size_t(maxLength)), std::vector<int64_t>(clean.size(), 0),
                      loaded.tokenizer->padId(), 16, false, 0);
    Evaluator evaluator(*loaded.model);
    const Evaluator::Predictions p = evaluator.predict(loader);
    out.predictMs = msSince(start);
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
