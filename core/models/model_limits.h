#pragma once
/// \file model_limits.h
/// The largest sizes a config.json may ask for (README "Reliability"). They are far
/// beyond any BERT-style classifier tpq is for (bert-large: 30522 x 1024, 24 layers,
/// 4096 wide), and they keep a damaged or hostile config.json from allocating without
/// end before its sizes are compared with the weights file.

#include <cstdint>
#include <string>
#include <vector>

namespace tpq {

inline constexpr int64_t kMaxVocabSize = int64_t(1) << 22;  // 4,194,304 tokens
inline constexpr int64_t kMaxHiddenSize = 16384;
inline constexpr int64_t kMaxLayers = 256;
inline constexpr int64_t kMaxHeads = 1024;
inline constexpr int64_t kMaxFfnSize = 131072;
inline constexpr int64_t kMaxPositions = 65536;
inline constexpr int64_t kMaxTypeVocab = 1024;
inline constexpr int64_t kMaxLabels = 65536;
/// A config whose model would hold more parameters than this is refused (16 GB of fp32).
inline constexpr int64_t kMaxParameters = int64_t(4) << 30;

/// Appends "`key` must be in [1, max], got v" to `problems` unless 1 <= v <= max.
inline void checkSize(std::vector<std::string>& problems, const char* key, int64_t v, int64_t max) {
    if (v < 1 || v > max)
        problems.push_back(std::string(key) + " must be in [1, " + std::to_string(max) + "], got " + std::to_string(v));
}

}  // namespace tpq
