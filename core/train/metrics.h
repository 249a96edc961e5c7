#pragma once
/// \file metrics.h
/// Classification metrics with the conventions of scikit-learn, which users of the Python
/// original compare against: two classes report precision/recall/F1 of the positive class
/// (label 1, `average="binary"`); more classes report the macro average over the classes
/// that occur in the labels or the predictions (`average="macro"`). A class nobody
/// predicted has precision 0 and a class with no true examples has recall 0
/// (`zero_division=0`).

#include <cstdint>
#include <string>
#include <vector>

namespace tpq {

struct ClassificationMetrics {
    double accuracy = 0.0;   // fraction of correct predictions, in [0, 1]
    double precision = 0.0;  // binary: of class 1; otherwise the macro average, in [0, 1]
    double recall = 0.0;     // binary: of class 1; otherwise the macro average, in [0, 1]
    double f1 = 0.0;         // binary: of class 1; otherwise the mean of per-class F1, in [0, 1]
    double loss = 0.0;       // mean cross-entropy per example in nats; 0 when not measured
    std::vector<std::vector<int64_t>> confusionMatrix;  // [true][predicted] counts, numClasses x numClasses
    int64_t count = 0;                                  // examples measured
    bool binary = false;                                // two classes: precision/recall/f1 are of label 1
};

/// Metrics of `predictions` against `labels` (same length, values in [0, numClasses),
/// numClasses >= 2); `loss` is copied into the result. Throws tpq::Error on a size mismatch
/// or a value out of range. Example: computeMetrics({1, 0}, {1, 1}, 2).recall == 0.5.
ClassificationMetrics computeMetrics(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels,
                                     int64_t numClasses, double loss = 0.0);

/// One row of a classification report (scikit-learn's classification_report).
struct ClassReport {
    std::string name;        // label name
    double precision = 0.0;  // 0 when the class was never predicted
    double recall = 0.0;     // 0 when the class has no true examples
    double f1 = 0.0;         // harmonic mean of precision and recall; 0 when both are 0
    int64_t support = 0;     // true examples of the class
};

/// Precision, recall, F1 and support of every class in `labelNames` order (class i is
/// labelNames[i]), including classes absent from both vectors. Throws tpq::Error like
/// computeMetrics, with numClasses = labelNames.size().
std::vector<ClassReport> perClassReport(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels,
                                        const std::vector<std::string>& labelNames);
/// The same report from a confusion matrix ([true][predicted], as result.json keeps it);
/// classes beyond `labelNames` are named by their index. Throws tpq::Error when the matrix
/// is not square.
std::vector<ClassReport> perClassReport(const std::vector<std::vector<int64_t>>& confusionMatrix,
                                        const std::vector<std::string>& labelNames);

}  // namespace tpq
