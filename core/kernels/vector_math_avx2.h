#pragma once
/// \file vector_math_avx2.h
/// exp, erf and GELU on 8 floats at once (AVX2 + FMA), the same formulas as
/// vector_math.h's AVX-512 versions (Cephes exp, Abramowitz & Stegun 7.1.26 erf, exact GELU),
/// for the AVX2 kernels' epilogues; and the lane masks, partial stores and horizontal
/// reductions those kernels share. Include only from a file whose callers check hasAvx2().

#include <immintrin.h>

#include "kernels/cpu_features.h"

namespace tpq::kernels {

/// Lanes [0, n) of 8 set (n clamped to 0..8), for partial loads and stores.
TPQ_TARGET_AVX2 inline __m256i laneMask8(int64_t n) {
    const int m = int(n < 0 ? 0 : (n > 8 ? 8 : n));
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// Stores the first min(valid, 8) lanes of v at dst.
TPQ_TARGET_AVX2 inline void storeFirst(float* dst, __m256 v, int64_t valid) {
    if (valid >= 8)
        _mm256_storeu_ps(dst, v);
    else
        _mm256_maskstore_ps(dst, laneMask8(valid), v);
}

TPQ_TARGET_AVX2 inline float horizontalMin(__m256 v) {
    __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_min_ps(m, _mm_movehl_ps(m, m));
    m = _mm_min_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

TPQ_TARGET_AVX2 inline float horizontalMax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

TPQ_TARGET_AVX2 inline float horizontalSum(__m256 v) {
    __m128 m = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_add_ps(m, _mm_movehl_ps(m, m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

TPQ_TARGET_AVX2 inline __m256 exp256(__m256 x) {
    const __m256 normal = _mm256_cmp_ps(x, _mm256_set1_ps(-87.33654f), _CMP_GE_OQ);
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f)), _mm256_set1_ps(-87.33654f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    // 2^n through the exponent bits (n is in [-126, 127] after the clamp).
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(e)), normal);
}

TPQ_TARGET_AVX2 inline __m256 erf256(__m256 x) {
    const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32(int(0x80000000u)));
    const __m256 ax = _mm256_andnot_ps(sign, x);
    const __m256 den = _mm256_fmadd_ps(ax, _mm256_set1_ps(0.3275911f), _mm256_set1_ps(1.0f));
    // VRCPPS (12 bits) and one Newton step: ~1e-7 relative, as the AVX-512 version.
    const __m256 r0 = _mm256_rcp_ps(den);
    const __m256 t = _mm256_mul_ps(r0, _mm256_fnmadd_ps(den, r0, _mm256_set1_ps(2.0f)));
    __m256 p = _mm256_set1_ps(1.061405429f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
    p = _mm256_mul_ps(p, t);
    const __m256 e = exp256(_mm256_mul_ps(_mm256_xor_ps(ax, sign), ax));
    const __m256 y = _mm256_fnmadd_ps(p, e, _mm256_set1_ps(1.0f));
    return _mm256_or_ps(y, _mm256_and_ps(x, sign));
}

TPQ_TARGET_AVX2 inline __m256 gelu256(__m256 x) {
    const __m256 half = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
    const __m256 e = erf256(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
    return _mm256_fmadd_ps(half, e, half);
}

}  // namespace tpq::kernels
