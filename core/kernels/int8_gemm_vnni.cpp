/// \file int8_gemm_vnni.cpp
/// The AVX-512 VNNI and AMX paths of int8_gemm.h: quantization of the inputs, the epilogue,
/// and the int32 sums by VPDPBUSD (6 rows x 64 outputs per tile) or on AMX tiles
/// (int8_gemm_amx.cpp, 32 rows x 64 outputs).

#include <immintrin.h>

#include "kernels/int8_gemm_paths.h"

// GCC 12's own _mm512_reduce_* and masked-load intrinsics trip its uninitialized-value
// warnings (the undefined upper half they start from); the code here is not affected.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/sparse_kernels.h"
#include "kernels/transpose16.h"
#include "kernels/vector_math.h"
#include "util/error.h"

namespace tpq::int8gemm::detail {
namespace {

constexpr int64_t kBlock = kVnniBlock;  // output columns per block: four registers of 16 int32
constexpr int kRows = 6;                // rows per tile: 6 x 4 accumulators + 4 weight registers
constexpr int64_t kRowChunk = 512;      // rows whose quantized inputs stay in L2 while every block passes

// round(v * inv + zero) clamped to [0, 255], as 16 bytes.
TPQ_TARGET_AVX512_VNNI inline __m128i toUint8(__m512 v, __m512 inv, __m512 zero) {
    const __m512i i = _mm512_cvtps_epi32(_mm512_fmadd_ps(v, inv, zero));
    return _mm512_cvtepi32_epi8(_mm512_min_epi32(_mm512_max_epi32(i, _mm512_setzero_si512()), _mm512_set1_epi32(255)));
}

constexpr int kNanOrInf = 0x01 | 0x80 | 0x08 | 0x10;  // VFPCLASSPS: QNaN, SNaN, +inf, -inf

// One row of x (length `in`) as uint8 codes round(x / scale + zero) in qr (inPadded bytes,
// the padding zero). With CheckFinite, also whether the row holds NaN or infinity.
template <bool CheckFinite>
TPQ_TARGET_AVX512_VNNI inline bool encodeRow(const float* xr, int64_t in, int64_t inPadded, float scale, int32_t zero,
                                             uint8_t* qr) {
    const int64_t full = in / 16 * 16;
    const __mmask16 tail = kernels::laneMask(in - full, 0);
    const __m512 inv = _mm512_set1_ps(1.0f / scale), zf = _mm512_set1_ps(float(zero));
    __mmask16 notFinite = 0;
    for (int64_t k = 0; k < full; k += 16) {
        const __m512 v = _mm512_loadu_ps(xr + k);
        if (CheckFinite) notFinite |= _mm512_fpclass_ps_mask(v, kNanOrInf);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(qr + k), toUint8(v, inv, zf));
    }
    if (tail) {
        const __m512 v = _mm512_maskz_loadu_ps(tail, xr + full);
        if (CheckFinite) notFinite |= _mm512_fpclass_ps_mask(v, kNanOrInf);
        _mm_mask_storeu_epi8(qr + full, tail, toUint8(v, inv, zf));
    }
    for (int64_t k = in; k < inPadded; ++k) qr[k] = 0;
    return notFinite != 0;
}

// Quantizes rows [0, rows) of x (row length `in`) to uint8 with a scale and zero point per
// row; q has rows of `inPadded` bytes, the padding zero.
TPQ_TARGET_AVX512_VNNI void quantizeRows(const float* x, int64_t rows, int64_t in, int64_t inPadded, uint8_t* q,
                                         float* scales, int32_t* zeros) {
    const int64_t full = in / 16 * 16;
    const __mmask16 tail = kernels::laneMask(in - full, 0);
    for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * in;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        __mmask16 notFinite = 0;  // NaN or infinity seen (min/max would drop a NaN)
        for (int64_t k = 0; k < full; k += 16) {
            const __m512 v = _mm512_loadu_ps(xr + k);
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
            notFinite |= _mm512_fpclass_ps_mask(v, kNanOrInf);
        }
        if (tail) {
            const __m512 v = _mm512_maskz_loadu_ps(tail, xr + full);  // zeros: already in the range
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
            notFinite |= _mm512_fpclass_ps_mask(v, kNanOrInf);
        }
        const float mn = _mm512_reduce_min_ps(lo), mx = _mm512_reduce_max_ps(hi);
        float scale = (mx - mn) / 255.0f;
        int32_t zero = 0;
        if (notFinite) {
            // No meaningful range: the row's outputs become NaN (a scale of NaN), as the float
            // product would give, rather than finite numbers that hide a diverged model.
            scale = 1.0f;
            scales[r] = std::numeric_limits<float>::quiet_NaN();
        } else if (!(scale > 0.0f)) {
            scale = 1.0f;  // an all-zero row
        } else {
            zero = int32_t(std::lround(-mn / scale));
            zero = std::min(255, std::max(0, zero));
        }
        if (!notFinite) scales[r] = scale;
        zeros[r] = zero;
        encodeRow<false>(xr, in, inPadded, scale, zero, q + r * inPadded);
    }
}

// Static quantization: the calibrated scale and zero point for every row (no range pass,
// only a check for NaN and infinity, which make the row's outputs NaN).
TPQ_TARGET_AVX512_VNNI void quantizeRowsStatic(const float* x, int64_t rows, int64_t in, int64_t inPadded, uint8_t* q,
                                               float* scales, int32_t* zeros, const StaticScales& s) {
    for (int64_t r = 0; r < rows; ++r) {
        const bool notFinite = encodeRow<true>(x + r * in, in, inPadded, s.inScale, s.inZero, q + r * inPadded);
        scales[r] = notFinite ? std::numeric_limits<float>::quiet_NaN() : s.inScale;
        zeros[r] = s.inZero;
    }
}

// The epilogue of 16 sums: exact zero-point correction in int32, then the float rescale and
// bias, for a static layer the rounding to the calibrated output grid, then the activation.
// scale is the row's scale times the weight's; the dense rows give vectors of 16 columns,
// the sparse ones (16 tokens of one output) broadcast the output's colsum, scale and bias.
template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX512_VNNI inline __m512 finishSums(__m512i acc, __m512i zero, __m512i colsum, __m512 scale, __m512 bias,
                                                const StaticScales* s) {
    const __m512i v = _mm512_sub_epi32(acc, _mm512_mullo_epi32(zero, colsum));
    __m512 f = _mm512_fmadd_ps(_mm512_cvtepi32_ps(v), scale, bias);
    if (Requantize) {
        // (clamp(round(f / so) + zo, 0, 255) - zo) * so; a NaN row stays NaN.
        const __m512 zo = _mm512_set1_ps(float(s->outZero));
        const __m512 code = _mm512_roundscale_ps(
            _mm512_min_ps(
                _mm512_max_ps(_mm512_fmadd_ps(f, _mm512_set1_ps(1.0f / s->outScale), zo), _mm512_setzero_ps()),
                _mm512_set1_ps(255.0f)),
            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
        f = _mm512_mask_mov_ps(_mm512_mul_ps(_mm512_sub_ps(code, zo), _mm512_set1_ps(s->outScale)), nan, f);
    }
    if (Gelu) f = kernels::gelu512(f);
    return f;
}

// One row's 16 columns through finishSums into y.
template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX512_VNNI inline void storeColumns(__m512i acc, __m512i zero, __m512 rowScale, const int32_t* colsum,
                                                const float* wscale, const float* bias, float* y, __mmask16 mask,
                                                const StaticScales* s) {
    _mm512_mask_storeu_ps(
        y, mask,
        finishSums<Gelu, Requantize>(acc, zero, _mm512_loadu_si512(colsum),
                                     _mm512_mul_ps(rowScale, _mm512_loadu_ps(wscale)), _mm512_loadu_ps(bias), s));
}

struct Tile {
    const uint8_t* a;      // first row's quantized inputs
    int64_t lda;           // inPadded
    const int8_t* b;       // the block's packed weights
    int64_t in4;           // inPadded / 4
    const float* scale;    // the block's weight scales (64)
    const int32_t* sum;    // the block's column sums (64)
    const float* bias;     // the block's biases (64)
    const float* xscale;   // the rows' scales
    const int32_t* xzero;  // the rows' zero points
    float* y;              // first row, first column of the block
    int64_t ldy;           // out
    int valid;             // columns of the block that exist (1..64)
};

#define TPQ_ROW(i)                                                                                    \
    if (MR > i) {                                                                                     \
        const __m512i av = _mm512_set1_epi32(*reinterpret_cast<const int32_t*>(a + i * lda + 4 * k)); \
        c##i##0 = _mm512_dpbusd_epi32(c##i##0, av, b0);                                               \
        c##i##1 = _mm512_dpbusd_epi32(c##i##1, av, b1);                                               \
        c##i##2 = _mm512_dpbusd_epi32(c##i##2, av, b2);                                               \
        c##i##3 = _mm512_dpbusd_epi32(c##i##3, av, b3);                                               \
    }
#define TPQ_SAVE(i)                                      \
    if (MR > i) {                                        \
        _mm512_storeu_si512(out + i * 64, c##i##0);      \
        _mm512_storeu_si512(out + i * 64 + 16, c##i##1); \
        _mm512_storeu_si512(out + i * 64 + 32, c##i##2); \
        _mm512_storeu_si512(out + i * 64 + 48, c##i##3); \
    }

// The int32 sums of MR rows x 64 columns into out[MR][64]. The accumulators are named so
// that the compiler keeps all 24 in registers (an array of them goes to the stack), and the
// epilogue is elsewhere: with it in the same function GCC spilled them in the loop.
template <int MR>
TPQ_TARGET_AVX512_VNNI __attribute__((noinline)) void dotTile(const uint8_t* a, int64_t lda, const int8_t* b,
                                                              int64_t in4, int32_t* out) {
    __m512i c00 = _mm512_setzero_si512(), c01 = c00, c02 = c00, c03 = c00;
    __m512i c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    __m512i c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    __m512i c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    __m512i c40 = c00, c41 = c00, c42 = c00, c43 = c00;
    __m512i c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    for (int64_t k = 0; k < in4; ++k) {
        const int8_t* bk = b + k * 256;
        __m512i b0 = _mm512_loadu_si512(bk), b1 = _mm512_loadu_si512(bk + 64);
        __m512i b2 = _mm512_loadu_si512(bk + 128), b3 = _mm512_loadu_si512(bk + 192);
        // Keep the four weight registers: else GCC may fold the loads into each row's
        // VPDPBUSD, loading the same 256 bytes six times.
        asm("" : "+v"(b0), "+v"(b1), "+v"(b2), "+v"(b3));
        TPQ_ROW(0) TPQ_ROW(1) TPQ_ROW(2) TPQ_ROW(3) TPQ_ROW(4) TPQ_ROW(5)
    }
    TPQ_SAVE(0) TPQ_SAVE(1) TPQ_SAVE(2) TPQ_SAVE(3) TPQ_SAVE(4) TPQ_SAVE(5)
}
#undef TPQ_ROW
#undef TPQ_SAVE

// The epilogue of `rows` rows x Width columns of int32 sums (Width apart).
template <bool Gelu, bool Requantize, int Width>
TPQ_TARGET_AVX512_VNNI void finishRows(int rows, const int32_t* sums, const Tile& t, const StaticScales* s) {
    for (int i = 0; i < rows; ++i) {
        const __m512i zero = _mm512_set1_epi32(t.xzero[i]);
        const __m512 scale = _mm512_set1_ps(t.xscale[i]);
        for (int j = 0; j < Width / 16; ++j) {
            const __mmask16 mask = kernels::laneMask(t.valid, j);
            if (!mask) break;
            storeColumns<Gelu, Requantize>(_mm512_load_si512(sums + i * Width + 16 * j), zero, scale, t.sum + 16 * j,
                                           t.scale + 16 * j, t.bias + 16 * j, t.y + i * t.ldy + 16 * j, mask, s);
        }
    }
}

template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX512_VNNI void tileRows(int rows, const Tile& t, const StaticScales* s) {
    alignas(64) int32_t sums[kRows * 64];
    switch (rows) {
        case 6:
            dotTile<6>(t.a, t.lda, t.b, t.in4, sums);
            break;
        case 5:
            dotTile<5>(t.a, t.lda, t.b, t.in4, sums);
            break;
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
    finishRows<Gelu, Requantize, 64>(rows, sums, t, s);
}

// The same on AMX tiles: 32 rows x 32 outputs at a time (the codes past the last row are zeros).
template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX512_VNNI void tileRowsAmx(int rows, const Tile& t, const StaticScales* s) {
    alignas(64) int32_t sums[kAmxRows * kAmxBlock];
    amxDotBlock(t.a, t.lda, t.b, t.lda, sums);
    finishRows<Gelu, Requantize, kAmxBlock>(rows, sums, t, s);
}

// Rows [r0, r1) of y = x W^T + b from their quantized inputs: for chunks of kRowChunk rows,
// every column block.
template <bool Gelu, bool Requantize, bool Amx>
TPQ_TARGET_AVX512_VNNI void multiplyRows(int64_t r0, int64_t r1, const PackedWeight& w, const uint8_t* q,
                                         const float* xscale, const int32_t* xzero, float* y, const StaticScales* s) {
    constexpr int64_t step = Amx ? kAmxRows : kRows, block = Amx ? kAmxBlock : kBlock;
    const int64_t in4 = w.inPadded / 4;
    const int8_t* data = w.data.data_ptr<int8_t>();
    const float* scale = w.scale.data_ptr<float>();
    const int32_t* sum = w.colsum.data_ptr<int32_t>();
    const float* bias = w.bias.data_ptr<float>();
    for (int64_t c0 = r0; c0 < r1; c0 += kRowChunk) {
        const int64_t c1 = std::min(r1, c0 + kRowChunk);
        for (int64_t n0 = 0; n0 < w.outPadded; n0 += block) {
            Tile t{};
            t.lda = w.inPadded;
            t.b = data + n0 * w.inPadded;  // both layouts: n0 outputs x inPadded inputs before
            t.in4 = in4;
            t.scale = scale + n0;
            t.sum = sum + n0;
            t.bias = bias + n0;
            t.ldy = w.out;
            t.valid = int(std::min<int64_t>(block, w.out - n0));
            for (int64_t m = c0; m < c1; m += step) {
                t.a = q + m * w.inPadded;
                t.xscale = xscale + m;
                t.xzero = xzero + m;
                t.y = y + m * w.out + n0;
                const int rows = int(std::min<int64_t>(step, c1 - m));
                if (Amx)
                    tileRowsAmx<Gelu, Requantize>(rows, t, s);
                else
                    tileRows<Gelu, Requantize>(rows, t, s);
            }
        }
    }
}

// One panel of a sparse weight's outputs [p0, p0 + n) over a tile's transposed codes xt
// [groups][kTile]: the int32 sums of every chunk of groups into sums [n][T] (rows up to a
// multiple of 16 zero). Returns n.
TPQ_TARGET_AVX512_VNNI int64_t sparsePanel(const PackedWeight& w, const uint32_t* xt, int64_t T, int64_t p0,
                                           int32_t* sums) {
    const sparse::SparseRows& rows = w.sparse;
    const int64_t n = std::min(sparse::detail::kPanel, w.out - p0), written = rows.chunks > 0 ? n : 0;
    std::memset(sums + written * T, 0, size_t((roundUp(n, 16) - written) * T) * sizeof(int32_t));
    if (rows.chunks == 0) return n;
    // Tensor accessors once, not per chunk (each checks the tensor's storage: measurable here).
    const int32_t* offsets = rows.offsets.data_ptr<int32_t>();
    const int32_t* values = rows.values.data_ptr<int32_t>();
    const int64_t* start = rows.start.data_ptr<int64_t>() + p0 * (rows.chunks + 1);
    for (int64_t c = 0; c < rows.chunks; ++c)
        sparse::detail::int8Panel(xt, T, offsets, values, start, rows.chunks + 1, n, c, sums);
    return n;
}

// The panel's sums [n][T] into y's rows: `tokens` of them, the first the tile's row 0, whose
// quantization is xzero[0], xscale[0]. Per 16 outputs x 16 tokens: each output's epilogue on
// its 16 tokens (finishSums), then the 16 results transposed in registers and stored as
// 16 token rows (the sums transposed first and stored to be read back a token at a time
// took about 1.5 times as long: ~7 ms of a 90% 1x4 bert-base pass, 12%, against ~4.7).
template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX512_VNNI void sparsePanelEpilogue(const PackedWeight& w, const int32_t* sums, int64_t T, int64_t tokens,
                                                int64_t p0, int64_t n, const int32_t* xzero, const float* xscale,
                                                float* y, const StaticScales* s) {
    // Tensor accessors once (each checks the tensor's storage); padded to a multiple of 16.
    const int32_t* colsum = w.colsum.data_ptr<int32_t>() + p0;
    const float* scale = w.scale.data_ptr<float>() + p0;
    const float* bias = w.bias.data_ptr<float>() + p0;
    for (int64_t t0 = 0; t0 < tokens; t0 += 16) {
        const __mmask16 live = kernels::laneMask(tokens - t0, 0);
        const __m512i zero = _mm512_maskz_loadu_epi32(live, xzero + t0);
        const __m512 rowScale = _mm512_maskz_loadu_ps(live, xscale + t0);
        const int64_t rows = std::min<int64_t>(16, tokens - t0);
        for (int64_t j = 0; j < n; j += 16) {
            __m512i r[16];
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i)
                r[i] = _mm512_castps_si512(finishSums<Gelu, Requantize>(
                    _mm512_load_si512(sums + (j + i) * T + t0), zero, _mm512_set1_epi32(colsum[j + i]),
                    _mm512_mul_ps(rowScale, _mm512_set1_ps(scale[j + i])), _mm512_set1_ps(bias[j + i]), s));
            kernels::transpose16(r);
            const __mmask16 mask = kernels::laneMask(n - j, 0);
            float* dst = y + t0 * w.out + p0 + j;
            for (int64_t t = 0; t < rows; ++t) _mm512_mask_storeu_ps(dst + t * w.out, mask, _mm512_castsi512_ps(r[t]));
        }
    }
}

// Rows [r0, r1) of a sparse weight's product (kernels/sparse_gemm.h): per tile of up to 64
// tokens, the codes transposed to [groups of 4 inputs][tokens]; per panel of outputs, each
// chunk of groups multiplied in, then the epilogue.
template <bool Gelu, bool Requantize>
TPQ_TARGET_AVX512_VNNI void multiplySparse(int64_t r0, int64_t r1, const PackedWeight& w, const uint8_t* q,
                                           const float* xscale, const int32_t* xzero, float* y, const StaticScales* s) {
    using sparse::detail::kPanel;
    using sparse::detail::kTile;
    const int64_t groups = w.sparse.units;
    const at::Tensor buffer = at::empty({(groups + kPanel) * kTile}, at::kInt);
    uint32_t* xt = reinterpret_cast<uint32_t*>(buffer.data_ptr<int32_t>());
    int32_t* sums = buffer.data_ptr<int32_t>() + groups * kTile;
    for (int64_t m = r0; m < r1; m += kTile) {
        const int64_t tokens = std::min(kTile, r1 - m), T = roundUp(tokens, 16);
        sparse::detail::transposeToColumns(reinterpret_cast<const uint32_t*>(q + m * w.inPadded), w.inPadded / 4,
                                           tokens, groups, xt, T);
        for (int64_t p0 = 0; p0 < w.out; p0 += kPanel) {
            const int64_t n = sparsePanel(w, xt, T, p0, sums);
            sparsePanelEpilogue<Gelu, Requantize>(w, sums, T, tokens, p0, n, xzero + m, xscale + m, y + m * w.out, s);
        }
    }
}

template <bool Amx>
void multiply(int64_t r0, int64_t r1, const Product& p, const uint8_t* q, const float* xscale, const int32_t* xzero,
              Activation activation) {
    const bool gelu = activation == Activation::Gelu;
    if (p.weight->isSparse()) {
        if (p.fixed && gelu)
            multiplySparse<true, true>(r0, r1, *p.weight, q, xscale, xzero, p.y, p.fixed);
        else if (p.fixed)
            multiplySparse<false, true>(r0, r1, *p.weight, q, xscale, xzero, p.y, p.fixed);
        else if (gelu)
            multiplySparse<true, false>(r0, r1, *p.weight, q, xscale, xzero, p.y, nullptr);
        else
            multiplySparse<false, false>(r0, r1, *p.weight, q, xscale, xzero, p.y, nullptr);
        return;
    }
    if (p.fixed) {
        if (gelu)
            multiplyRows<true, true, Amx>(r0, r1, *p.weight, q, xscale, xzero, p.y, p.fixed);
        else
            multiplyRows<false, true, Amx>(r0, r1, *p.weight, q, xscale, xzero, p.y, p.fixed);
    } else if (gelu) {
        multiplyRows<true, false, Amx>(r0, r1, *p.weight, q, xscale, xzero, p.y, nullptr);
    } else {
        multiplyRows<false, false, Amx>(r0, r1, *p.weight, q, xscale, xzero, p.y, nullptr);
    }
}

// int4 (W4A8): the int32 sums of one group of inputs for MR rows x 16 outputs, with the
// weights' nibbles unpacked in registers: 32 bytes hold the 16 outputs' 4 inputs (low
// nibbles outputs 0-7, high 8-15), spread to 64 signed bytes (nibble - 8), one VPDPBUSD a
// row. Then the group's scale on the exact sums; after the last group the row's scale.
#define TPQ_ROW4(i)                 \
    if (MR > i)                     \
        c##i = _mm512_dpbusd_epi32( \
            c##i, _mm512_set1_epi32(*reinterpret_cast<const int32_t*>(a + i * lda + g0 + 4 * k)), wv);
#define TPQ_FLUSH4(i)                                                                                  \
    if (MR > i) {                                                                                      \
        const __m512i v = _mm512_sub_epi32(c##i, _mm512_mullo_epi32(_mm512_set1_epi32(xzero[i]), gs)); \
        f##i = _mm512_fmadd_ps(_mm512_cvtepi32_ps(v), sc, f##i);                                       \
        c##i = _mm512_setzero_si512();                                                                 \
    }
#define TPQ_STORE4(i) \
    if (MR > i) _mm512_store_ps(out + i * 16, f##i);

// The 32 bytes of one group of 4 inputs of 16 outputs (low nibbles outputs 0-7, high 8-15)
// as 64 signed bytes nibble - 8, in output order.
TPQ_TARGET_AVX512_VNNI inline __m512i unpackNibbles(const uint8_t* p) {
    const __m512i packed = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    const __m512i shifted =
        _mm512_srlv_epi64(packed, _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0));  // upper half: high nibbles
    return _mm512_sub_epi8(_mm512_and_si512(shifted, _mm512_set1_epi8(0x0F)), _mm512_set1_epi8(8));
}

template <int MR>
TPQ_TARGET_AVX512_VNNI __attribute__((noinline)) void int4Tile(const uint8_t* a, int64_t lda, const uint8_t* b,
                                                               const float* scale, const int32_t* gsum, int64_t groups,
                                                               int64_t groupSize, const int32_t* xzero, float* out) {
    __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    __m512 f0 = _mm512_setzero_ps(), f1 = f0, f2 = f0, f3 = f0, f4 = f0, f5 = f0, f6 = f0, f7 = f0;
    const int64_t steps = groupSize / 4;
    for (int64_t g = 0; g < groups; ++g) {
        const int64_t g0 = g * groupSize;
        const uint8_t* bg = b + g * steps * 32;
        for (int64_t k = 0; k < steps; ++k) {
            const __m512i wv = unpackNibbles(bg + k * 32);
            TPQ_ROW4(0) TPQ_ROW4(1) TPQ_ROW4(2) TPQ_ROW4(3) TPQ_ROW4(4) TPQ_ROW4(5) TPQ_ROW4(6) TPQ_ROW4(7)
        }
        const __m512i gs = _mm512_loadu_si512(gsum + g * 16);
        const __m512 sc = _mm512_loadu_ps(scale + g * 16);
        TPQ_FLUSH4(0) TPQ_FLUSH4(1) TPQ_FLUSH4(2) TPQ_FLUSH4(3) TPQ_FLUSH4(4) TPQ_FLUSH4(5) TPQ_FLUSH4(6) TPQ_FLUSH4(7)
    }
    TPQ_STORE4(0) TPQ_STORE4(1) TPQ_STORE4(2) TPQ_STORE4(3) TPQ_STORE4(4) TPQ_STORE4(5) TPQ_STORE4(6) TPQ_STORE4(7)
}
#undef TPQ_ROW4
#undef TPQ_FLUSH4
#undef TPQ_STORE4

constexpr int kRows4 = 8;

template <bool Gelu>
TPQ_TARGET_AVX512_VNNI void int4Rows(int rows, const uint8_t* a, const float* xscale, const int32_t* xzero,
                                     const PackedInt4Weight& w, int64_t block, float* y) {
    const uint8_t* b = w.data.data_ptr<uint8_t>() + block * (w.in / 4) * 32;
    const float* scale = w.scale.data_ptr<float>() + block * w.groups * 16;
    const int32_t* gsum = w.groupSum.data_ptr<int32_t>() + block * w.groups * 16;
    const float* bias = w.bias.data_ptr<float>() + block * 16;
    alignas(64) float acc[kRows4 * 16];
    // clang-format off
    switch (rows) {
#define TPQ_CASE(n) \
    case n: int4Tile<n>(a, w.in, b, scale, gsum, w.groups, w.groupSize, xzero, acc); break;
        TPQ_CASE(8) TPQ_CASE(7) TPQ_CASE(6) TPQ_CASE(5) TPQ_CASE(4) TPQ_CASE(3) TPQ_CASE(2)
#undef TPQ_CASE
        default: int4Tile<1>(a, w.in, b, scale, gsum, w.groups, w.groupSize, xzero, acc); break;
    }
    // clang-format on
    const __mmask16 mask = kernels::laneMask(w.out - block * 16, 0);
    for (int i = 0; i < rows; ++i) {
        __m512 f = _mm512_fmadd_ps(_mm512_load_ps(acc + i * 16), _mm512_set1_ps(xscale[i]), _mm512_loadu_ps(bias));
        if (Gelu) f = kernels::gelu512(f);
        _mm512_mask_storeu_ps(y + i * w.out, mask, f);
    }
}

// AMX int4: the nibbles of one block of 16 outputs (32 bytes per group of 4 inputs) as
// signed bytes (nibble - 8), 64 per group: the rows of that block's AMX weight tiles.
TPQ_TARGET_AVX512_VNNI void unpackInt4(const uint8_t* b, int64_t in4, int8_t* dst) {
    for (int64_t k = 0; k < in4; ++k) _mm512_storeu_si512(dst + k * 64, unpackNibbles(b + k * 32));
}

// Rows [m, m + rows) x the 32 outputs of block pair `pair` (its tiles unpacked in `tiles`,
// in * 16 bytes per 16 outputs): per group, the int32 sums on AMX, then
// acc += scale_g * (sums - zx * groupSum_g); at the end y = sx * acc + bias.
template <bool Gelu>
TPQ_TARGET_AVX512_VNNI void int4RowsAmx(int rows, const uint8_t* a, const float* xscale, const int32_t* xzero,
                                        const PackedInt4Weight& w, int64_t pair, const int8_t* tiles, float* y) {
    alignas(64) int32_t sums[kAmxRows * kAmxBlock];
    alignas(64) float acc[kAmxRows * kAmxBlock] = {};
    const int64_t blocks16 = w.outPadded / 16;
    const int32_t* groupSum = w.groupSum.data_ptr<int32_t>();
    const float* groupScale = w.scale.data_ptr<float>();
    for (int64_t g = 0; g < w.groups; ++g) {
        const int64_t k0 = g * w.groupSize;
        amxDotSlice(a + k0, w.in, tiles + k0 * 16, w.groupSize, w.in * 16, sums);
        for (int h = 0; h < 2; ++h) {
            const int64_t b16 = std::min(blocks16 - 1, 2 * pair + h);  // a missing second block: its zeros
            const __m512i gs = _mm512_loadu_si512(groupSum + (b16 * w.groups + g) * 16);
            const __m512 sc = _mm512_loadu_ps(groupScale + (b16 * w.groups + g) * 16);
            for (int i = 0; i < rows; ++i) {
                const int o = i * kAmxBlock + 16 * h;
                const __m512i v =
                    _mm512_sub_epi32(_mm512_load_si512(sums + o), _mm512_mullo_epi32(_mm512_set1_epi32(xzero[i]), gs));
                _mm512_store_ps(acc + o, _mm512_fmadd_ps(_mm512_cvtepi32_ps(v), sc, _mm512_load_ps(acc + o)));
            }
        }
    }
    const float* bias = w.bias.data_ptr<float>() + pair * kAmxBlock;
    const int valid = int(std::min<int64_t>(kAmxBlock, w.out - pair * kAmxBlock));
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < 2; ++j) {
            const __mmask16 mask = kernels::laneMask(valid, j);
            if (!mask) break;
            __m512 f = _mm512_fmadd_ps(_mm512_load_ps(acc + i * kAmxBlock + 16 * j), _mm512_set1_ps(xscale[i]),
                                       _mm512_maskz_loadu_ps(mask, bias + 16 * j));
            if (Gelu) f = kernels::gelu512(f);
            _mm512_mask_storeu_ps(y + i * w.out + 16 * j, mask, f);
        }
    }
}

// The fused feed-forward pair (int8_gemm.h's linearGeluLinear), one tile of T tokens: the
// first layer's sums [out1][T] get its epilogue and GELU in the transposed domain (each
// output's bias and weight scale broadcast, the tokens' scales and zero points a vector),
// into h [out1][T]; each token's range over h gives its scale and zero point, exactly as
// quantizeRows would compute them from the row written out; h is encoded four outputs at a
// time straight into the second layer's transposed codes [out1 / 4][T] (4 bytes a token).
// The second layer then runs as multiplySparse does.
struct FfnTile {
    const PackedWeight* first = nullptr;
    const PackedWeight* second = nullptr;
    uint32_t* xt1 = nullptr;  // [groups1][T] the tile's input codes, transposed
    int32_t* sums = nullptr;  // [kPanel][T]
    float* h = nullptr;       // [out1 padded to 4][T]
    uint32_t* xt2 = nullptr;  // [out1 / 4][T]
    float* scale1 = nullptr;  // [T] the input's per-token scales, then zero points
    int32_t* zero1 = nullptr;
    float* scale2 = nullptr;  // [T] the intermediate's
    int32_t* zero2 = nullptr;
    alignas(64) float lo[sparse::detail::kTile];  // h's range per token, from 0
    alignas(64) float hi[sparse::detail::kTile];
    __mmask16 notFinite[sparse::detail::kTile / 16] = {};  // tokens with a NaN or an infinity in h
};

// The first layer into h, and each token's range over h (from 0) and whether it holds a
// NaN or an infinity, as ffnRequantize needs them: kept in registers while h is written, they
// spare it a second pass over h's 768 kB (bert-base), which does not fit L2 with the rest.
TPQ_TARGET_AVX512_VNNI void ffnFirstLayer(FfnTile& f) {
    constexpr int64_t T = sparse::detail::kTile;
    const PackedWeight& w = *f.first;
    const float* wscale = w.scale.data_ptr<float>();
    const int32_t* colsum = w.colsum.data_ptr<int32_t>();
    const float* bias = w.bias.data_ptr<float>();
    __m512 lo[T / 16], hi[T / 16];
    __mmask16 notFinite[T / 16];
#pragma GCC unroll 4
    for (int i = 0; i < T / 16; ++i) {
        lo[i] = hi[i] = _mm512_setzero_ps();
        notFinite[i] = 0;
    }
    for (int64_t p0 = 0; p0 < w.out; p0 += sparse::detail::kPanel) {
        const int64_t n = sparsePanel(w, f.xt1, T, p0, f.sums);
        for (int64_t o = 0; o < n; ++o) {
            const __m512i cs = _mm512_set1_epi32(colsum[p0 + o]);
            const __m512 ws = _mm512_set1_ps(wscale[p0 + o]), b = _mm512_set1_ps(bias[p0 + o]);
#pragma GCC unroll 4
            for (int i = 0; i < T / 16; ++i) {
                const int64_t t = 16 * i;
                const __m512i v = _mm512_sub_epi32(_mm512_load_si512(f.sums + o * T + t),
                                                   _mm512_mullo_epi32(_mm512_load_si512(f.zero1 + t), cs));
                const __m512 g = kernels::gelu512(
                    _mm512_fmadd_ps(_mm512_cvtepi32_ps(v), _mm512_mul_ps(_mm512_load_ps(f.scale1 + t), ws), b));
                _mm512_store_ps(f.h + (p0 + o) * T + t, g);
                lo[i] = _mm512_min_ps(lo[i], g);
                hi[i] = _mm512_max_ps(hi[i], g);
                notFinite[i] |= _mm512_fpclass_ps_mask(g, kNanOrInf);
            }
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < T / 16; ++i) {
        _mm512_store_ps(f.lo + 16 * i, lo[i]);
        _mm512_store_ps(f.hi + 16 * i, hi[i]);
        f.notFinite[i] = notFinite[i];
    }
    // Outputs past out1 up to a multiple of 4: zeros (the padding of the codes).
    for (int64_t o = w.out; o < roundUp(w.out, 4); ++o) std::memset(f.h + o * T, 0, size_t(T) * sizeof(float));
}

// 16 values' uint8 codes round(v * inv + zero) clamped to [0, 255], as int32 lanes.
TPQ_TARGET_AVX512_VNNI inline __m512i codes16(const float* v, __m512 inv, __m512 zero) {
    const __m512i i = _mm512_cvtps_epi32(_mm512_fmadd_ps(_mm512_load_ps(v), inv, zero));
    return _mm512_min_epi32(_mm512_max_epi32(i, _mm512_setzero_si512()), _mm512_set1_epi32(255));
}

// Per-token scale and zero point of h from its range (ffnFirstLayer), as quantizeRows
// computes them (0 in the range, NaN scale for a token with a non-finite value), and h
// encoded into xt2.
TPQ_TARGET_AVX512_VNNI void ffnRequantize(const FfnTile& f, int64_t out1) {
    constexpr int64_t T = sparse::detail::kTile;
    const int64_t padded = roundUp(out1, 4);
    for (int64_t t = 0; t < T; t += 16) {
        const __mmask16 notFinite = f.notFinite[t / 16];
        alignas(64) float inv[16], zf[16];
        const float* mn = f.lo + t;
        const float* mx = f.hi + t;
        for (int i = 0; i < 16; ++i) {
            float scale = (mx[i] - mn[i]) / 255.0f;
            int32_t zero = 0;
            if (notFinite & (1u << i)) {
                scale = 1.0f;
                f.scale2[t + i] = std::numeric_limits<float>::quiet_NaN();
            } else if (!(scale > 0.0f)) {
                scale = 1.0f;
            } else {
                zero = std::min(255, std::max(0, int32_t(std::lround(-mn[i] / scale))));
            }
            if (!(notFinite & (1u << i))) f.scale2[t + i] = scale;
            f.zero2[t + i] = zero;
            inv[i] = 1.0f / scale;
            zf[i] = float(zero);
        }
        const __m512 vinv = _mm512_load_ps(inv), vzero = _mm512_load_ps(zf);
        for (int64_t g = 0; g < padded / 4; ++g) {
            // Four outputs' codes of 16 tokens as 16 tokens' 4 bytes (little-endian: output 4g first).
            const float* h = f.h + 4 * g * T + t;
            const __m512i packed = _mm512_or_si512(
                _mm512_or_si512(codes16(h, vinv, vzero), _mm512_slli_epi32(codes16(h + T, vinv, vzero), 8)),
                _mm512_or_si512(_mm512_slli_epi32(codes16(h + 2 * T, vinv, vzero), 16),
                                _mm512_slli_epi32(codes16(h + 3 * T, vinv, vzero), 24)));
            _mm512_store_si512(f.xt2 + g * T + t, packed);
        }
    }
}

// The second layer on the intermediate's codes, its epilogue into the rows of y (`tokens`
// of the tile's T, the first at row m).
TPQ_TARGET_AVX512_VNNI void ffnSecondLayer(const FfnTile& f, int64_t T, int64_t tokens, int64_t m, float* y) {
    const PackedWeight& w = *f.second;
    for (int64_t p0 = 0; p0 < w.out; p0 += sparse::detail::kPanel) {
        const int64_t n = sparsePanel(w, f.xt2, T, p0, f.sums);
        sparsePanelEpilogue<false, false>(w, f.sums, T, tokens, p0, n, f.zero2, f.scale2, y + m * w.out, nullptr);
    }
}

}  // namespace

void reorderVnni(const int8_t* src, PackedWeight& p) {
    int8_t* dst = p.data.data_ptr<int8_t>();
    const int64_t in4 = p.inPadded / 4;
    for (int64_t n = 0; n < p.out; ++n) {
        const int64_t block = n / kBlock, lane = n % kBlock;
        for (int64_t k = 0; k < p.in; ++k) dst[(block * in4 + k / 4) * 256 + lane * 4 + k % 4] = src[n * p.in + k];
    }
}

void runVnni(const float* xp, int64_t rows, const std::vector<Product>& products, Activation activation, bool amx) {
    const int64_t in = products.front().weight->in, inPadded = products.front().weight->inPadded;
    const int64_t unit = amx ? kAmxRows : kRows;
    // AMX reads whole tiles of 32 rows: the codes are allocated to a whole tile, the rows
    // past the end zero.
    const int64_t rowsPadded = (rows + unit - 1) / unit * unit;
    // One set of codes for the dynamic products together, one for each calibrated input grid
    // of the static ones (query, key and value observed the same input: usually one grid).
    struct Codes {
        at::Tensor q, scale, zero;
        const StaticScales* fixed;
    };
    auto sameGrid = [](const StaticScales* a, const StaticScales* b) {
        return a == b || (a && b && a->inScale == b->inScale && a->inZero == b->inZero);
    };
    std::vector<Codes> codes;
    std::vector<size_t> codesOf(products.size());
    for (size_t i = 0; i < products.size(); ++i) {
        const StaticScales* f = products[i].fixed;
        size_t c = codes.size();
        for (size_t j = 0; j < codes.size() && c == codes.size(); ++j)
            if (sameGrid(codes[j].fixed, f)) c = j;
        if (c == codes.size()) {
            codes.push_back({at::empty({rowsPadded * inPadded}, at::kByte), at::empty({rowsPadded}, at::kFloat),
                             at::empty({rowsPadded}, at::kInt), f});
            if (rowsPadded > rows)
                std::memset(codes.back().q.data_ptr<uint8_t>() + rows * inPadded, 0, (rowsPadded - rows) * inPadded);
        }
        codesOf[i] = c;
    }
    const int64_t tiles = rowsPadded / unit;
    // Rows split evenly over the threads, in whole tiles; each thread quantizes its own rows
    // once, then multiplies them by every weight.
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * unit, r1 = std::min(rows, t1 * unit);
        for (Codes& c : codes) {
            uint8_t* q = c.q.data_ptr<uint8_t>() + r0 * inPadded;
            float* sp = c.scale.data_ptr<float>() + r0;
            int32_t* zp = c.zero.data_ptr<int32_t>() + r0;
            if (c.fixed)
                quantizeRowsStatic(xp + r0 * in, r1 - r0, in, inPadded, q, sp, zp, *c.fixed);
            else
                quantizeRows(xp + r0 * in, r1 - r0, in, inPadded, q, sp, zp);
        }
        if (amx) amxBegin();
        for (size_t i = 0; i < products.size(); ++i) {
            const Codes& c = codes[codesOf[i]];
            const uint8_t* q = c.q.data_ptr<uint8_t>();
            const float* sp = c.scale.data_ptr<float>();
            const int32_t* zp = c.zero.data_ptr<int32_t>();
            if (amx)
                multiply<true>(r0, r1, products[i], q, sp, zp, activation);
            else
                multiply<false>(r0, r1, products[i], q, sp, zp, activation);
        }
        if (amx) amxEnd();
    });
}

void runInt4Vnni(const float* xp, int64_t rows, const PackedInt4Weight& w, float* y, Activation activation) {
    const int64_t in = w.in;  // a multiple of 4: codes need no padding
    at::Tensor q = at::empty({rows * in}, at::kByte);
    at::Tensor xscale = at::empty({rows}, at::kFloat);
    at::Tensor xzero = at::empty({rows}, at::kInt);
    uint8_t* qp = q.data_ptr<uint8_t>();
    float* sp = xscale.data_ptr<float>();
    int32_t* zp = xzero.data_ptr<int32_t>();
    const int64_t tiles = (rows + kRows4 - 1) / kRows4;
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * kRows4, r1 = std::min(rows, t1 * kRows4);
        quantizeRows(xp + r0 * in, r1 - r0, in, in, qp + r0 * in, sp + r0, zp + r0);
        for (int64_t c0 = r0; c0 < r1; c0 += kRowChunk) {
            const int64_t c1 = std::min(r1, c0 + kRowChunk);
            for (int64_t block = 0; block < w.outPadded / 16; ++block) {
                for (int64_t m = c0; m < c1; m += kRows4) {
                    const int n = int(std::min<int64_t>(kRows4, c1 - m));
                    float* ym = y + m * w.out + block * 16;
                    if (activation == Activation::Gelu)
                        int4Rows<true>(n, qp + m * in, sp + m, zp + m, w, block, ym);
                    else
                        int4Rows<false>(n, qp + m * in, sp + m, zp + m, w, block, ym);
                }
            }
        }
    });
}

void runInt4Amx(const float* xp, int64_t rows, const PackedInt4Weight& w, float* y, Activation activation) {
    const int64_t in = w.in;  // a multiple of the group size, itself of 64: no padding
    const int64_t rowsPadded = (rows + kAmxRows - 1) / kAmxRows * kAmxRows;
    at::Tensor q = at::zeros({rowsPadded * in}, at::kByte);
    at::Tensor xscale = at::empty({rowsPadded}, at::kFloat);
    at::Tensor xzero = at::empty({rowsPadded}, at::kInt);
    uint8_t* qp = q.data_ptr<uint8_t>();
    float* sp = xscale.data_ptr<float>();
    int32_t* zp = xzero.data_ptr<int32_t>();
    const int64_t blocks16 = w.outPadded / 16, pairs = (blocks16 + 1) / 2;
    const uint8_t* data = w.data.data_ptr<uint8_t>();
    at::parallel_for(0, rowsPadded / kAmxRows, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * kAmxRows, r1 = std::min(rows, t1 * kAmxRows);
        quantizeRows(xp + r0 * in, r1 - r0, in, in, qp + r0 * in, sp + r0, zp + r0);
        std::vector<int8_t> tiles(size_t(in * 32), 0);  // one pair's weight tiles
        amxBegin();
        for (int64_t c0 = r0; c0 < r1; c0 += kRowChunk) {
            const int64_t c1 = std::min(r1, c0 + kRowChunk);
            for (int64_t pair = 0; pair < pairs; ++pair) {
                for (int h = 0; h < 2; ++h) {
                    if (2 * pair + h < blocks16)
                        unpackInt4(data + (2 * pair + h) * (in / 4) * 32, in / 4, tiles.data() + h * in * 16);
                    else
                        std::fill(tiles.begin() + in * 16, tiles.end(), int8_t(0));
                }
                for (int64_t m = c0; m < c1; m += kAmxRows) {
                    const int n = int(std::min<int64_t>(kAmxRows, c1 - m));
                    float* ym = y + m * w.out + pair * kAmxBlock;
                    if (activation == Activation::Gelu)
                        int4RowsAmx<true>(n, qp + m * in, sp + m, zp + m, w, pair, tiles.data(), ym);
                    else
                        int4RowsAmx<false>(n, qp + m * in, sp + m, zp + m, w, pair, tiles.data(), ym);
                }
            }
        }
        amxEnd();
    });
}

void runSparseFfn(const float* xp, int64_t rows, const PackedWeight& first, const PackedWeight& second, float* y) {
    using namespace sparse::detail;
    // Tiles of 64 tokens, the other sparse products' own: the intermediate h (3072 x 64 floats
    // for bert-base, 768 kB) and its codes stay in L2 between the two layers. (Tiles of 32
    // halve that but run the products on 2 registers of tokens instead of 4: bert-base 90%
    // 1x4 int8 at batch 8 took 76-86 ms against 68-70 with 64, alternating processes.)
    constexpr int64_t kFfnTile = 64;
    static_assert(kFfnTile == kTile, "the codes of h are written kTile tokens a row (sparse_kernels.h)");
    const int64_t groups1 = first.sparse.units, out1 = first.out, padded = roundUp(out1, 4);
    const int64_t tiles = (rows + kFfnTile - 1) / kFfnTile;
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        const int64_t T = kFfnTile;
        const int64_t words = groups1 * T + kPanel * T + padded * T + padded / 4 * T + 4 * T + T * first.inPadded / 4;
        const at::Tensor buffer = at::empty({words}, at::kInt);
        int32_t* base = buffer.data_ptr<int32_t>();
        FfnTile f;
        f.first = &first;
        f.second = &second;
        f.xt1 = reinterpret_cast<uint32_t*>(base);
        f.sums = base + groups1 * T;
        f.h = reinterpret_cast<float*>(f.sums + kPanel * T);
        f.xt2 = reinterpret_cast<uint32_t*>(f.h + padded * T);
        f.scale1 = reinterpret_cast<float*>(f.xt2 + padded / 4 * T);
        f.zero1 = reinterpret_cast<int32_t*>(f.scale1 + T);
        f.scale2 = reinterpret_cast<float*>(f.zero1 + T);
        f.zero2 = reinterpret_cast<int32_t*>(f.scale2 + T);
        uint8_t* codes = reinterpret_cast<uint8_t*>(f.zero2 + T);  // [T][inPadded]
        for (int64_t tile = t0; tile < t1; ++tile) {
            const int64_t m = tile * kFfnTile, tokens = std::min(kFfnTile, rows - m);
            std::memset(codes, 0, size_t(T * first.inPadded));
            std::fill(f.scale1, f.scale1 + T, 1.0f);
            std::fill(f.zero1, f.zero1 + T, 0);
            quantizeRows(xp + m * first.in, tokens, first.in, first.inPadded, codes, f.scale1, f.zero1);
            transposeToColumns(reinterpret_cast<const uint32_t*>(codes), first.inPadded / 4, T, groups1, f.xt1, T);
            ffnFirstLayer(f);
            ffnRequantize(f, out1);
            ffnSecondLayer(f, T, tokens, m, y);
        }
    });
}

}  // namespace tpq::int8gemm::detail
