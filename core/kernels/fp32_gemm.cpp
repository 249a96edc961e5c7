#include "kernels/fp32_gemm.h"

#include <immintrin.h>

// As in int8_gemm_vnni.cpp: GCC 12's masked-load intrinsics trip its uninitialized-value warnings.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/vector_math.h"
#include "kernels/vector_math_avx2.h"
#include "util/error.h"

namespace tpq::fp32gemm {
namespace {

constexpr int64_t kBlock = 24;  // outputs per panel: three registers of 8 floats
constexpr int kRows = 4;        // rows per tile: 12 accumulators + 3 weights + 1 input
// (4 x 24 rather than 6 x 16: three FMAs per broadcast instead of two, measured faster here)
constexpr int64_t kChunkBytes = 192 * 1024;  // inputs of a row chunk (one k-block of them), kept in L2
constexpr int64_t kKc = 256;                 // inputs per k-block: a panel's 24 x 256 weights (24 kB) stay in L1

#define TPQ_ROW(i)                                                \
    if (MR > i) {                                                 \
        const __m256 av = _mm256_broadcast_ss(a + k * kRows + i); \
        c##i##0 = _mm256_fmadd_ps(av, w0, c##i##0);               \
        c##i##1 = _mm256_fmadd_ps(av, w1, c##i##1);               \
        c##i##2 = _mm256_fmadd_ps(av, w2, c##i##2);               \
    }
#define TPQ_SAVE(i)                                      \
    if (MR > i) {                                        \
        _mm256_store_ps(out + i * kBlock, c##i##0);      \
        _mm256_store_ps(out + i * kBlock + 8, c##i##1);  \
        _mm256_store_ps(out + i * kBlock + 16, c##i##2); \
    }

// The sums of MR rows x 24 outputs over `in` inputs into out[MR][24], from the rows packed
// as [in][4] (one broadcast stream); the named accumulators stay in registers, the epilogue
// is elsewhere (see int8_gemm_vnni.cpp).
template <int MR>
TPQ_TARGET_AVX2 __attribute__((noinline)) void dotTile(const float* a, const float* b, int64_t in, float* out) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m256 c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    for (int64_t k = 0; k < in; ++k) {
        __m256 w0 = _mm256_loadu_ps(b + k * kBlock), w1 = _mm256_loadu_ps(b + k * kBlock + 8);
        __m256 w2 = _mm256_loadu_ps(b + k * kBlock + 16);
        asm("" : "+x"(w0), "+x"(w1), "+x"(w2));
        TPQ_ROW(0) TPQ_ROW(1) TPQ_ROW(2) TPQ_ROW(3)
    }
    TPQ_SAVE(0) TPQ_SAVE(1) TPQ_SAVE(2) TPQ_SAVE(3)
}
#undef TPQ_ROW
#undef TPQ_SAVE

// The epilogue of one tile's k-block: the first block writes the sums, later ones add to
// them, and the last one adds the bias and applies the activation.
template <bool Gelu>
TPQ_TARGET_AVX2 void tileRows(int rows, const float* a, const float* b, int64_t kc, const float* bias, float* y,
                              int64_t ldy, int valid, bool first, bool last) {
    alignas(32) float sums[kRows * kBlock];
    switch (rows) {
        case 4:
            dotTile<4>(a, b, kc, sums);
            break;
        case 3:
            dotTile<3>(a, b, kc, sums);
            break;
        case 2:
            dotTile<2>(a, b, kc, sums);
            break;
        default:
            dotTile<1>(a, b, kc, sums);
            break;
    }
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < 3; ++j) {
            const int left = valid - 8 * j;
            if (left <= 0) break;
            float* dst = y + i * ldy + 8 * j;
            __m256 f = _mm256_load_ps(sums + i * kBlock + 8 * j);
            if (!first) f = _mm256_add_ps(f, _mm256_maskload_ps(dst, kernels::laneMask8(left)));
            if (last) {
                f = _mm256_add_ps(f, _mm256_loadu_ps(bias + 8 * j));
                if (Gelu) f = kernels::gelu256(f);
            }
            kernels::storeFirst(dst, f, left);
        }
    }
}

// AVX-512: panels of 48 outputs (three registers of 16), tiles of 8 rows: 24 accumulators,
// 3 weights and 1 input of the 32 registers.
constexpr int64_t kBlock512 = 48;
constexpr int kRows512 = 8;

#define TPQ_ROW(i)                                             \
    if (MR > i) {                                              \
        const __m512 av = _mm512_set1_ps(a[k * kRows512 + i]); \
        c##i##0 = _mm512_fmadd_ps(av, w0, c##i##0);            \
        c##i##1 = _mm512_fmadd_ps(av, w1, c##i##1);            \
        c##i##2 = _mm512_fmadd_ps(av, w2, c##i##2);            \
    }
#define TPQ_SAVE(i)                                         \
    if (MR > i) {                                           \
        _mm512_store_ps(out + i * kBlock512, c##i##0);      \
        _mm512_store_ps(out + i * kBlock512 + 16, c##i##1); \
        _mm512_store_ps(out + i * kBlock512 + 32, c##i##2); \
    }

template <int MR>
TPQ_TARGET_AVX512 __attribute__((noinline)) void dotTile512(const float* a, const float* b, int64_t in, float* out) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m512 c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    __m512 c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
    __m512 c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
    for (int64_t k = 0; k < in; ++k) {
        __m512 w0 = _mm512_loadu_ps(b + k * kBlock512), w1 = _mm512_loadu_ps(b + k * kBlock512 + 16);
        __m512 w2 = _mm512_loadu_ps(b + k * kBlock512 + 32);
        asm("" : "+v"(w0), "+v"(w1), "+v"(w2));
        TPQ_ROW(0) TPQ_ROW(1) TPQ_ROW(2) TPQ_ROW(3) TPQ_ROW(4) TPQ_ROW(5) TPQ_ROW(6) TPQ_ROW(7)
    }
    TPQ_SAVE(0) TPQ_SAVE(1) TPQ_SAVE(2) TPQ_SAVE(3) TPQ_SAVE(4) TPQ_SAVE(5) TPQ_SAVE(6) TPQ_SAVE(7)
}
#undef TPQ_ROW
#undef TPQ_SAVE

template <bool Gelu>
TPQ_TARGET_AVX512 void tileRows512(int rows, const float* a, const float* b, int64_t kc, const float* bias, float* y,
                                   int64_t ldy, int valid, bool first, bool last) {
    alignas(64) float sums[kRows512 * kBlock512];
    // clang-format off
    switch (rows) {
#define TPQ_CASE(n) \
    case n: dotTile512<n>(a, b, kc, sums); break;
        TPQ_CASE(8) TPQ_CASE(7) TPQ_CASE(6) TPQ_CASE(5) TPQ_CASE(4) TPQ_CASE(3) TPQ_CASE(2)
#undef TPQ_CASE
        default: dotTile512<1>(a, b, kc, sums); break;
    }
    // clang-format on
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < 3; ++j) {
            const __mmask16 mask = kernels::laneMask(valid, j);
            if (!mask) break;
            float* dst = y + i * ldy + 16 * j;
            __m512 f = _mm512_load_ps(sums + i * kBlock512 + 16 * j);
            if (!first) f = _mm512_add_ps(f, _mm512_maskz_loadu_ps(mask, dst));
            if (last) {
                f = _mm512_add_ps(f, _mm512_loadu_ps(bias + 16 * j));
                if (Gelu) f = kernels::gelu512(f);
            }
            _mm512_mask_storeu_ps(dst, mask, f);
        }
    }
}

// A path's geometry: outputs per panel, rows per tile, inputs per k-block (the panel's part
// of the weights stays in L1: 24 x 256 or 48 x 128 floats, 24 kB).
struct Geometry {
    int64_t block;
    int rows;
    int64_t kc;
};
constexpr Geometry kAvx2Geometry{kBlock, kRows, kKc}, kAvx512Geometry{kBlock512, kRows512, 128};

Geometry geometryOf(kernels::KernelPath path) {
    return path == kernels::KernelPath::Avx512 ? kAvx512Geometry : kAvx2Geometry;
}

// Rows [r0, r1): for chunks of rows, for blocks of inputs (the panel's part of them stays
// in L1), every panel.
template <bool Gelu>
void multiplyRows(int64_t r0, int64_t r1, const float* x, const PackedWeight& w, float* y) {
    const bool wide = w.path == kernels::KernelPath::Avx512;
    const Geometry g = geometryOf(w.path);
    const float* data = w.data.data_ptr<float>();
    const float* bias = w.bias.data_ptr<float>();
    const int64_t kc = std::min<int64_t>(w.in, g.kc);
    const int64_t chunk = std::max<int64_t>(g.rows, kChunkBytes / (4 * std::max<int64_t>(1, kc)) / g.rows * g.rows);
    std::vector<float> packed(size_t(chunk * kc));  // the chunk's rows for one k-block, [tile][k][rows]
    for (int64_t c0 = r0; c0 < r1; c0 += chunk) {
        const int64_t c1 = std::min(r1, c0 + chunk);
        for (int64_t k0 = 0; k0 < w.in; k0 += kc) {
            const int64_t len = std::min(kc, w.in - k0);
            for (int64_t m = c0; m < c1; m += g.rows) {
                float* dst = packed.data() + (m - c0) * len;
                const int64_t n = std::min<int64_t>(g.rows, c1 - m);
                for (int64_t i = 0; i < n; ++i)
                    for (int64_t k = 0; k < len; ++k) dst[k * g.rows + i] = x[(m + i) * w.in + k0 + k];
            }
            for (int64_t n0 = 0; n0 < w.outPadded; n0 += g.block) {
                const int valid = int(std::min<int64_t>(g.block, w.out - n0));
                const float* b = data + n0 * w.in + k0 * g.block;
                for (int64_t m = c0; m < c1; m += g.rows) {
                    const int rows = int(std::min<int64_t>(g.rows, c1 - m));
                    const float* a = packed.data() + (m - c0) * len;
                    float* ym = y + m * w.out + n0;
                    if (wide)
                        tileRows512<Gelu>(rows, a, b, len, bias + n0, ym, w.out, valid, k0 == 0, k0 + len == w.in);
                    else
                        tileRows<Gelu>(rows, a, b, len, bias + n0, ym, w.out, valid, k0 == 0, k0 + len == w.in);
                }
            }
        }
    }
}

}  // namespace

bool supported() {
    return kernels::hasAvx2();
}

bool available() {
    const kernels::KernelPath p = kernels::fp32Path();
    return p == kernels::KernelPath::Avx2 || p == kernels::KernelPath::Avx512;
}

int64_t PackedWeight::bytes() const {
    return (data.defined() ? data.nbytes() : 0) + (bias.defined() ? bias.nbytes() : 0);
}

PackedWeight pack(const at::Tensor& weight, const at::Tensor& bias) {
    if (weight.dim() != 2 || !weight.is_floating_point()) throw Error("fp32 kernel: the weight must be a float matrix");
    torch::NoGradGuard noGrad;
    PackedWeight p;
    // The widest path this CPU has; also when fp32Path() is LibTorch's (benchmarks, tests).
    p.path = kernels::fp32Path() == kernels::KernelPath::Avx2 || !kernels::hasAvx512() ? kernels::KernelPath::Avx2
                                                                                       : kernels::KernelPath::Avx512;
    const int64_t block = geometryOf(p.path).block;
    p.out = weight.size(0);
    p.in = weight.size(1);
    p.outPadded = (p.out + block - 1) / block * block;
    at::Tensor w = torch::zeros({p.outPadded, p.in}, torch::kFloat32);
    w.narrow(0, 0, p.out).copy_(weight.detach());
    // [outPadded, in] -> [outPadded / block, in, block]
    p.data = w.view({p.outPadded / block, block, p.in}).transpose(1, 2).contiguous();
    p.bias = torch::zeros({p.outPadded}, torch::kFloat32);
    if (bias.defined()) p.bias.narrow(0, 0, p.out).copy_(bias.detach().reshape({-1}));
    return p;
}

std::vector<at::Tensor> linearShared(const at::Tensor& input, const std::vector<const PackedWeight*>& weights,
                                     Activation activation) {
    if (weights.empty()) return {};
    const int64_t in = weights.front()->in;
    for (const PackedWeight* w : weights) {
        if (w->in != in) throw Error("fp32 kernel: layers sharing an input must have the same input width");
        if (w->path != weights.front()->path) throw Error("fp32 kernel: layers sharing an input packed for two paths");
    }
    if (input.dim() == 0 || input.size(-1) != in)
        throw Error("fp32 kernel expects " + std::to_string(in) + " input features");
    const at::Tensor x = input.to(torch::kFloat32).contiguous();
    int64_t rows = 1;  // every dimension but the last (x.numel() / in fails for in = 0)
    for (int64_t d = 0; d + 1 < x.dim(); ++d) rows *= x.size(d);
    std::vector<at::Tensor> ys;
    for (const PackedWeight* w : weights) {
        auto shape = x.sizes().vec();
        shape.back() = w->out;
        ys.push_back(at::empty(shape, x.options()));
    }
    if (rows == 0) return ys;
    if (in == 0) {
        // No inputs (a layer whose every head was pruned): the bias alone.
        for (size_t i = 0; i < weights.size(); ++i) {
            const at::Tensor b = weights[i]->bias.narrow(0, 0, weights[i]->out);
            ys[i].copy_(activation == Activation::Gelu ? at::gelu(b) : b);
        }
        return ys;
    }
    const float* xp = x.data_ptr<float>();
    std::vector<float*> yp;
    for (auto& y : ys) yp.push_back(y.data_ptr<float>());
    const int unit = geometryOf(weights.front()->path).rows;
    const int64_t tiles = (rows + unit - 1) / unit;
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * unit, r1 = std::min(rows, t1 * unit);
        for (size_t i = 0; i < weights.size(); ++i) {
            if (activation == Activation::Gelu)
                multiplyRows<true>(r0, r1, xp, *weights[i], yp[i]);
            else
                multiplyRows<false>(r0, r1, xp, *weights[i], yp[i]);
        }
    });
    return ys;
}

at::Tensor linear(const at::Tensor& x, const PackedWeight& w, Activation activation) {
    return linearShared(x, {&w}, activation).front();
}

}  // namespace tpq::fp32gemm
