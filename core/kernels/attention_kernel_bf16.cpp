/// \file attention_kernel_bf16.cpp
/// attention_head.h's phases with bf16 products (VDPBF16PS: 16 sums of two bf16 products
/// per instruction, twice the multiply-adds of an fp32 FMA) for int8 models on CPUs with
/// AVX512-BF16. The reduction runs over pairs: the scores over pairs of dimensions (a query
/// row's bf16 dimensions are already in pairs; the keys are transposed as 32-bit pairs), the
/// context over pairs of keys (the probabilities of a row are in pairs; the values are
/// interleaved two keys at a time). Sums, scale, mask and softmax stay fp32.

#include <algorithm>
#include <cstdint>

#include <immintrin.h>

// As in attention_kernel.cpp: GCC 12's masked-load intrinsics trip its uninitialized-value warnings.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/attention_head.h"
#include "kernels/attention_tiles.h"
#include "kernels/cpu_features.h"
#include "kernels/transpose16.h"
#include "kernels/vector_math.h"

namespace tpq::kernels {
namespace {

int64_t roundUp16(int64_t n) {
    return (n + 15) / 16 * 16;
}

// The first n (up to 32) floats at x rounded to bf16, as 16 words of pairs (zeros past n).
TPQ_TARGET_AVX512_BF16 inline __m512i pairsOf(const float* x, int64_t n) {
    const __m512 lo = _mm512_maskz_loadu_ps(laneMask(n, 0), x), hi = _mm512_maskz_loadu_ps(laneMask(n, 1), x + 16);
    return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

// Word d of the result: bf16(lo[d]) in its low half, bf16(hi[d]) in its high half.
TPQ_TARGET_AVX512_BF16 inline __m512i interleave(__m512 lo, __m512 hi) {
    const __m512i l = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(lo));
    const __m512i h = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(hi));
    return _mm512_or_si512(l, _mm512_slli_epi32(h, 16));
}

#define TPQ_DOT_ROW(r, base, ld, i)                                            \
    if (R > r) {                                                               \
        const __m512bh b = (__m512bh)_mm512_set1_epi32(int(base[r * ld + i])); \
        a##r##0 = _mm512_dpbf16_ps(a##r##0, b, (__m512bh)x0);                  \
        a##r##1 = _mm512_dpbf16_ps(a##r##1, b, (__m512bh)x1);                  \
        a##r##2 = _mm512_dpbf16_ps(a##r##2, b, (__m512bh)x2);                  \
        a##r##3 = _mm512_dpbf16_ps(a##r##3, b, (__m512bh)x3);                  \
    }

// scores[r][j] = scale * q[r] . kt[:, j] + mask[j] for R rows (q: their pairs, qStride
// words apart) and keys [j0, j0 + 64).
template <int R>
TPQ_TARGET_AVX512_BF16 __attribute__((noinline)) void scoreTile(const Head& h, const uint32_t* q, int64_t qStride,
                                                                const uint32_t* kt, int64_t j0, float* scores) {
    TPQ_ATTENTION_ACCUMULATORS
    const int64_t ld = h.keysPadded, pairs = (h.headSize + 1) / 2;
    for (int64_t p = 0; p < pairs; ++p) {
        const uint32_t* kp = kt + p * ld + j0;
        __m512i x0 = _mm512_loadu_si512(kp), x1 = _mm512_loadu_si512(kp + 16), x2 = _mm512_loadu_si512(kp + 32),
                x3 = _mm512_loadu_si512(kp + 48);
        asm("" : "+v"(x0), "+v"(x1), "+v"(x2), "+v"(x3));
        TPQ_DOT_ROW(0, q, qStride, p)
        TPQ_DOT_ROW(1, q, qStride, p) TPQ_DOT_ROW(2, q, qStride, p) TPQ_DOT_ROW(3, q, qStride, p)
    }
    TPQ_ATTENTION_SAVE_SCORES(h, j0, scores)
}

// out[r][d0 .. d0 + 64) = inv[r] * sum_j p[r][j] v[j][d0 ..] for R rows (p: their pairs of
// probabilities, pStride words apart; v: the values in pairs of keys, vStride words apart).
template <int R>
TPQ_TARGET_AVX512_BF16 __attribute__((noinline)) void contextTile(const Head& h, const uint32_t* p, int64_t pStride,
                                                                  const float* inv, const uint32_t* v, int64_t vStride,
                                                                  int64_t d0, float* out) {
    const int64_t valid = h.headSize - d0;
    const __mmask16 n0 = laneMask(valid, 0), n1 = laneMask(valid, 1), n2 = laneMask(valid, 2), n3 = laneMask(valid, 3);
    TPQ_ATTENTION_ACCUMULATORS
    const int64_t pairs = (h.length + 1) / 2;
    const uint32_t* vd = v + d0;
    for (int64_t j = 0; j < pairs; ++j) {
        const uint32_t* vj = vd + j * vStride;
        __m512i x0 = _mm512_maskz_loadu_epi32(n0, vj), x1 = _mm512_maskz_loadu_epi32(n1, vj + 16),
                x2 = _mm512_maskz_loadu_epi32(n2, vj + 32), x3 = _mm512_maskz_loadu_epi32(n3, vj + 48);
        asm("" : "+v"(x0), "+v"(x1), "+v"(x2), "+v"(x3));
        TPQ_DOT_ROW(0, p, pStride, j)
        TPQ_DOT_ROW(1, p, pStride, j) TPQ_DOT_ROW(2, p, pStride, j) TPQ_DOT_ROW(3, p, pStride, j)
    }
    TPQ_ATTENTION_SAVE_CONTEXT(h, inv, d0, out)
}
#undef TPQ_DOT_ROW

// The head's queries as pairs of dimensions, its keys transposed as pairs ([pair][key],
// keys past the end zero: blocks of 16 keys x 16 pairs transposed in registers) and its
// values in pairs of keys ([key pair][dimension], a missing last key zero).
TPQ_TARGET_AVX512_BF16 void prepare(const Head& h, uint32_t* kt, uint32_t* queries, uint32_t* values) {
    const int64_t pairs = (h.headSize + 1) / 2, qStride = bf16QueryStride(h.headSize);
    for (int64_t i = 0; i < h.length; ++i)
        for (int64_t d0 = 0; d0 < h.headSize; d0 += 32)
            _mm512_storeu_si512(queries + i * qStride + d0 / 2, pairsOf(h.q + i * h.stride + d0, h.headSize - d0));
    for (int64_t j0 = 0; j0 < h.keysPadded; j0 += 16) {
        for (int64_t p0 = 0; p0 < pairs; p0 += 16) {
            __m512i r[16];
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i)
                r[i] = j0 + i < h.length ? pairsOf(h.k + (j0 + i) * h.stride + 2 * p0, h.headSize - 2 * p0)
                                         : _mm512_setzero_si512();
            transpose16(r);
            for (int64_t p = p0; p < std::min(p0 + 16, pairs); ++p)
                _mm512_storeu_si512(kt + p * h.keysPadded + j0, r[p - p0]);
        }
    }
    const int64_t vStride = roundUp16(h.headSize);
    for (int64_t j = 0; j < h.length; j += 2) {
        const float* lo = h.v + j * h.stride;
        for (int64_t d0 = 0; d0 < h.headSize; d0 += 16) {
            const __mmask16 n = laneMask(h.headSize - d0, 0);
            const __m512 hi = j + 1 < h.length ? _mm512_maskz_loadu_ps(n, lo + h.stride + d0) : _mm512_setzero_ps();
            _mm512_storeu_si512(values + j / 2 * vStride + d0, interleave(_mm512_maskz_loadu_ps(n, lo + d0), hi));
        }
    }
}

// attention_head.h's phases on the bf16 tiles: the probabilities of a row, once its
// softmax is done, are rounded to bf16 pairs in place at the start of the row.
struct Bf16Tiles {
    const uint32_t* queries;
    const uint32_t* values;
    int64_t qStride, vStride;

    template <int R>
    void scores(const Head& h, int64_t i, const float* kt, float* s) const {
        for (int64_t j0 = 0; j0 < h.keysPadded; j0 += kKeys)
            scoreTile<R>(h, queries + i * qStride, qStride, reinterpret_cast<const uint32_t*>(kt), j0,
                         s + i * h.keysPadded);
    }
    TPQ_TARGET_AVX512_BF16 float softmax(float* row, int64_t length) const {
        const float inv = softmaxRowAvx512(row, length);
        // In place: the 16 words of a step end before the floats the next step reads.
        uint32_t* words = reinterpret_cast<uint32_t*>(row);
        for (int64_t j = 0; j < length; j += 32) _mm512_storeu_si512(words + j / 2, pairsOf(row + j, length - j));
        return inv;
    }
    template <int R>
    void context(const Head& h, int64_t i, const float* s, const float* inv) const {
        for (int64_t d0 = 0; d0 < h.headSize; d0 += 64)
            contextTile<R>(h, reinterpret_cast<const uint32_t*>(s + i * h.keysPadded), h.keysPadded, inv + i, values,
                           vStride, d0, h.out + i * h.stride);
    }
};

}  // namespace

int64_t bf16QueryStride(int64_t headSize) {
    return roundUp16((headSize + 1) / 2);
}

int64_t bf16ValueWords(int64_t length, int64_t headSize) {
    return (length + 1) / 2 * roundUp16(headSize);
}

void attentionHeadBf16(const Head& h, uint32_t* kt, uint32_t* queries, uint32_t* values, float* scores, float* inv) {
    prepare(h, kt, queries, values);
    const Bf16Tiles tiles{queries, values, bf16QueryStride(h.headSize), roundUp16(h.headSize)};
    runPhases(tiles, h, reinterpret_cast<const float*>(kt), scores, inv);
}

}  // namespace tpq::kernels
