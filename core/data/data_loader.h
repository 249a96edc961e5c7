#pragma once
/// \file data_loader.h
/// Batches of encoded examples as tensors: seeded shuffling per epoch, dynamic padding
/// to the longest sequence in the batch, attention masks. Takes token ids (already
/// encoded with [CLS]/[SEP] and truncated, see text/encode_dataset.h) so core/data does
/// not depend on core/text.

#include <cstdint>
#include <random>
#include <vector>

#include <ATen/core/Tensor.h>

namespace tpq {

/// One batch. Tensors are int64 on the CPU; `indices` are the examples' positions in
/// the loader's sequence list.
struct Batch {
    at::Tensor inputIds;       // [batch, longest]
    at::Tensor attentionMask;  // [batch, longest], 1 = token, 0 = padding
    at::Tensor labels;         // [batch]
    std::vector<size_t> indices;
};

class DataLoader {
public:
    /// `sequences[i]` are the ids of example i (unpadded), `labels[i]` its label.
    /// `batchSize` >= 1; `shuffle` reorders every epoch with `seed` + epoch.
    DataLoader(std::vector<std::vector<int64_t>> sequences, std::vector<int64_t> labels, int64_t padId,
               size_t batchSize, bool shuffle, uint64_t seed);

    size_t size() const { return m_sequences.size(); }
    size_t batchSize() const { return m_batchSize; }
    /// Batches per epoch (the last one may be smaller).
    size_t numBatches() const { return (m_sequences.size() + m_batchSize - 1) / m_batchSize; }

    /// Sets the example order for `epoch` (identity when not shuffling).
    void setEpoch(size_t epoch);

    /// When shuffling, groups examples of similar length into the same batch, so little
    /// compute goes to padding (Hugging Face's `group_by_length`): each run of
    /// kLengthGroupBatches shuffled batches is sorted by length, then the full batches are
    /// shuffled again; the last, partial batch stays last. Takes effect at the next setEpoch().
    void setGroupByLength(bool on) { m_groupByLength = on; }
    static constexpr size_t kLengthGroupBatches = 50;

    /// Batch `b` (0 <= b < numBatches()) of the current epoch's order.
    Batch batch(size_t b) const;

    const std::vector<int64_t>& labels() const { return m_labels; }

private:
    void groupByLength(std::mt19937_64& rng);

    std::vector<std::vector<int64_t>> m_sequences;
    std::vector<int64_t> m_labels;
    int64_t m_padId;
    size_t m_batchSize;
    bool m_shuffle;
    bool m_groupByLength = false;
    uint64_t m_seed;
    std::vector<size_t> m_order;
};

}  // namespace tpq
