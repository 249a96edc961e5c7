#pragma once
/// \file dataset_stats.h
/// Counts per class and token-length percentiles. The tokenizer is passed as a function
/// so core/data stays below core/text.

#include <functional>
#include <string>
#include <vector>

#include "data/text_classification_dataset.h"

namespace tpq {

struct LengthStats {
    size_t count = 0;
    double mean = 0;
    size_t min = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0;
    size_t overLimit = 0;  // texts longer than the limit passed to computeStats (truncated)
};

struct DatasetStats {
    std::vector<std::string> labelNames;
    std::vector<size_t> counts;  // per class
    size_t total = 0;
    LengthStats tokens;      // token counts (with special tokens) per text
    LengthStats characters;  // UTF-8 bytes per text
    size_t textBytes = 0;    // total UTF-8 bytes of all texts
};

/// Nearest-rank percentile of sorted values, p in [0, 100].
size_t percentile(const std::vector<size_t>& sorted, double p);

/// `tokenCount` gives the number of tokens of one text (may be empty: then only characters
/// are measured). `limit` counts texts longer than it (0 = none).
DatasetStats computeStats(const TextClassificationDataset& dataset,
                          const std::function<size_t(const std::string&)>& tokenCount, size_t limit = 0);

}  // namespace tpq
