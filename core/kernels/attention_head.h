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

/// The three phases over all rows of a head, for either path, so that the transposed keys
/// (phase 1) and the values (phase 3), 32 KB each for a BERT head, each have L1 to
/// themselves while the scores of all rows stream from L2. `Tiles` gives the path's
/// `template <int R> static void scores(const Head&, int64_t row, const float* kt, float* scores)`,
/// `static float softmax(float* row, int64_t length)` (returns 1 / sum) and
/// `template <int R> static void context(const Head&, int64_t row, const float* scores, const float* inv)`
/// for R = 1..4 rows.
template <class Tiles>
void runPhases(const Head& h, const float* kt, float* scores, float* inv) {
    constexpr int64_t kRows = 4;
    const int64_t full = h.length / kRows * kRows, rest = h.length - full;
    for (int64_t i = 0; i < full; i += kRows) Tiles::template scores<kRows>(h, i, kt, scores);
    if (rest == 3) Tiles::template scores<3>(h, full, kt, scores);
    if (rest == 2) Tiles::template scores<2>(h, full, kt, scores);
    if (rest == 1) Tiles::template scores<1>(h, full, kt, scores);
    for (int64_t i = 0; i < h.length; ++i) inv[i] = Tiles::softmax(scores + i * h.keysPadded, h.length);
    for (int64_t i = 0; i < full; i += kRows) Tiles::template context<kRows>(h, i, scores, inv);
    if (rest == 3) Tiles::template context<3>(h, full, scores, inv);
    if (rest == 2) Tiles::template context<2>(h, full, scores, inv);
    if (rest == 1) Tiles::template context<1>(h, full, scores, inv);
}

}  // namespace tpq::kernels
