#pragma once
/// \file predict.h
/// Classifying texts with a model folder (fp32, pruned or quantized): `tpq predict` and the
/// GUI's Predict view.

#include <string>
#include <vector>

namespace tpq {

struct TextPrediction {
    std::string label;  // the predicted class's name (its index when unnamed)
    int64_t labelIndex = 0;
    std::vector<std::string> labelNames;
    std::vector<double> probabilities;  // one per class, summing to 1
};

struct PredictionBatch {
    std::vector<TextPrediction> texts;
    double loadMs = 0;     // loading the model folder
    double predictMs = 0;  // tokenizing and running every text
};

struct LoadedModel;

/// Classifies `texts` (invalid UTF-8 repaired first) with a loaded model folder.
/// `maxLength` <= 0 = the model's training max_length (else 128). loadMs stays 0.
PredictionBatch predictTexts(const LoadedModel& model, const std::vector<std::string>& texts, int maxLength = 0);
/// Loads `modelDir`, then as above. Throws tpq::Error naming the folder.
PredictionBatch predictTexts(const std::string& modelDir, const std::vector<std::string>& texts, int maxLength = 0);

}  // namespace tpq
