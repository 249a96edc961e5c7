#pragma once
/// \file attention_head.h
/// One (batch, head) pair of attention_kernel.cpp, shared by its AVX-512 and AVX2 phases.
/// Internal to core/kernels/.

#include <cstdint>

namespace tpq::kernels {

/// Keys are padded to a multiple of this (zeros past the end): whole score tiles of either path.
constexpr int64_t kKeys = 64;

struct Head {
    const float* q;  // the head's first query row (row stride `stride`)
    const float* k;
    const float* v;  // the head's first value row: stride `stride`, or headSize once copied
    float* out;
    const float* mask;  // [length] or nullptr
    int64_t stride;     // heads * headSize
    int64_t length, headSize, keysPadded;
    float scale;
};

/// Copies the head's values into `values` ([length][headSize], then h.v points there) and
/// its keys transposed into `kt` ([headSize][keysPadded], zero past the end).
void prepareHead(Head& h, float* kt, float* values);

/// Scores, softmax and context of every query row on AVX2 + FMA (attention_kernel_avx2.cpp);
/// scores: [length][keysPadded], inv: [length].
void attentionPhasesAvx2(const Head& h, const float* kt, float* scores, float* inv);

/// exp(row - max) over the first `length` entries in place (AVX-512); returns 1 / sum.
float softmaxRowAvx512(float* row, int64_t length);

/// Words of bf16 pairs the bf16 path keeps per head (attention_kernel_bf16.cpp): each
/// query row's dimensions in pairs, and the values in pairs of keys.
int64_t bf16QueryStride(int64_t headSize);
int64_t bf16ValueWords(int64_t length, int64_t headSize);

/// The whole head with bf16 products (AVX512-BF16): q, k and v rounded to bf16 (nearest
/// even) as they are read, the probabilities after the softmax, sums in fp32. Buffers:
/// kt [ceil(headSize / 2)][keysPadded] words, queries [length][bf16QueryStride],
/// values bf16ValueWords, scores [length][keysPadded], inv [length].
void attentionHeadBf16(const Head& h, uint32_t* kt, uint32_t* queries, uint32_t* values, float* scores, float* inv);

/// The three phases over all rows of a head, for either path, so that the transposed keys
/// (phase 1) and the values (phase 3), 32 KB each for a BERT head, each have L1 to
/// themselves while the scores of all rows stream from L2. `Tiles` gives the path's
/// `template <int R> void scores(const Head&, int64_t row, const float* kt, float* scores) const`,
/// `float softmax(float* row, int64_t length) const` (returns 1 / sum) and
/// `template <int R> void context(const Head&, int64_t row, const float* scores, const float* inv) const`
/// for R = 1..4 rows.
template <class Tiles>
void runPhases(const Tiles& tiles, const Head& h, const float* kt, float* scores, float* inv) {
    constexpr int64_t kRows = 4;
    const int64_t full = h.length / kRows * kRows, rest = h.length - full;
    for (int64_t i = 0; i < full; i += kRows) tiles.template scores<kRows>(h, i, kt, scores);
    if (rest == 3) tiles.template scores<3>(h, full, kt, scores);
    if (rest == 2) tiles.template scores<2>(h, full, kt, scores);
    if (rest == 1) tiles.template scores<1>(h, full, kt, scores);
    for (int64_t i = 0; i < h.length; ++i) inv[i] = tiles.softmax(scores + i * h.keysPadded, h.length);
    for (int64_t i = 0; i < full; i += kRows) tiles.template context<kRows>(h, i, scores, inv);
    if (rest == 3) tiles.template context<3>(h, full, scores, inv);
    if (rest == 2) tiles.template context<2>(h, full, scores, inv);
    if (rest == 1) tiles.template context<1>(h, full, scores, inv);
}

}  // namespace tpq::kernels
