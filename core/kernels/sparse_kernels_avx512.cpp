/// \file sparse_kernels_avx512.cpp
/// sparse_kernels.h on AVX-512 VNNI (the fp32 rows too: every CPU with our AVX-512 paths has it).

#include <type_traits>

#include <immintrin.h>

#include "kernels/sparse_kernels.h"

// As in int8_gemm_vnni.cpp: GCC 12's masked-load intrinsics trip its uninitialized-value warnings.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/cpu_features.h"

namespace tpq::sparse::detail {
namespace {

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

inline __mmask16 prefix(int64_t n) {
    return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
}

// NT registers of 16 accumulators per row; units alternate between two sets so that
// enough multiply-adds are in flight (4 or 5 cycles of latency, two pipes). The rows of a
// panel run in one call: the next row's loads start while the last one's sums finish.
// (Compiled for AVX-512 VNNI as a whole, fp32 too: every CPU with our AVX-512 paths has it.)
template <int NT, class Acc, class Value, class Load, class Fma, class Splat>
TPQ_TARGET_AVX512_VNNI inline __attribute__((always_inline)) void panelRows(const Value* xt, int64_t T,
                                                                            const int32_t* index,
                                                                            const typename Splat::Scalar* values,
                                                                            const int64_t* start, int64_t stride,
                                                                            int64_t rows, int64_t chunk, Value* out) {
    for (int64_t o = 0; o < rows; ++o) {
        int64_t j = start[o * stride + chunk];
        const int64_t end = start[o * stride + chunk + 1];
        Value* dst = out + o * T;
        Acc a[NT], b[NT];
#pragma GCC unroll 8
        for (int i = 0; i < NT; ++i) {
            a[i] = chunk > 0 ? Load::at(dst + 16 * i) : Load::zero();
            b[i] = Load::zero();
        }
        for (; j + 2 <= end; j += 2) {
            const Value* x0 = xt + int64_t(index[j]) * T;
            const Value* x1 = xt + int64_t(index[j + 1]) * T;
            const Acc w0 = Splat::of(values[j]), w1 = Splat::of(values[j + 1]);
#pragma GCC unroll 8
            for (int i = 0; i < NT; ++i) {
                a[i] = Fma::run(a[i], Load::at(x0 + 16 * i), w0);
                b[i] = Fma::run(b[i], Load::at(x1 + 16 * i), w1);
            }
        }
        if (j < end) {
            const Value* x0 = xt + int64_t(index[j]) * T;
            const Acc w0 = Splat::of(values[j]);
#pragma GCC unroll 8
            for (int i = 0; i < NT; ++i) a[i] = Fma::run(a[i], Load::at(x0 + 16 * i), w0);
        }
#pragma GCC unroll 8
        for (int i = 0; i < NT; ++i) Load::store(dst + 16 * i, Fma::add(a[i], b[i]));
    }
}

struct F32 {
    using Scalar = float;
    TPQ_TARGET_AVX512_VNNI static __m512 at(const float* p) { return _mm512_load_ps(p); }
    TPQ_TARGET_AVX512_VNNI static __m512 zero() { return _mm512_setzero_ps(); }
    TPQ_TARGET_AVX512_VNNI static void store(float* p, __m512 v) { _mm512_store_ps(p, v); }
    TPQ_TARGET_AVX512_VNNI static __m512 run(__m512 acc, __m512 x, __m512 w) { return _mm512_fmadd_ps(x, w, acc); }
    TPQ_TARGET_AVX512_VNNI static __m512 add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
    TPQ_TARGET_AVX512_VNNI static __m512 of(float w) { return _mm512_set1_ps(w); }
};
struct I8 {
    using Scalar = int32_t;
    TPQ_TARGET_AVX512_VNNI static __m512i at(const uint32_t* p) { return _mm512_load_si512(p); }
    TPQ_TARGET_AVX512_VNNI static __m512i at(const int32_t* p) { return _mm512_load_si512(p); }
    TPQ_TARGET_AVX512_VNNI static __m512i zero() { return _mm512_setzero_si512(); }
    TPQ_TARGET_AVX512_VNNI static void store(int32_t* p, __m512i v) { _mm512_store_si512(p, v); }
    TPQ_TARGET_AVX512_VNNI static __m512i run(__m512i acc, __m512i x, __m512i w) {
        return _mm512_dpbusd_epi32(acc, x, w);
    }
    TPQ_TARGET_AVX512_VNNI static __m512i add(__m512i a, __m512i b) { return _mm512_add_epi32(a, b); }
    TPQ_TARGET_AVX512_VNNI static __m512i of(int32_t w) { return _mm512_set1_epi32(w); }
};

template <int NT>
TPQ_TARGET_AVX512_VNNI void fp32PanelT(const float* xt, int64_t T, const int32_t* index, const float* values,
                                       const int64_t* start, int64_t stride, int64_t rows, int64_t chunk, float* out) {
    panelRows<NT, __m512, float, F32, F32, F32>(xt, T, index, values, start, stride, rows, chunk, out);
}

// The int8 rows read uint32 inputs and write int32 sums (the same 4-byte lanes).
template <int NT>
TPQ_TARGET_AVX512_VNNI void int8PanelT(const uint32_t* xt, int64_t T, const int32_t* index, const int32_t* weights,
                                       const int64_t* start, int64_t stride, int64_t rows, int64_t chunk,
                                       int32_t* out) {
    panelRows<NT, __m512i, int32_t, I8, I8, I8>(reinterpret_cast<const int32_t*>(xt), T, index, weights, start, stride,
                                                rows, chunk, out);
}

}  // namespace

TPQ_TARGET_AVX512 void transposeToColumns(const uint32_t* src, int64_t ld, int64_t rows, int64_t cols, uint32_t* dst,
                                          int64_t T) {
    for (int64_t t0 = 0; t0 < T; t0 += 16) {
        const int64_t n = rows - t0;  // rows of this block that exist (may be <= 0)
        for (int64_t c0 = 0; c0 < cols; c0 += 16) {
            const __mmask16 mask = prefix(cols - c0);
            __m512i r[16];
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i)
                r[i] = i < n ? _mm512_maskz_loadu_epi32(mask, src + (t0 + i) * ld + c0) : _mm512_setzero_si512();
            transpose16(r);
            const int64_t m = cols - c0 < 16 ? cols - c0 : 16;
            for (int64_t c = 0; c < m; ++c) _mm512_store_si512(dst + (c0 + c) * T + t0, r[c]);
        }
    }
}

TPQ_TARGET_AVX512 void transposeBlock(const uint32_t* src, int64_t T, uint32_t* out) {
    __m512i r[16];
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) r[j] = _mm512_load_si512(src + j * T);
    transpose16(r);
#pragma GCC unroll 16
    for (int t = 0; t < 16; ++t) _mm512_store_si512(out + 16 * t, r[t]);
}

namespace {

// f(std::integral_constant<int, T / 16>{}): the registers of tokens a tile of T fills (1-4).
template <class F>
void byRegisters(int64_t T, F f) {
    switch (T / 16) {
        case 4:
            return f(std::integral_constant<int, 4>{});
        case 3:
            return f(std::integral_constant<int, 3>{});
        case 2:
            return f(std::integral_constant<int, 2>{});
        default:
            return f(std::integral_constant<int, 1>{});
    }
}

}  // namespace

void fp32Panel(const float* xt, int64_t T, const int32_t* index, const float* values, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, float* out) {
    byRegisters(T, [&](auto nt) { fp32PanelT<nt()>(xt, T, index, values, start, stride, rows, chunk, out); });
}

void int8Panel(const uint32_t* xt, int64_t T, const int32_t* index, const int32_t* weights, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, int32_t* out) {
    byRegisters(T, [&](auto nt) { int8PanelT<nt()>(xt, T, index, weights, start, stride, rows, chunk, out); });
}

}  // namespace tpq::sparse::detail
