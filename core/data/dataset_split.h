#pragma once
/// \file dataset_split.h
/// De-duplication and the stratified train/validation/test split.

#include <cstdint>

#include "data/text_classification_dataset.h"

namespace tpq {

struct DatasetSplits {
    TextClassificationDataset train;
    TextClassificationDataset validation;
    TextClassificationDataset test;
    std::vector<std::string> warnings;  // e.g. a split left empty by a tiny dataset
};

/// Removes exact duplicate texts, keeping the first occurrence; records the count (and
/// how many duplicates carried a different label) in the dataset's LoadReport.
void removeDuplicates(TextClassificationDataset& dataset);

/// Keeps exactly min(size, `maxSamples`) examples, each class in proportion (largest
/// remainder rounding), chosen at random with `seed`.
void limitSamples(TextClassificationDataset& dataset, size_t maxSamples, uint64_t seed);

/// Splits each class separately by the ratios (which must sum to 1), so every split keeps
/// the class proportions. Deterministic for a given seed. Within a class, the validation
/// and test counts are rounded and training gets the rest, but never less than one
/// example of a class that has any (test gives way first, then validation).
DatasetSplits stratifiedSplit(const TextClassificationDataset& dataset, double trainRatio, double validationRatio,
                              double testRatio, uint64_t seed);

}  // namespace tpq
