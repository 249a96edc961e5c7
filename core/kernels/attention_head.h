#pragma once
/// \file attention_head.h
/// One (batch, head) pair of attention_kernel.cpp, shared by its AVX-512 and AVX2 phases.
/// Internal to core/kernels/.

#include <cstdint>

namespace tpq::kernels {

/// Keys are padded to a multiple of this (zeros past the end): whole score tiles of either path.
constexpr int64_t kKeys = 64;

struct Head {
    const float* q;     // the head's first query row (row stride `stride`)
    const float* k;
    const float* v;     // the head's first value row: stride `stride`, or headSize once copied
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

}  // namespace tpq::kernels
