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
    auto perClass = indicesPerClass(dataset);
    // Largest remainder: floor of each class's share, then one more for the classes with
    // the largest fractional parts until the total is exactly maxSamples.
    std::vector<size_t> quota(perClass.size());
    std::vector<std::pair<double, size_t>> remainders;
    size_t assigned = 0;
    for (size_t c = 0; c < perClass.size(); ++c) {
        const double share = double(maxSamples) * double(perClass[c].size()) / double(dataset.size());
        quota[c] = size_t(share);
        assigned += quota[c];
        remainders.emplace_back(share - double(quota[c]), c);
    }
    std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t k = 0; assigned < maxSamples && k < remainders.size(); ++k, ++assigned) ++quota[remainders[k].second];
    std::mt19937_64 rng(seed);
    std::vector<size_t> keep;
    for (size_t c = 0; c < perClass.size(); ++c) {
        auto& indices = perClass[c];
        std::shuffle(indices.begin(), indices.end(), rng);
        keep.insert(keep.end(), indices.begin(), indices.begin() + std::min(quota[c], indices.size()));
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
        // Training keeps at least one example of every class: test gives way first.
        const size_t room = n > 0 ? n - 1 : 0;
        if (nVal + nTest > room) {
            nTest = nVal >= room ? 0 : std::min(nTest, room - nVal);
            nVal = std::min(nVal, room);
        }
        validation.insert(validation.end(), indices.begin(), indices.begin() + nVal);
        test.insert(test.end(), indices.begin() + nVal, indices.begin() + nVal + nTest);
        train.insert(train.end(), indices.begin() + nVal + nTest, indices.end());
    }
    // Shuffle across classes so a split is not ordered by label.
    std::shuffle(train.begin(), train.end(), rng);
    std::shuffle(validation.begin(), validation.end(), rng);
    std::shuffle(test.begin(), test.end(), rng);
    DatasetSplits splits{dataset.subset(train), dataset.subset(validation), dataset.subset(test), {}};
    auto warnEmpty = [&](const TextClassificationDataset& part, double ratio, const char* name) {
        if (ratio > 0 && part.empty()) {
            splits.warnings.push_back(std::string("the ") + name +
                                      " split is empty: " + std::to_string(dataset.size()) +
                                      " examples are too few for the ratios; add data or change the ratios");
        }
    };
    warnEmpty(splits.validation, validationRatio, "validation");
    warnEmpty(splits.test, testRatio, "test");
    return splits;
}

}  // namespace tpq
