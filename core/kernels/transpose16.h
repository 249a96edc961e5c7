#pragma once
/// \file transpose16.h
/// The in-register transpose of 16 x 16 4-byte values (AVX-512), for the sparse products'
/// tiles (sparse_kernels_avx512.cpp) and their int8 epilogue (int8_gemm_vnni.cpp). Internal
/// to core/kernels/: include only from a file whose callers check cpu_features first.

#include <immintrin.h>

#include "kernels/cpu_features.h"

namespace tpq::kernels {

// In-register transpose of 16 rows of 16 4-byte values (64 shuffles): unpack pairs of
// rows by 32 then 64 bits (4 x 4 blocks within each 128-bit lane), then move the lanes.
TPQ_TARGET_AVX512 inline void transpose16(__m512i r[16]) {
    __m512i t[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    // u[4g + c]: lane L holds column 4L + c of rows 4g..4g+3.
#pragma GCC unroll 16
    for (int g = 0; g < 16; g += 4) {
        r[g] = _mm512_unpacklo_epi64(t[g], t[g + 2]);
        r[g + 1] = _mm512_unpackhi_epi64(t[g], t[g + 2]);
        r[g + 2] = _mm512_unpacklo_epi64(t[g + 1], t[g + 3]);
        r[g + 3] = _mm512_unpackhi_epi64(t[g + 1], t[g + 3]);
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
        t[c] = _mm512_shuffle_i32x4(r[c], r[4 + c], 0x44);      // lanes 0, 1 of rows 0-3 and 4-7
        t[4 + c] = _mm512_shuffle_i32x4(r[c], r[4 + c], 0xEE);  // lanes 2, 3
        t[8 + c] = _mm512_shuffle_i32x4(r[8 + c], r[12 + c], 0x44);
        t[12 + c] = _mm512_shuffle_i32x4(r[8 + c], r[12 + c], 0xEE);
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
        r[c] = _mm512_shuffle_i32x4(t[c], t[8 + c], 0x88);      // column c
        r[4 + c] = _mm512_shuffle_i32x4(t[c], t[8 + c], 0xDD);  // column 4 + c
        r[8 + c] = _mm512_shuffle_i32x4(t[4 + c], t[12 + c], 0x88);
        r[12 + c] = _mm512_shuffle_i32x4(t[4 + c], t[12 + c], 0xDD);
    }
}

}  // namespace tpq::kernels
