#pragma once
/// \file dataset_loader.h
/// One entry point from DatasetOptions to a de-duplicated dataset and its splits.

#include "data/dataset_options.h"
#include "data/dataset_split.h"
#include "data/text_classification_dataset.h"

namespace tpq {

/// Loads the dataset named by `options.dataset` from `options.path` (or the packaged corpus).
/// Does not de-duplicate or split.
TextClassificationDataset loadDataset(const DatasetOptions& options, const LoadContext& context = {});

/// loadDataset, then removeDuplicates (when enabled), limitSamples and stratifiedSplit.
/// `full` receives the de-duplicated dataset before the split when given.
DatasetSplits loadAndSplit(const DatasetOptions& options, uint64_t seed, const LoadContext& context = {},
                           TextClassificationDataset* full = nullptr);

/// Names accepted in `data.dataset`.
const std::vector<std::string>& knownDatasetKinds();

}  // namespace tpq
