#include "train/metrics.h"

#include "util/error.h"

namespace tpq {
namespace {

std::vector<std::vector<int64_t>> confusion(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels,
                                            int64_t numClasses, const char* caller) {
    if (predictions.size() != labels.size()) {
        throw Error(std::string(caller) + ": " + std::to_string(predictions.size()) + " predictions but " +
                    std::to_string(labels.size()) + " labels; pass one prediction per label");
    }
    if (numClasses < 2) {
        throw Error(std::string(caller) + ": number of classes must be >= 2, got " + std::to_string(numClasses));
    }
    auto check = [&](int64_t value, size_t i, const char* what) {
        if (value < 0 || value >= numClasses) {
            throw Error(std::string(caller) + ": " + what + " " + std::to_string(value) + " at position " +
                        std::to_string(i) + " is outside [0, " + std::to_string(numClasses) +
                        "); the model and the dataset must have the same classes");
        }
    };
    std::vector<std::vector<int64_t>> matrix(size_t(numClasses), std::vector<int64_t>(size_t(numClasses), 0));
    for (size_t i = 0; i < labels.size(); ++i) {
        check(labels[i], i, "label");
        check(predictions[i], i, "prediction");
        ++matrix[size_t(labels[i])][size_t(predictions[i])];
    }
    return matrix;
}

double ratio(int64_t num, int64_t den) {
    return den > 0 ? double(num) / double(den) : 0.0;
}

double harmonic(double p, double r) {
    return p + r > 0 ? 2.0 * p * r / (p + r) : 0.0;
}

struct ClassCounts {
    int64_t truePositives = 0;
    int64_t predicted = 0;  // column sum
    int64_t actual = 0;     // row sum (support)
};

ClassCounts countsOf(const std::vector<std::vector<int64_t>>& matrix, size_t c) {
    ClassCounts out;
    out.truePositives = matrix[c][c];
    for (size_t k = 0; k < matrix.size(); ++k) {
        out.predicted += matrix[k][c];
        out.actual += matrix[c][k];
    }
    return out;
}

}  // namespace

ClassificationMetrics computeMetrics(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels,
                                     int64_t numClasses, double loss) {
    ClassificationMetrics m;
    m.confusionMatrix = confusion(predictions, labels, numClasses, "computeMetrics");
    m.count = int64_t(labels.size());
    m.loss = loss;
    m.binary = numClasses == 2;
    int64_t correct = 0;
    for (size_t c = 0; c < size_t(numClasses); ++c) correct += m.confusionMatrix[c][c];
    m.accuracy = ratio(correct, m.count);

    if (m.binary) {
        const ClassCounts pos = countsOf(m.confusionMatrix, 1);
        m.precision = ratio(pos.truePositives, pos.predicted);
        m.recall = ratio(pos.truePositives, pos.actual);
        m.f1 = harmonic(m.precision, m.recall);
        return m;
    }
    // Macro F1 is the mean of per-class F1 (as scikit-learn), not F1 of the mean P and R.
    int64_t present = 0;
    for (size_t c = 0; c < size_t(numClasses); ++c) {
        const ClassCounts k = countsOf(m.confusionMatrix, c);
        if (k.predicted == 0 && k.actual == 0) continue;  // scikit-learn averages over labels that occur
        const double p = ratio(k.truePositives, k.predicted);
        const double r = ratio(k.truePositives, k.actual);
        m.precision += p;
        m.recall += r;
        m.f1 += harmonic(p, r);
        ++present;
    }
    if (present > 0) {
        m.precision /= double(present);
        m.recall /= double(present);
        m.f1 /= double(present);
    }
    return m;
}

std::vector<ClassReport> perClassReport(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels,
                                        const std::vector<std::string>& labelNames) {
    return perClassReport(confusion(predictions, labels, int64_t(labelNames.size()), "perClassReport"), labelNames);
}

std::vector<ClassReport> perClassReport(const std::vector<std::vector<int64_t>>& matrix,
                                        const std::vector<std::string>& labelNames) {
    for (const auto& row : matrix)
        if (row.size() != matrix.size())
            throw Error("perClassReport: the confusion matrix is not square (" + std::to_string(matrix.size()) +
                        " rows, a row of " + std::to_string(row.size()) + ")");
    std::vector<ClassReport> out;
    for (size_t c = 0; c < matrix.size(); ++c) {
        const ClassCounts k = countsOf(matrix, c);
        ClassReport r;
        r.name = c < labelNames.size() ? labelNames[c] : std::to_string(c);
        r.precision = ratio(k.truePositives, k.predicted);
        r.recall = ratio(k.truePositives, k.actual);
        r.f1 = harmonic(r.precision, r.recall);
        r.support = k.actual;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace tpq
