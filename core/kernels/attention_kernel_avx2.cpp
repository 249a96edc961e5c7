/// \file attention_kernel_avx2.cpp
/// The AVX2 + FMA phases of attention_kernel.h's inference attention: the same three phases
/// as the AVX-512 ones (scores from the transposed keys, softmax per row, context from the
/// copied values), on tiles of 4 query rows x 16 keys (or 16 of the head's dimensions): 8
/// accumulators, 2 registers of keys or values, 1 broadcast.

#include <cmath>
#include <cstdint>

#include <immintrin.h>

#include "kernels/attention_head.h"
#include "kernels/cpu_features.h"
#include "kernels/vector_math_avx2.h"

namespace tpq::kernels {
namespace {

constexpr int64_t kWidth = 16;  // keys (or dimensions) per tile: two registers

#define TPQ_ACCUMULATORS2                                                                    \
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00; \
    __m256 a30 = a00, a31 = a00;
#define TPQ_FMA_ROW2(r, base, ld, i)                             \
    if (R > r) {                                                 \
        const __m256 b = _mm256_broadcast_ss(base + r * ld + i); \
        a##r##0 = _mm256_fmadd_ps(b, x0, a##r##0);               \
        a##r##1 = _mm256_fmadd_ps(b, x1, a##r##1);               \
    }

// scores[r][j0 .. j0 + 16) = scale * q[r] . kt[:, j] + mask[j] for R rows.
template <int R>
TPQ_TARGET_AVX2 __attribute__((noinline)) void scoreTile(const Head& h, const float* q, const float* kt, int64_t j0,
                                                         float* scores) {
    TPQ_ACCUMULATORS2
    const int64_t ld = h.keysPadded, headSize = h.headSize, stride = h.stride;
    for (int64_t d = 0; d < headSize; ++d) {
        const float* kd = kt + d * ld + j0;
        __m256 x0 = _mm256_loadu_ps(kd), x1 = _mm256_loadu_ps(kd + 8);
        asm("" : "+x"(x0), "+x"(x1));
        TPQ_FMA_ROW2(0, q, stride, d)
        TPQ_FMA_ROW2(1, q, stride, d) TPQ_FMA_ROW2(2, q, stride, d) TPQ_FMA_ROW2(3, q, stride, d)
    }
    const __m256 s = _mm256_set1_ps(h.scale);
    __m256 m0 = _mm256_setzero_ps(), m1 = m0;
    if (h.mask) {
        m0 = _mm256_maskload_ps(h.mask + j0, laneMask8(h.length - j0));
        m1 = _mm256_maskload_ps(h.mask + j0 + 8, laneMask8(h.length - j0 - 8));
    }
#define TPQ_SAVE2(r)                                               \
    if (R > r) {                                                   \
        float* sr = scores + r * h.keysPadded + j0;                \
        _mm256_storeu_ps(sr, _mm256_fmadd_ps(a##r##0, s, m0));     \
        _mm256_storeu_ps(sr + 8, _mm256_fmadd_ps(a##r##1, s, m1)); \
    }
    TPQ_SAVE2(0) TPQ_SAVE2(1) TPQ_SAVE2(2) TPQ_SAVE2(3)
#undef TPQ_SAVE2
}

// exp(scores - max) over the first `length` entries of a row, in place (the padding up to a
// multiple of 8 set to 0); returns 1 / sum.
TPQ_TARGET_AVX2 float softmaxRow(float* row, int64_t length) {
    const int64_t full = length / 8 * 8;
    const __m256i tail = laneMask8(length - full);
    __m256 mx = _mm256_set1_ps(-INFINITY);
    for (int64_t j = 0; j < full; j += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(row + j));
    float m = horizontalMax(mx);
    for (int64_t j = full; j < length; ++j) m = std::max(m, row[j]);
    const __m256 mv = _mm256_set1_ps(m);
    __m256 sum = _mm256_setzero_ps();
    for (int64_t j = 0; j < full; j += 8) {
        const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(row + j), mv));
        _mm256_storeu_ps(row + j, e);
        sum = _mm256_add_ps(sum, e);
    }
    if (full < length) {
        const __m256 e =
            _mm256_and_ps(exp256(_mm256_sub_ps(_mm256_maskload_ps(row + full, tail), mv)), _mm256_castsi256_ps(tail));
        _mm256_maskstore_ps(row + full, tail, e);
        sum = _mm256_add_ps(sum, e);
    }
    return 1.0f / horizontalSum(sum);
}

// out[r][d0 .. d0 + 16) = inv[r] * sum_j p[r][j] v[j][d0 ..] for R rows.
template <int R>
TPQ_TARGET_AVX2 __attribute__((noinline)) void contextTile(const Head& h, const float* p, const float* inv, int64_t d0,
                                                           float* out) {
    const int64_t valid = h.headSize - d0;
    const __m256i n0 = laneMask8(valid), n1 = laneMask8(valid - 8);
    TPQ_ACCUMULATORS2
    const int64_t length = h.length, headSize = h.headSize, keysPadded = h.keysPadded;
    const float* vd = h.v + d0;
    for (int64_t j = 0; j < length; ++j) {
        const float* vj = vd + j * headSize;
        __m256 x0 = _mm256_maskload_ps(vj, n0), x1 = _mm256_maskload_ps(vj + 8, n1);
        asm("" : "+x"(x0), "+x"(x1));
        TPQ_FMA_ROW2(0, p, keysPadded, j)
        TPQ_FMA_ROW2(1, p, keysPadded, j) TPQ_FMA_ROW2(2, p, keysPadded, j) TPQ_FMA_ROW2(3, p, keysPadded, j)
    }
#define TPQ_SAVE2(r)                                               \
    if (R > r) {                                                   \
        const __m256 s = _mm256_set1_ps(inv[r]);                   \
        float* o = out + r * h.stride + d0;                        \
        _mm256_maskstore_ps(o, n0, _mm256_mul_ps(a##r##0, s));     \
        _mm256_maskstore_ps(o + 8, n1, _mm256_mul_ps(a##r##1, s)); \
    }
    TPQ_SAVE2(0) TPQ_SAVE2(1) TPQ_SAVE2(2) TPQ_SAVE2(3)
#undef TPQ_SAVE2
}
#undef TPQ_ACCUMULATORS2
#undef TPQ_FMA_ROW2

template <int R>
TPQ_TARGET_AVX2 void scoreRows(const Head& h, int64_t i, const float* kt, float* scores) {
    for (int64_t j0 = 0; j0 < h.keysPadded; j0 += kWidth)
        scoreTile<R>(h, h.q + i * h.stride, kt, j0, scores + i * h.keysPadded);
}

template <int R>
TPQ_TARGET_AVX2 void contextRows(const Head& h, int64_t i, const float* scores, const float* inv) {
    for (int64_t d0 = 0; d0 < h.headSize; d0 += kWidth)
        contextTile<R>(h, scores + i * h.keysPadded, inv + i, d0, h.out + i * h.stride);
}

struct Avx2Tiles {
    template <int R>
    static void scores(const Head& h, int64_t i, const float* kt, float* s) {
        scoreRows<R>(h, i, kt, s);
    }
    static float softmax(float* row, int64_t length) { return softmaxRow(row, length); }
    template <int R>
    static void context(const Head& h, int64_t i, const float* s, const float* inv) {
        contextRows<R>(h, i, s, inv);
    }
};

}  // namespace

void attentionPhasesAvx2(const Head& h, const float* kt, float* scores, float* inv) {
    runPhases(Avx2Tiles{}, h, kt, scores, inv);
}

}  // namespace tpq::kernels
