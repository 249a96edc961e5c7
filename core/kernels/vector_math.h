#pragma once
/// \file vector_math.h
/// exp, erf and GELU on 16 floats at once (AVX-512), for the kernels' epilogues, and the
/// lane mask of a partly filled register. Internal to
/// core/kernels/: include only from a file whose callers check cpu_features first.
///   exp: Cephes' polynomial on [-ln2/2, ln2/2] and VSCALEFPS for the power of two,
///        relative error < 2e-7 on [-87.3, 88]; below that exactly 0.
///   erf: Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7 (the formula LibTorch's
///        vectorized erf uses).
///   gelu: x/2 (1 + erf(x/sqrt 2)), the exact GELU of BERT.

#include <algorithm>
#include <cstdint>

#include <immintrin.h>

#include "kernels/cpu_features.h"

namespace tpq::kernels {

/// The lanes of register j (16 floats or int32 wide) that exist when `valid` values remain
/// from the first register on: all 16, a prefix, or none.
inline __mmask16 laneMask(int64_t valid, int j) {
    const int64_t n = std::min<int64_t>(16, std::max<int64_t>(0, valid - 16 * j));
    return __mmask16(n == 16 ? 0xFFFFu : (1u << n) - 1u);
}

TPQ_TARGET_AVX512 inline __m512 exp512(__m512 x) {
    // Below -87.3 the result would be denormal: give exactly 0 (a masked-out key's weight).
    const __mmask16 normal = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.33654f), _CMP_GE_OQ);
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.3762626647949f)), _mm512_set1_ps(-87.33654f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_maskz_mov_ps(normal, _mm512_scalef_ps(p, n));
}

TPQ_TARGET_AVX512 inline __m512 erf512(__m512 x) {
    const __m512 ax = _mm512_abs_ps(x);
    // t = 1 / (1 + p |x|): VRCP14PS and one Newton step (error ~1e-8) instead of a division,
    // which costs 5 % of a bert-base int8 forward pass in the GELU epilogue.
    const __m512 den = _mm512_fmadd_ps(ax, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f));
    const __m512 r0 = _mm512_rcp14_ps(den);
    const __m512 t = _mm512_mul_ps(r0, _mm512_fnmadd_ps(den, r0, _mm512_set1_ps(2.0f)));
    __m512 p = _mm512_set1_ps(1.061405429f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    p = _mm512_mul_ps(p, t);
    const __m512 e = exp512(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), ax), ax));
    const __m512 y = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1.0f));  // erf(|x|)
    // erf is odd: give y the sign of x.
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(y), _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(int(0x80000000u)))));
}

TPQ_TARGET_AVX512 inline __m512 gelu512(__m512 x) {
    const __m512 half = _mm512_mul_ps(x, _mm512_set1_ps(0.5f));
    const __m512 e = erf512(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)));
    return _mm512_fmadd_ps(half, e, half);
}

}  // namespace tpq::kernels
