#include "data/data_loader.h"

#include <numeric>
#include <random>

#include <torch/torch.h>

#include "util/error.h"

namespace tpq {

DataLoader::DataLoader(std::vector<std::vector<int64_t>> sequences, std::vector<int64_t> labels, int64_t padId,
                       size_t batchSize, bool shuffle, uint64_t seed)
    : m_sequences(std::move(sequences)),
      m_labels(std::move(labels)),
      m_padId(padId),
      m_batchSize(batchSize),
      m_shuffle(shuffle),
      m_seed(seed) {
    if (m_sequences.size() != m_labels.size()) {
        throw Error("DataLoader: " + std::to_string(m_sequences.size()) + " sequences but " +
                    std::to_string(m_labels.size()) + " labels");
    }
    if (m_batchSize == 0) throw Error("batch size must be >= 1");
    for (size_t i = 0; i < m_sequences.size(); ++i) {
        if (m_sequences[i].empty()) throw Error("DataLoader: example " + std::to_string(i) + " has no tokens");
    }
    setEpoch(0);
}

void DataLoader::setEpoch(size_t epoch) {
    m_order.resize(m_sequences.size());
    std::iota(m_order.begin(), m_order.end(), size_t(0));
    if (m_shuffle) {
        std::mt19937_64 rng(m_seed + 0x9E3779B97F4A7C15ULL * (epoch + 1));
        std::shuffle(m_order.begin(), m_order.end(), rng);
        if (m_groupByLength) groupByLength(rng);
    }
}

void DataLoader::groupByLength(std::mt19937_64& rng) {
    const size_t n = m_order.size();
    const size_t chunk = kLengthGroupBatches * m_batchSize;
    auto longerFirst = [&](size_t a, size_t b) { return m_sequences[a].size() > m_sequences[b].size(); };
    for (size_t begin = 0; begin < n; begin += chunk) {
        std::stable_sort(m_order.begin() + long(begin), m_order.begin() + long(std::min(n, begin + chunk)),
                         longerFirst);
    }
    // Shuffle whole batches so training does not see long ones first in every chunk.
    const size_t full = n / m_batchSize;
    std::vector<size_t> batchOrder(full);
    std::iota(batchOrder.begin(), batchOrder.end(), size_t(0));
    std::shuffle(batchOrder.begin(), batchOrder.end(), rng);
    std::vector<size_t> order;
    order.reserve(n);
    for (size_t b : batchOrder) {
        order.insert(order.end(), m_order.begin() + long(b * m_batchSize),
                     m_order.begin() + long((b + 1) * m_batchSize));
    }
    order.insert(order.end(), m_order.begin() + long(full * m_batchSize), m_order.end());
    m_order = std::move(order);
}

Batch DataLoader::batch(size_t b) const {
    if (b >= numBatches()) {
        throw Error("batch " + std::to_string(b) + " out of range (" + std::to_string(numBatches()) + " batches)");
    }
    const size_t begin = b * m_batchSize;
    const size_t end = std::min(begin + m_batchSize, m_sequences.size());
    const int64_t rows = int64_t(end - begin);
    size_t longest = 0;
    for (size_t k = begin; k < end; ++k) longest = std::max(longest, m_sequences[m_order[k]].size());
    Batch out;
    out.inputIds = torch::full({rows, int64_t(longest)}, m_padId, torch::kInt64);
    out.attentionMask = torch::zeros({rows, int64_t(longest)}, torch::kInt64);
    out.labels = torch::empty({rows}, torch::kInt64);
    auto ids = out.inputIds.accessor<int64_t, 2>();
    auto mask = out.attentionMask.accessor<int64_t, 2>();
    auto labels = out.labels.accessor<int64_t, 1>();
    for (int64_t r = 0; r < rows; ++r) {
        const size_t index = m_order[begin + size_t(r)];
        const auto& seq = m_sequences[index];
        for (size_t t = 0; t < seq.size(); ++t) {
            ids[r][int64_t(t)] = seq[t];
            mask[r][int64_t(t)] = 1;
        }
        labels[r] = m_labels[index];
        out.indices.push_back(index);
    }
    return out;
}

}  // namespace tpq
