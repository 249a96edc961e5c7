#include "data/dataset_split.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_map>

#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

std::vector<std::vector<size_t>> indicesPerClass(const TextClassificationDataset& dataset) {
    std::vector<std::vector<size_t>> perClass(dataset.numClasses());
    for (size_t i = 0; i < dataset.size(); ++i) perClass[size_t(dataset.label(i))].push_back(i);
    return perClass;
}

}  // namespace

void removeDuplicates(TextClassificationDataset& dataset) {
    std::unordered_map<std::string_view, int64_t> seen;
    seen.reserve(dataset.size() * 2);
    std::vector<size_t> keep;
    keep.reserve(dataset.size());
    size_t conflicts = 0;
    for (size_t i = 0; i < dataset.size(); ++i) {
        auto [it, inserted] = seen.emplace(dataset.text(i), dataset.label(i));
        if (inserted) {
            keep.push_back(i);
        } else if (it->second != dataset.label(i)) {
            ++conflicts;
        }
    }
    const size_t removed = dataset.size() - keep.size();
    if (removed == 0) return;
    LoadReport report = dataset.report();
    report.duplicatesRemoved += removed;
    report.conflictingDuplicates += conflicts;
    TextClassificationDataset unique = dataset.subset(keep);
    unique.report() = std::move(report);
    dataset = std::move(unique);
}

void limitSamples(TextClassificationDataset& dataset, size_t maxSamples, uint64_t seed) {
    if (maxSamples == 0 || dataset.size() <= maxSamples) return;
    const double fraction = double(maxSamples) / double(dataset.size());
    std::mt19937_64 rng(seed);
    std::vector<size_t> keep;
    for (auto& indices : indicesPerClass(dataset)) {
        std::shuffle(indices.begin(), indices.end(), rng);
        const size_t n = std::max<size_t>(indices.empty() ? 0 : 1, size_t(std::llround(fraction * indices.size())));
        keep.insert(keep.end(), indices.begin(), indices.begin() + std::min(n, indices.size()));
    }
    std::sort(keep.begin(), keep.end());
    LoadReport report = dataset.report();
    TextClassificationDataset limited = dataset.subset(keep);
    limited.report() = std::move(report);
    dataset = std::move(limited);
}

DatasetSplits stratifiedSplit(const TextClassificationDataset& dataset, double trainRatio, double validationRatio,
                              double testRatio, uint64_t seed) {
    const double sum = trainRatio + validationRatio + testRatio;
    if (trainRatio <= 0 || validationRatio < 0 || testRatio < 0 || std::abs(sum - 1.0) > 1e-6) {
        throw Error("split ratios must be train > 0, validation >= 0, test >= 0 and sum to 1; got " +
                    formatFixed(trainRatio, 3) + " + " + formatFixed(validationRatio, 3) + " + " +
                    formatFixed(testRatio, 3) + " = " + formatFixed(sum, 3));
    }
    std::mt19937_64 rng(seed);
    std::vector<size_t> train, validation, test;
    for (auto& indices : indicesPerClass(dataset)) {
        std::shuffle(indices.begin(), indices.end(), rng);
        const size_t n = indices.size();
        size_t nVal = size_t(std::llround(validationRatio * double(n)));
        size_t nTest = size_t(std::llround(testRatio * double(n)));
        if (nVal + nTest > n) nTest = n - std::min(nVal, n), nVal = std::min(nVal, n);
        validation.insert(validation.end(), indices.begin(), indices.begin() + nVal);
        test.insert(test.end(), indices.begin() + nVal, indices.begin() + nVal + nTest);
        train.insert(train.end(), indices.begin() + nVal + nTest, indices.end());
    }
    // Shuffle across classes so a split is not ordered by label.
    std::shuffle(train.begin(), train.end(), rng);
    std::shuffle(validation.begin(), validation.end(), rng);
    std::shuffle(test.begin(), test.end(), rng);
    return {dataset.subset(train), dataset.subset(validation), dataset.subset(test)};
}

}  // namespace tpq
