/// \file int8_gemm_avx2.cpp
/// The AVX2 path of int8_gemm.h, on VPMADDUBSW: 32 uint8 x int8 products summed in pairs
/// to int16, then VPMADDWD by ones to int32 — 32 multiply-adds per two multiplier
/// instructions, ~82 GMAC/s per core on a Zen 3 at 3.5 GHz (VPMADDWD on inputs widened to
/// int16 reaches ~61, fp32 FMA 56). The pair sum saturates int16 when both products are
/// large (2 x 255 x 127 > 32767), so inputs are quantized to 7 bits (0..127; 2 x 127 x 127
/// fits), as PyTorch's reduce_range does on x86 CPUs without VNNI: dynamic inputs per row
/// to 128 levels, static ones on their calibrated range at half the resolution. The int32
/// sums are then exact. Tiles of 4 rows x 16 outputs: 8 accumulators, 2 weight registers,
/// the input broadcast, the ones and a temporary.

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <ATen/Parallel.h>
#include <immintrin.h>
#include <torch/torch.h>

#include "kernels/int8_gemm_paths.h"
#include "kernels/vector_math_avx2.h"

namespace tpq::int8gemm::detail {
namespace {

constexpr int64_t kBlock = kAvx2Block;       // outputs per block: two registers of 8 int32
constexpr int kRows = 4;                     // rows per tile
constexpr int64_t kChunkBytes = 128 * 1024;  // codes of a row chunk: kept in L2 while every block passes
constexpr float kLevels = 127.0f;            // 7-bit inputs

struct RowQuant {
    float* scale;  // per row; NaN for a row holding NaN or infinity
    int32_t* zero;
};

// clamp(round(v * inv + zero), 0, 127) for 8 floats, as int32 (clamped in float first, so a
// value far outside a static range still lands on 0 or 127).
TPQ_TARGET_AVX2 inline __m256i toCode(__m256 v, __m256 inv, __m256 zero) {
    const __m256 t =
        _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, inv, zero), _mm256_setzero_ps()), _mm256_set1_ps(kLevels));
    return _mm256_cvtps_epi32(t);
}

inline uint8_t toCodeScalar(float v, float inv, float zero) {
    const float t = std::min(kLevels, std::max(0.0f, std::fma(v, inv, zero)));
    return uint8_t(std::nearbyint(t));
}

// The codes of one row (length `in`) into q (inPadded bytes, padding zero).
TPQ_TARGET_AVX2 void encodeRow(const float* xr, int64_t in, int64_t inPadded, float scale, int32_t zero, uint8_t* q) {
    const float invScalar = 1.0f / scale, zeroScalar = float(zero);
    const __m256 inv = _mm256_set1_ps(invScalar), zf = _mm256_set1_ps(zeroScalar);
    int64_t k = 0;
    for (; k + 32 <= in; k += 32) {
        const __m256i a = toCode(_mm256_loadu_ps(xr + k), inv, zf), b = toCode(_mm256_loadu_ps(xr + k + 8), inv, zf);
        const __m256i c = toCode(_mm256_loadu_ps(xr + k + 16), inv, zf),
                      d = toCode(_mm256_loadu_ps(xr + k + 24), inv, zf);
        // packs interleave the 128-bit halves: ab = a0 b0 a1 b1 (4 lanes each), abcd = a0 b0 c0 d0 a1 b1 c1 d1.
        const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
        const __m256i abcd = _mm256_packus_epi16(ab, cd);
        const __m256i ordered = _mm256_permutevar8x32_epi32(abcd, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + k), ordered);
    }
    for (; k < in; ++k) q[k] = toCodeScalar(xr[k], invScalar, zeroScalar);
    for (; k < inPadded; ++k) q[k] = 0;
}

// Per-row dynamic quantization: scale = (max - min) / 127 over the row with 0 included,
// zero point round(-min / scale).
TPQ_TARGET_AVX2 void quantizeRowsDynamic(const float* x, int64_t rows, int64_t in, int64_t inPadded, uint8_t* q,
                                         RowQuant rq) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * in;
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps(), nan = _mm256_setzero_ps();
        int64_t k = 0;
        for (; k + 8 <= in; k += 8) {
            const __m256 v = _mm256_loadu_ps(xr + k);
            lo = _mm256_min_ps(lo, v);
            hi = _mm256_max_ps(hi, v);
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        }
        float mn = kernels::horizontalMin(lo), mx = kernels::horizontalMax(hi);
        bool notFinite = _mm256_movemask_ps(nan) != 0;
        for (; k < in; ++k) {
            notFinite = notFinite || std::isnan(xr[k]);
            mn = std::min(mn, xr[k]);
            mx = std::max(mx, xr[k]);
        }
        notFinite = notFinite || std::isinf(mn) || std::isinf(mx);
        float scale = (mx - mn) / kLevels;
        int32_t zero = 0;
        if (notFinite) {
            // No meaningful range: the row's outputs become NaN, as the float product's would.
            scale = 1.0f;
        } else if (!(scale > 0.0f)) {
            scale = 1.0f;  // an all-zero row
        } else {
            zero = std::min(int32_t(kLevels), std::max(0, int32_t(std::lround(-mn / scale))));
        }
        rq.scale[r] = notFinite ? std::numeric_limits<float>::quiet_NaN() : scale;
        rq.zero[r] = zero;
        encodeRow(xr, in, inPadded, scale, zero, q + r * inPadded);
    }
}

// The calibrated 8-bit input range on 7 bits: the same range, half the resolution.
StaticScales inputOn7Bits(const StaticScales& s) {
    StaticScales t = s;
    t.inScale = s.inScale * 255.0f / kLevels;
    t.inZero = std::min(int32_t(kLevels), std::max(0, int32_t(std::lround(double(s.inZero) * kLevels / 255.0))));
    return t;
}

// Static quantization: the calibrated scale and zero point for every row; no range pass,
// only a check for NaN and infinity.
TPQ_TARGET_AVX2 void quantizeRowsStatic(const float* x, int64_t rows, int64_t in, int64_t inPadded, uint8_t* q,
                                        RowQuant rq, const StaticScales& s) {
    const __m256 inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * in;
        __m256 bad = _mm256_setzero_ps();
        int64_t k = 0;
        for (; k + 8 <= in; k += 8) {
            // |v| < inf is false for NaN and both infinities.
            const __m256 v = _mm256_and_ps(_mm256_loadu_ps(xr + k), absMask);
            bad = _mm256_or_ps(bad, _mm256_cmp_ps(v, inf, _CMP_NLT_UQ));
        }
        bool notFinite = _mm256_movemask_ps(bad) != 0;
        for (; k < in; ++k) notFinite = notFinite || !std::isfinite(xr[k]);
        rq.scale[r] = notFinite ? std::numeric_limits<float>::quiet_NaN() : s.inScale;
        rq.zero[r] = s.inZero;
        encodeRow(xr, in, inPadded, s.inScale, s.inZero, q + r * inPadded);
    }
}

#define TPQ_ROW(i)                                                                                    \
    if (MR > i) {                                                                                     \
        const __m256i av = _mm256_set1_epi32(*reinterpret_cast<const int32_t*>(a + i * lda + 4 * k)); \
        c##i##0 = _mm256_add_epi32(c##i##0, _mm256_madd_epi16(_mm256_maddubs_epi16(av, w0), ones));   \
        c##i##1 = _mm256_add_epi32(c##i##1, _mm256_madd_epi16(_mm256_maddubs_epi16(av, w1), ones));   \
    }
#define TPQ_SAVE(i)                                                                     \
    if (MR > i) {                                                                       \
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i * kBlock), c##i##0);     \
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i * kBlock + 8), c##i##1); \
    }

// The int32 sums of MR rows x 16 outputs into out[MR][16]; named accumulators stay in
// registers (see the VNNI path), the epilogue is elsewhere. b: per group of 4 inputs, 16
// outputs x 4 int8.
template <int MR>
TPQ_TARGET_AVX2 __attribute__((noinline)) void dotTile(const uint8_t* a, int64_t lda, const int8_t* b, int64_t in4,
                                                       int32_t* out) {
    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t k = 0; k < in4; ++k) {
        const int8_t* bk = b + k * 64;
        __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bk));
        __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bk + 32));
        asm("" : "+x"(w0), "+x"(w1));
        TPQ_ROW(0) TPQ_ROW(1) TPQ_ROW(2) TPQ_ROW(3)
    }
    TPQ_SAVE(0) TPQ_SAVE(1) TPQ_SAVE(2) TPQ_SAVE(3)
}
#undef TPQ_ROW
#undef TPQ_SAVE

struct Tile {
    const uint8_t* a;      // first row's codes
    int64_t lda;           // inPadded
    const int8_t* b;       // the block's packed weights
    int64_t in4;           // inPadded / 4
    const float* scale;    // the block's weight scales (16)
    const int32_t* sum;    // the block's column sums (16)
    const float* bias;     // the block's biases (16)
    const float* xscale;   // the rows' scales
    const int32_t* xzero;  // the rows' zero points
    float* y;              // first row, first column of the block
    int64_t ldy;           // out
    int valid;             // outputs of the block that exist (1..16)
};

template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX2 void tileRows(int rows, const Tile& t, const StaticScales* s) {
    alignas(32) int32_t sums[kRows * kBlock];
    switch (rows) {
        case 4:
            dotTile<4>(t.a, t.lda, t.b, t.in4, sums);
            break;
        case 3:
            dotTile<3>(t.a, t.lda, t.b, t.in4, sums);
            break;
        case 2:
            dotTile<2>(t.a, t.lda, t.b, t.in4, sums);
            break;
        default:
            dotTile<1>(t.a, t.lda, t.b, t.in4, sums);
            break;
    }
    for (int i = 0; i < rows; ++i) {
        const __m256i zero = _mm256_set1_epi32(t.xzero[i]);
        const __m256 rowScale = _mm256_set1_ps(t.xscale[i]);
        for (int j = 0; j < 2; ++j) {
            const int valid = t.valid - 8 * j;
            if (valid <= 0) break;
            const __m256i acc = _mm256_load_si256(reinterpret_cast<const __m256i*>(sums + i * kBlock + 8 * j));
            const __m256i colsum = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.sum + 8 * j));
            const __m256i v = _mm256_sub_epi32(acc, _mm256_mullo_epi32(zero, colsum));
            __m256 f = _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), _mm256_mul_ps(rowScale, _mm256_loadu_ps(t.scale + 8 * j)),
                                       _mm256_loadu_ps(t.bias + 8 * j));
            if (Requantize) {
                // Onto the calibrated output grid: (clamp(round(f / so) + zo, 0, 255) - zo) * so.
                const __m256 zo = _mm256_set1_ps(float(s->outZero));
                const __m256 code = _mm256_round_ps(
                    _mm256_min_ps(
                        _mm256_max_ps(_mm256_fmadd_ps(f, _mm256_set1_ps(1.0f / s->outScale), zo), _mm256_setzero_ps()),
                        _mm256_set1_ps(255.0f)),
                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                // A NaN row stays NaN (max/min would have turned it into a number).
                const __m256 nan = _mm256_cmp_ps(f, f, _CMP_UNORD_Q);
                f = _mm256_or_ps(_mm256_mul_ps(_mm256_sub_ps(code, zo), _mm256_set1_ps(s->outScale)), nan);
            }
            if (Gelu) f = kernels::gelu256(f);
            kernels::storeFirst(t.y + i * t.ldy + 8 * j, f, valid);
        }
    }
}

template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX2 void multiplyRows(int64_t r0, int64_t r1, const PackedWeight& w, const uint8_t* q, const float* xscale,
                                  const int32_t* xzero, float* y, const StaticScales* s) {
    const int64_t in4 = w.inPadded / 4;
    const int8_t* data = w.data.data_ptr<int8_t>();
    const float* scale = w.scale.data_ptr<float>();
    const int32_t* sum = w.colsum.data_ptr<int32_t>();
    const float* bias = w.bias.data_ptr<float>();
    const int64_t chunk = std::max<int64_t>(kRows, kChunkBytes / w.inPadded / kRows * kRows);
    for (int64_t c0 = r0; c0 < r1; c0 += chunk) {
        const int64_t c1 = std::min(r1, c0 + chunk);
        for (int64_t n0 = 0; n0 < w.outPadded; n0 += kBlock) {
            Tile t{};
            t.lda = w.inPadded;
            t.b = data + n0 * w.inPadded;
            t.in4 = in4;
            t.scale = scale + n0;
            t.sum = sum + n0;
            t.bias = bias + n0;
            t.ldy = w.out;
            t.valid = int(std::min<int64_t>(kBlock, w.out - n0));
            for (int64_t m = c0; m < c1; m += kRows) {
                t.a = q + m * w.inPadded;
                t.xscale = xscale + m;
                t.xzero = xzero + m;
                t.y = y + m * w.out + n0;
                tileRows<Gelu, Requantize>(int(std::min<int64_t>(kRows, c1 - m)), t, s);
            }
        }
    }
}

template <bool Gelu>
void multiply(int64_t r0, int64_t r1, const PackedWeight& w, const uint8_t* q, const float* xscale,
              const int32_t* xzero, float* y, const StaticScales* s) {
    if (s)
        multiplyRows<Gelu, true>(r0, r1, w, q, xscale, xzero, y, s);
    else
        multiplyRows<Gelu, false>(r0, r1, w, q, xscale, xzero, y, s);
}

// --- int4 weights (W4A8) ---------------------------------------------------------------
// VPMADDUBSW with the nibbles (0..15) as its unsigned operand and the 7-bit input codes as
// the signed one: a pair is at most 2 x 15 x 127 = 3810, so eight steps add up in int16
// (30480 < 32767) before one VPMADDWD widens them: about half the multiplier work of int8.

constexpr int kRows4 = 4;        // rows per int4 tile
constexpr int64_t kSteps16 = 8;  // groups of 4 inputs summed in int16 before widening

#define TPQ_ROW4(i)                                                                                   \
    if (MR > i) {                                                                                     \
        const __m256i av = _mm256_set1_epi32(*reinterpret_cast<const int32_t*>(a + i * lda + 4 * k)); \
        s##i##0 = _mm256_add_epi16(s##i##0, _mm256_maddubs_epi16(w0, av));                            \
        s##i##1 = _mm256_add_epi16(s##i##1, _mm256_maddubs_epi16(w1, av));                            \
    }
#define TPQ_WIDEN4(i)                                                                               \
    if (MR > i) {                                                                                   \
        __m256i* o = reinterpret_cast<__m256i*>(out + i * kBlock);                                  \
        const __m256i v0 = _mm256_madd_epi16(s##i##0, ones), v1 = _mm256_madd_epi16(s##i##1, ones); \
        _mm256_store_si256(o, first ? v0 : _mm256_add_epi32(_mm256_load_si256(o), v0));             \
        _mm256_store_si256(o + 1, first ? v1 : _mm256_add_epi32(_mm256_load_si256(o + 1), v1));     \
    }

// sum_k code[k] * nibble[k] over one group (`steps` groups of 4 inputs) for MR rows x 16
// outputs into out[MR][16] (aligned, overwritten). Per 4 inputs, 32 bytes: the low nibbles
// are the first 8 outputs' 4 weights each, the high nibbles the last 8's.
template <int MR>
TPQ_TARGET_AVX2 __attribute__((noinline)) void dotGroupInt4(const uint8_t* a, int64_t lda, const uint8_t* b,
                                                            int64_t steps, int32_t* out) {
    const __m256i low = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    for (int64_t k0 = 0; k0 < steps; k0 += kSteps16) {
        const bool first = k0 == 0;
        __m256i s00 = _mm256_setzero_si256(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00,
                s31 = s00;
        const int64_t k1 = std::min(steps, k0 + kSteps16);
        for (int64_t k = k0; k < k1; ++k) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32 * k));
            __m256i w0 = _mm256_and_si256(v, low), w1 = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
            asm("" : "+x"(w0), "+x"(w1));
            TPQ_ROW4(0) TPQ_ROW4(1) TPQ_ROW4(2) TPQ_ROW4(3)
        }
        TPQ_WIDEN4(0) TPQ_WIDEN4(1) TPQ_WIDEN4(2) TPQ_WIDEN4(3)
    }
}
#undef TPQ_ROW4
#undef TPQ_WIDEN4

struct Int4Rows {
    const uint8_t* q;      // codes, rows of `in`
    const float* xscale;   // per row
    const int32_t* xzero;  // per row
    const int32_t* qsum;   // per row and group: sum of the group's codes
};

template <bool Gelu>
TPQ_TARGET_AVX2 void int4Tile(int rows, const Int4Rows& r, const PackedInt4Weight& w, int64_t block, float* y) {
    const int64_t steps = w.groupSize / 4;
    const uint8_t* b = w.data.data_ptr<uint8_t>() + block * (w.in / 4) * 32;
    const float* gscale = w.scale.data_ptr<float>() + block * w.groups * kBlock;
    const int32_t* gsum = w.groupSum.data_ptr<int32_t>() + block * w.groups * kBlock;
    const float* bias = w.bias.data_ptr<float>() + block * kBlock;
    alignas(32) int32_t sums[kRows4 * kBlock];
    alignas(32) float acc[kRows4 * kBlock] = {};
    for (int64_t g = 0; g < w.groups; ++g) {
        const uint8_t* a = r.q + g * w.groupSize;
        const uint8_t* bg = b + g * steps * 32;
        switch (rows) {
            case 4:
                dotGroupInt4<4>(a, w.in, bg, steps, sums);
                break;
            case 3:
                dotGroupInt4<3>(a, w.in, bg, steps, sums);
                break;
            case 2:
                dotGroupInt4<2>(a, w.in, bg, steps, sums);
                break;
            default:
                dotGroupInt4<1>(a, w.in, bg, steps, sums);
                break;
        }
        // sum (q - zx)(nibble - 8) = sum q nibble - 8 sum q - zx sum (nibble - 8), times the group's scale.
        for (int i = 0; i < rows; ++i) {
            const __m256i rowPart = _mm256_set1_epi32(8 * r.qsum[i * w.groups + g]);
            const __m256i zero = _mm256_set1_epi32(r.xzero[i]);
            for (int j = 0; j < 2; ++j) {
                const __m256i s = _mm256_load_si256(reinterpret_cast<const __m256i*>(sums + i * kBlock + 8 * j));
                const __m256i gs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(gsum + g * kBlock + 8 * j));
                const __m256i v = _mm256_sub_epi32(_mm256_sub_epi32(s, rowPart), _mm256_mullo_epi32(zero, gs));
                float* f = acc + i * kBlock + 8 * j;
                _mm256_store_ps(f, _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), _mm256_loadu_ps(gscale + g * kBlock + 8 * j),
                                                   _mm256_load_ps(f)));
            }
        }
    }
    const int valid = int(std::min<int64_t>(kBlock, w.out - block * kBlock));
    for (int i = 0; i < rows; ++i) {
        const __m256 sx = _mm256_set1_ps(r.xscale[i]);
        for (int j = 0; j < 2; ++j) {
            const int left = valid - 8 * j;
            if (left <= 0) break;
            __m256 f = _mm256_fmadd_ps(_mm256_load_ps(acc + i * kBlock + 8 * j), sx, _mm256_loadu_ps(bias + 8 * j));
            if (Gelu) f = kernels::gelu256(f);
            kernels::storeFirst(y + i * w.out + 8 * j, f, left);
        }
    }
}

// Per row and group, the sum of the codes.
void groupSums(const uint8_t* q, int64_t rows, int64_t in, int64_t groupSize, int32_t* out) {
    const int64_t groups = in / groupSize;
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t g = 0; g < groups; ++g) {
            const uint8_t* p = q + r * in + g * groupSize;
            int32_t s = 0;
            for (int64_t k = 0; k < groupSize; ++k) s += p[k];
            out[r * groups + g] = s;
        }
    }
}

}  // namespace

void runInt4Avx2(const float* xp, int64_t rows, const PackedInt4Weight& w, float* y, Activation activation) {
    const int64_t in = w.in;
    at::Tensor q = at::empty({rows * in}, at::kByte);
    at::Tensor xscale = at::empty({rows}, at::kFloat);
    at::Tensor xzero = at::empty({rows}, at::kInt);
    at::Tensor qsum = at::empty({rows * w.groups}, at::kInt);
    uint8_t* qp = q.data_ptr<uint8_t>();
    float* sp = xscale.data_ptr<float>();
    int32_t* zp = xzero.data_ptr<int32_t>();
    int32_t* gp = qsum.data_ptr<int32_t>();
    const int64_t tiles = (rows + kRows4 - 1) / kRows4;
    const int64_t chunk = std::max<int64_t>(kRows4, kChunkBytes / in / kRows4 * kRows4);
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * kRows4, r1 = std::min(rows, t1 * kRows4);
        quantizeRowsDynamic(xp + r0 * in, r1 - r0, in, in, qp + r0 * in, RowQuant{sp + r0, zp + r0});
        groupSums(qp + r0 * in, r1 - r0, in, w.groupSize, gp + r0 * w.groups);
        for (int64_t c0 = r0; c0 < r1; c0 += chunk) {
            const int64_t c1 = std::min(r1, c0 + chunk);
            for (int64_t block = 0; block < w.outPadded / kBlock; ++block) {
                for (int64_t m = c0; m < c1; m += kRows4) {
                    const Int4Rows rr{qp + m * in, sp + m, zp + m, gp + m * w.groups};
                    const int n = int(std::min<int64_t>(kRows4, c1 - m));
                    if (activation == Activation::Gelu)
                        int4Tile<true>(n, rr, w, block, y + m * w.out + block * kBlock);
                    else
                        int4Tile<false>(n, rr, w, block, y + m * w.out + block * kBlock);
                }
            }
        }
    });
}

void reorderAvx2(const int8_t* src, PackedWeight& p) {
    int8_t* dst = p.data.data_ptr<int8_t>();
    const int64_t in4 = p.inPadded / 4;
    for (int64_t n = 0; n < p.out; ++n) {
        const int64_t block = n / kBlock, lane = n % kBlock;
        for (int64_t k = 0; k < p.in; ++k) dst[(block * in4 + k / 4) * 64 + lane * 4 + k % 4] = src[n * p.in + k];
    }
}

void runAvx2(const float* xp, int64_t rows, const std::vector<Product>& products, Activation activation) {
    const int64_t in = products.front().weight->in, inPadded = products.front().weight->inPadded;
    // One set of codes for the dynamic products together, one for each static product.
    struct Codes {
        at::Tensor q, scale, zero;
        StaticScales on7;
        const StaticScales* fixed;
    };
    std::vector<Codes> codes;
    std::vector<size_t> codesOf(products.size());
    for (size_t i = 0; i < products.size(); ++i) {
        const StaticScales* f = products[i].fixed;
        size_t c = codes.size();
        if (!f) {
            for (size_t j = 0; j < codes.size(); ++j)
                if (!codes[j].fixed) c = j;
        }
        if (c == codes.size())
            codes.push_back({at::empty({rows * inPadded}, at::kByte), at::empty({rows}, at::kFloat),
                             at::empty({rows}, at::kInt), f ? inputOn7Bits(*f) : StaticScales{}, f});
        codesOf[i] = c;
    }
    const int64_t tiles = (rows + kRows - 1) / kRows;
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * kRows, r1 = std::min(rows, t1 * kRows);
        for (Codes& c : codes) {
            uint8_t* q = c.q.data_ptr<uint8_t>() + r0 * inPadded;
            const RowQuant rq{c.scale.data_ptr<float>() + r0, c.zero.data_ptr<int32_t>() + r0};
            if (c.fixed)
                quantizeRowsStatic(xp + r0 * in, r1 - r0, in, inPadded, q, rq, c.on7);
            else
                quantizeRowsDynamic(xp + r0 * in, r1 - r0, in, inPadded, q, rq);
        }
        for (size_t i = 0; i < products.size(); ++i) {
            const Codes& c = codes[codesOf[i]];
            const Product& p = products[i];
            const uint8_t* q = c.q.data_ptr<uint8_t>();
            const float* sp = c.scale.data_ptr<float>();
            const int32_t* zp = c.zero.data_ptr<int32_t>();
            if (activation == Activation::Gelu)
                multiply<true>(r0, r1, *p.weight, q, sp, zp, p.y, p.fixed);
            else
                multiply<false>(r0, r1, *p.weight, q, sp, zp, p.y, p.fixed);
        }
    });
}

}  // namespace tpq::int8gemm::detail
