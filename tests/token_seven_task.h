#pragma once
// A small synthetic classification task shared by the training and pruning tests: label 1
// iff token 7 occurs in a sequence of 3-8 random tokens (8..47) between [CLS]=1 and
// [SEP]=2; even examples are positive. Padding id 0, batches of 8.

#include <cstdint>
#include <random>
#include <vector>

#include "data/data_loader.h"

namespace tpqtest {

inline tpq::DataLoader tokenSevenTask(uint64_t seed, size_t n, bool shuffle) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<int64_t>> seqs;
    std::vector<int64_t> labels;
    for (size_t i = 0; i < n; ++i) {
        std::vector<int64_t> s = {1};
        const size_t len = 3 + rng() % 6;
        const bool positive = i % 2 == 0;
        for (size_t k = 0; k < len; ++k) s.push_back(int64_t(8 + rng() % 40));
        if (positive) s[1 + rng() % len] = 7;
        s.push_back(2);
        seqs.push_back(s);
        labels.push_back(positive ? 1 : 0);
    }
    return tpq::DataLoader(seqs, labels, 0, 8, shuffle, seed);
}

}  // namespace tpqtest
