#pragma once
/// \file evaluator.h
/// Runs a Classifier over a DataLoader in eval mode without gradients and measures it:
/// metrics with the mean cross-entropy, per-example softmax probabilities, a per-class
/// report, and how two models compare on the same examples. Results are indexed by
/// example (the loader's sequence order), so a shuffled loader gives the same answers.
///
///     Evaluator evaluator(model);
///     const ClassificationMetrics m = evaluator.evaluate(testLoader, &token);

#include <cstdint>
#include <string>
#include <vector>

#include "train/metrics.h"
#include "util/progress.h"

namespace tpq {

class Classifier;
class DataLoader;

class Evaluator {
public:
    /// The model is borrowed; it must outlive the Evaluator.
    explicit Evaluator(Classifier& model) : m_model(model) {}

    /// Metrics over every example of `loader` with `loss` = mean cross-entropy per example.
    /// Calls loader.setEpoch(0); puts the model in eval mode and restores its previous
    /// train/eval mode afterwards (also on error). Checks `cancel` every batch (throws
    /// Cancelled). Throws tpq::Error when the loader is empty or a label is outside
    /// [0, numLabels()).
    ClassificationMetrics evaluate(DataLoader& loader, const CancellationToken* cancel = nullptr,
                                   const ProgressCallback& progress = {});

    struct Predictions {
        std::vector<int64_t> labels;                    // predicted class of example i (argmax)
        std::vector<std::vector<float>> probabilities;  // softmax of example i's logits, numLabels() each
    };
    /// Predicted classes and probabilities, indexed by example (loader order before shuffling).
    Predictions predict(DataLoader& loader, const CancellationToken* cancel = nullptr,
                        const ProgressCallback& progress = {});

    struct DetailedReport {
        ClassificationMetrics metrics;
        std::vector<ClassReport> perClass;  // one row per name in labelNames
    };
    /// evaluate() plus a per-class report; `labelNames` must have numLabels() names.
    DetailedReport evaluateDetailed(DataLoader& loader, const std::vector<std::string>& labelNames,
                                    const CancellationToken* cancel = nullptr, const ProgressCallback& progress = {});

    struct ModelComparison {
        double accuracyA = 0.0;      // accuracy of model a, in [0, 1]
        double accuracyB = 0.0;      // accuracy of model b, in [0, 1]
        double accuracyDelta = 0.0;  // accuracyB - accuracyA
        double agreement = 0.0;      // fraction of examples both models predict the same class for
    };
    /// Accuracy of two models on the same examples and how often they agree (e.g. a model
    /// and its pruned or quantized copy).
    static ModelComparison compareModels(Classifier& a, Classifier& b, DataLoader& loader,
                                         const CancellationToken* cancel = nullptr);

private:
    struct Pass;
    Pass run(DataLoader& loader, bool keepProbabilities, const CancellationToken* cancel,
             const ProgressCallback& progress);

    Classifier& m_model;
};

}  // namespace tpq
