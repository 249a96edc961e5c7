/// \file sparse_kernels_avx512.cpp
/// sparse_kernels.h on AVX-512 VNNI (the fp32 rows too: every CPU with our AVX-512 paths has it).

#include <type_traits>

#include <immintrin.h>

#include "kernels/sparse_kernels.h"
#include "kernels/transpose16.h"
#include "kernels/vector_math.h"

// As in int8_gemm_vnni.cpp: GCC 12's masked-load intrinsics trip its uninitialized-value warnings.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/cpu_features.h"

namespace tpq::sparse::detail {
namespace {

// NT registers of 16 accumulators per row; units alternate between two sets so that
// enough multiply-adds are in flight (4 cycles of latency, two pipes). The rows of a panel
// run in one call: the next row's loads start while the last one's sums finish. Pairs:
// every row's units of a chunk come in pairs (no odd one to test for: a mispredicted branch
// per row and chunk, with the byte offsets instead of index x T, made the int8 rows 12-21%
// faster on bert-base shapes at 80-90% sparsity, Zen 5).
// (Compiled for AVX-512 VNNI as a whole, fp32 too: every CPU with our AVX-512 paths has it.)
template <int NT, bool Pairs, class Acc, class Value, class Load, class Fma, class Splat>
TPQ_TARGET_AVX512_VNNI inline __attribute__((always_inline)) void panelRows(const Value* xt, int64_t T,
                                                                            const int32_t* offsets,
                                                                            const typename Splat::Scalar* values,
                                                                            const int64_t* start, int64_t stride,
                                                                            int64_t rows, int64_t chunk, Value* out) {
    const char* base = reinterpret_cast<const char*>(xt);
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
        for (; Pairs ? j < end : j + 2 <= end; j += 2) {
            const Value* x0 = reinterpret_cast<const Value*>(base + offsets[j]);
            const Value* x1 = reinterpret_cast<const Value*>(base + offsets[j + 1]);
            const Acc w0 = Splat::of(values[j]), w1 = Splat::of(values[j + 1]);
#pragma GCC unroll 8
            for (int i = 0; i < NT; ++i) {
                a[i] = Fma::run(a[i], Load::at(x0 + 16 * i), w0);
                b[i] = Fma::run(b[i], Load::at(x1 + 16 * i), w1);
            }
        }
        if (!Pairs && j < end) {
            const Value* x0 = reinterpret_cast<const Value*>(base + offsets[j]);
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
TPQ_TARGET_AVX512_VNNI void fp32PanelT(const float* xt, int64_t T, const int32_t* offsets, const float* values,
                                       const int64_t* start, int64_t stride, int64_t rows, int64_t chunk, float* out) {
    panelRows<NT, false, __m512, float, F32, F32, F32>(xt, T, offsets, values, start, stride, rows, chunk, out);
}

// The int8 rows read uint32 inputs and write int32 sums (the same 4-byte lanes).
template <int NT>
TPQ_TARGET_AVX512_VNNI void int8PanelT(const uint32_t* xt, int64_t T, const int32_t* offsets, const int32_t* weights,
                                       const int64_t* start, int64_t stride, int64_t rows, int64_t chunk,
                                       int32_t* out) {
    panelRows<NT, true, __m512i, int32_t, I8, I8, I8>(reinterpret_cast<const int32_t*>(xt), T, offsets, weights, start,
                                                      stride, rows, chunk, out);
}

// fp32 blocks: each unit's 4 rows, one after the other in the tile, into 4 sets of NT
// accumulators (one per input of the block: 16 independent sums in flight).
template <int NT>
TPQ_TARGET_AVX512_VNNI void fp32BlockPanelT(const float* xt, int64_t T, const int32_t* offsets, const float* values,
                                            const int64_t* start, int64_t stride, int64_t rows, int64_t chunk,
                                            float* out) {
    const char* base = reinterpret_cast<const char*>(xt);
    constexpr int64_t kRow = kRowBytes / int64_t(sizeof(float));  // floats from one input's row to the next
    for (int64_t o = 0; o < rows; ++o) {
        const int64_t end = start[o * stride + chunk + 1];
        float* dst = out + o * T;
        __m512 a[NT], b[NT], c[NT], d[NT];
#pragma GCC unroll 8
        for (int i = 0; i < NT; ++i) {
            a[i] = chunk > 0 ? _mm512_load_ps(dst + 16 * i) : _mm512_setzero_ps();
            b[i] = c[i] = d[i] = _mm512_setzero_ps();
        }
        for (int64_t j = start[o * stride + chunk]; j < end; ++j) {
            const float* x = reinterpret_cast<const float*>(base + offsets[j]);
            const float* w = values + 4 * j;
            const __m512 w0 = _mm512_set1_ps(w[0]), w1 = _mm512_set1_ps(w[1]), w2 = _mm512_set1_ps(w[2]),
                         w3 = _mm512_set1_ps(w[3]);
#pragma GCC unroll 8
            for (int i = 0; i < NT; ++i) {
                a[i] = _mm512_fmadd_ps(_mm512_load_ps(x + 16 * i), w0, a[i]);
                b[i] = _mm512_fmadd_ps(_mm512_load_ps(x + kRow + 16 * i), w1, b[i]);
                c[i] = _mm512_fmadd_ps(_mm512_load_ps(x + 2 * kRow + 16 * i), w2, c[i]);
                d[i] = _mm512_fmadd_ps(_mm512_load_ps(x + 3 * kRow + 16 * i), w3, d[i]);
            }
        }
#pragma GCC unroll 8
        for (int i = 0; i < NT; ++i)
            _mm512_store_ps(dst + 16 * i, _mm512_add_ps(_mm512_add_ps(a[i], b[i]), _mm512_add_ps(c[i], d[i])));
    }
}

}  // namespace

TPQ_TARGET_AVX512 void transposeToColumns(const uint32_t* src, int64_t ld, int64_t rows, int64_t cols, uint32_t* dst,
                                          int64_t T) {
    for (int64_t t0 = 0; t0 < T; t0 += 16) {
        const int64_t n = rows - t0;  // rows of this block that exist (may be <= 0)
        for (int64_t c0 = 0; c0 < cols; c0 += 16) {
            const __mmask16 mask = kernels::laneMask(cols - c0, 0);
            __m512i r[16];
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i)
                r[i] = i < n ? _mm512_maskz_loadu_epi32(mask, src + (t0 + i) * ld + c0) : _mm512_setzero_si512();
            kernels::transpose16(r);
            const int64_t m = cols - c0 < 16 ? cols - c0 : 16;
            for (int64_t c = 0; c < m; ++c) _mm512_store_si512(dst + (c0 + c) * kTile + t0, r[c]);
        }
    }
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

void fp32Panel(const float* xt, int64_t T, const int32_t* offsets, const float* values, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, float* out) {
    byRegisters(T, [&](auto nt) { fp32PanelT<nt()>(xt, T, offsets, values, start, stride, rows, chunk, out); });
}

void fp32BlockPanel(const float* xt, int64_t T, const int32_t* offsets, const float* values, const int64_t* start,
                    int64_t stride, int64_t rows, int64_t chunk, float* out) {
    byRegisters(T, [&](auto nt) { fp32BlockPanelT<nt()>(xt, T, offsets, values, start, stride, rows, chunk, out); });
}

void int8Panel(const uint32_t* xt, int64_t T, const int32_t* offsets, const int32_t* weights, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, int32_t* out) {
    byRegisters(T, [&](auto nt) { int8PanelT<nt()>(xt, T, offsets, weights, start, stride, rows, chunk, out); });
}

}  // namespace tpq::sparse::detail
