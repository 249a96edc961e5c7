#include "data/dataset_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tpq {

size_t percentile(const std::vector<size_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    const double rank = std::ceil(p / 100.0 * double(sorted.size()));
    const size_t index = rank < 1 ? 0 : size_t(rank) - 1;
    return sorted[std::min(index, sorted.size() - 1)];
}

namespace {
LengthStats summarize(std::vector<size_t> values, size_t limit) {
    LengthStats s;
    s.count = values.size();
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    s.mean = double(std::accumulate(values.begin(), values.end(), size_t(0))) / double(values.size());
    s.min = values.front();
    s.max = values.back();
    s.p50 = percentile(values, 50);
    s.p90 = percentile(values, 90);
    s.p95 = percentile(values, 95);
    s.p99 = percentile(values, 99);
    if (limit) s.overLimit = size_t(values.end() - std::upper_bound(values.begin(), values.end(), limit));
    return s;
}
}  // namespace

DatasetStats computeStats(const TextClassificationDataset& dataset,
                          const std::function<size_t(const std::string&)>& tokenCount, size_t limit) {
    DatasetStats stats;
    stats.labelNames = dataset.labelNames();
    stats.counts = dataset.countsPerClass();
    stats.total = dataset.size();
    std::vector<size_t> chars, tokens;
    chars.reserve(dataset.size());
    for (const auto& t : dataset.texts()) {
        chars.push_back(t.size());
        stats.textBytes += t.size();
        if (tokenCount) tokens.push_back(tokenCount(t));
    }
    stats.characters = summarize(std::move(chars), 0);
    stats.tokens = summarize(std::move(tokens), limit);
    return stats;
}

}  // namespace tpq
