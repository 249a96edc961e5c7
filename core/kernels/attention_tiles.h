#pragma once
/// \file attention_tiles.h
/// The parts of the AVX-512 attention tiles that the fp32 (attention_kernel.cpp) and bf16
/// (attention_kernel_bf16.cpp) products share: R rows x 4 registers of float sums, kept in
/// named registers (GCC spills an array of them): a##r##j, and how a tile's sums are
/// written out. Internal to core/kernels/: include only from those two files.

// The sums of a tile, all zero.
#define TPQ_ATTENTION_ACCUMULATORS                                     \
    __m512 a00 = _mm512_setzero_ps(), a01 = a00, a02 = a00, a03 = a00; \
    __m512 a10 = a00, a11 = a00, a12 = a00, a13 = a00;                 \
    __m512 a20 = a00, a21 = a00, a22 = a00, a23 = a00;                 \
    __m512 a30 = a00, a31 = a00, a32 = a00, a33 = a00;

// scores[r][j0 ..] = scale * sums + mask[j0 ..] (0 without a mask) for the tile's R rows.
#define TPQ_ATTENTION_SAVE_SCORES(h, j0, scores)                                                      \
    {                                                                                                 \
        const __m512 s = _mm512_set1_ps(h.scale);                                                     \
        __m512 m0 = _mm512_setzero_ps(), m1 = m0, m2 = m0, m3 = m0;                                   \
        if (h.mask) {                                                                                 \
            m0 = _mm512_maskz_loadu_ps(laneMask(h.length - j0, 0), h.mask + j0);                      \
            m1 = _mm512_maskz_loadu_ps(laneMask(h.length - j0, 1), h.mask + j0 + 16);                 \
            m2 = _mm512_maskz_loadu_ps(laneMask(h.length - j0, 2), h.mask + j0 + 32);                 \
            m3 = _mm512_maskz_loadu_ps(laneMask(h.length - j0, 3), h.mask + j0 + 48);                 \
        }                                                                                             \
        TPQ_ATTENTION_SAVE_SCORE_ROW(0, h, j0, scores)                                                \
        TPQ_ATTENTION_SAVE_SCORE_ROW(1, h, j0, scores)                                                \
        TPQ_ATTENTION_SAVE_SCORE_ROW(2, h, j0, scores) TPQ_ATTENTION_SAVE_SCORE_ROW(3, h, j0, scores) \
    }
#define TPQ_ATTENTION_SAVE_SCORE_ROW(r, h, j0, scores)              \
    if (R > r) {                                                    \
        float* sr = scores + r * h.keysPadded + j0;                 \
        _mm512_storeu_ps(sr, _mm512_fmadd_ps(a##r##0, s, m0));      \
        _mm512_storeu_ps(sr + 16, _mm512_fmadd_ps(a##r##1, s, m1)); \
        _mm512_storeu_ps(sr + 32, _mm512_fmadd_ps(a##r##2, s, m2)); \
        _mm512_storeu_ps(sr + 48, _mm512_fmadd_ps(a##r##3, s, m3)); \
    }

// out[r][d0 ..] = inv[r] * sums for the tile's R rows, dimensions masked by n0..n3.
#define TPQ_ATTENTION_SAVE_CONTEXT(h, inv, d0, out)    \
    TPQ_ATTENTION_SAVE_CONTEXT_ROW(0, h, inv, d0, out) \
    TPQ_ATTENTION_SAVE_CONTEXT_ROW(1, h, inv, d0, out) \
    TPQ_ATTENTION_SAVE_CONTEXT_ROW(2, h, inv, d0, out) TPQ_ATTENTION_SAVE_CONTEXT_ROW(3, h, inv, d0, out)
#define TPQ_ATTENTION_SAVE_CONTEXT_ROW(r, h, inv, d0, out)            \
    if (R > r) {                                                      \
        const __m512 s = _mm512_set1_ps(inv[r]);                      \
        float* o = out + r * h.stride + d0;                           \
        _mm512_mask_storeu_ps(o, n0, _mm512_mul_ps(a##r##0, s));      \
        _mm512_mask_storeu_ps(o + 16, n1, _mm512_mul_ps(a##r##1, s)); \
        _mm512_mask_storeu_ps(o + 32, n2, _mm512_mul_ps(a##r##2, s)); \
        _mm512_mask_storeu_ps(o + 48, n3, _mm512_mul_ps(a##r##3, s)); \
    }
