#pragma once
/// \file vector_math.h
/// exp, erf and GELU on 16 floats at once (AVX-512), for the kernels' epilogues, and the
/// lane mask of a partly filled register. Internal to
/// core/kernels/: include only from a file whose callers check cpu_features first.
///   exp: Cephes' polynomial on [-ln2/2, ln2/2] and VSCALEFPS for the power of two,
///        relative error < 2e-7 on [-87.3, 88]; below that exactly 0.
///   erf: a degree-5 polynomial on each quarter of [0, 4) (coefficients picked per lane by
///        VPERMPS), 1 beyond; absolute error < 6e-8 on a grid of 4M points in [-6, 6]
///        (A & S 7.1.26 with exp, used before: 6.9e-7) at 0.6 of its time.
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

/// erf's polynomials: on each of 16 intervals of |x| (width 1/4, from 0 to 4) a degree-5
/// polynomial in the distance from the interval's centre, c[i][k] the coefficient of u^i on
/// interval k (Chebyshev fits, mpmath, error < 6e-9 before float rounding).
alignas(64) inline constexpr float kErfPoly[6][16] = {
    {1.403162021e-01f, 4.041169035e-01f, 6.232408773e-01f, 7.840750598e-01f, 8.883882335e-01f, 9.481700754e-01f,
     9.784437350e-01f, 9.919900582e-01f, 9.973459704e-01f, 9.992170614e-01f, 9.997946240e-01f, 9.999521450e-01f,
     9.999901032e-01f, 9.999981847e-01f, 9.999997049e-01f, 9.999999575e-01f},
    {1.110885267e+00f, 9.803528089e-01f, 7.634995374e-01f, 5.247450475e-01f, 3.182739596e-01f, 1.703597735e-01f,
     8.047225829e-02f, 3.354582784e-02f, 1.234082039e-02f, 4.006477875e-03f, 1.147875207e-03f, 2.902283458e-04f,
     6.475871507e-05f, 1.275175304e-05f, 2.215924070e-06f, 3.398233491e-07f},
    {-1.388575638e-01f, -3.676254572e-01f, -4.771815527e-01f, -4.591504852e-01f, -3.580603183e-01f, -2.342477190e-01f,
     -1.307693987e-01f, -6.289899647e-02f, -2.622399795e-02f, -9.514959112e-03f, -3.012863761e-03f, -8.342493293e-04f,
     -2.023084244e-04f, -4.301684876e-05f, -8.027220069e-06f, -1.315554654e-06f},
    {-3.587200869e-01f, -2.348754447e-01f, -5.567374017e-02f, 9.292105811e-02f, 1.624510148e-01f, 1.579378969e-01f,
     1.148414646e-01f, 6.744176825e-02f, 3.303766278e-02f, 1.373051762e-02f, 4.890333288e-03f, 1.502463469e-03f,
     3.999831088e-04f, 9.256885242e-05f, 1.866938588e-05f, 3.287375521e-06f},
    {6.817823992e-02f, 1.654136341e-01f, 1.754935839e-01f, 1.121528127e-01f, 2.833496446e-02f, -2.998295994e-02f,
     -4.938125657e-02f, -4.216307939e-02f, -2.640294865e-02f, -1.320595467e-02f, -5.466939217e-03f, -1.908536220e-03f,
     -5.682208996e-04f, -1.453421063e-04f, -3.210335674e-05f, -6.146363526e-06f},
    {1.036211082e-01f, 4.534745909e-02f, -2.708888770e-02f, -6.678137927e-02f, -6.109867157e-02f, -3.063858768e-02f,
     -2.279288110e-03f, 1.134722386e-02f, 1.245155311e-02f, 8.360143116e-03f, 4.233775511e-03f, 1.725644894e-03f,
     5.832175947e-04f, 1.661776901e-04f, 4.033509544e-05f, 8.398557784e-06f}};

/// Coefficient i of each lane's interval.
TPQ_TARGET_AVX512 inline __m512 erfCoefficient(int i, __m512i interval) {
    return _mm512_permutexvar_ps(interval, _mm512_load_ps(kErfPoly[i]));
}

TPQ_TARGET_AVX512 inline __m512 erf512(__m512 x) {
    // |x| >= 4: erf is 1 to within 1.6e-8; |x| is clamped there (the last interval's end).
    const __m512 ax = _mm512_min_ps(_mm512_abs_ps(x), _mm512_set1_ps(4.0f));
    // The interval k = floor(4 |x|) (at most 15), u = |x| - (k + 1/2) / 4; the 16 intervals'
    // coefficients are one register each, picked per lane by VPERMPS.
    const __m512 k = _mm512_min_ps(
        _mm512_roundscale_ps(_mm512_mul_ps(ax, _mm512_set1_ps(4.0f)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC),
        _mm512_set1_ps(15.0f));
    const __m512i idx = _mm512_cvttps_epi32(k);
    const __m512 u = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.25f), _mm512_sub_ps(ax, _mm512_set1_ps(0.125f)));
    __m512 p = _mm512_fmadd_ps(erfCoefficient(5, idx), u, erfCoefficient(4, idx));
    for (int i = 3; i >= 0; --i) p = _mm512_fmadd_ps(p, u, erfCoefficient(i, idx));
    // erf is odd: give p the sign of x.
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(p), _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(int(0x80000000u)))));
}

TPQ_TARGET_AVX512 inline __m512 gelu512(__m512 x) {
    const __m512 half = _mm512_mul_ps(x, _mm512_set1_ps(0.5f));
    const __m512 e = erf512(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)));
    return _mm512_fmadd_ps(half, e, half);
}

}  // namespace tpq::kernels
