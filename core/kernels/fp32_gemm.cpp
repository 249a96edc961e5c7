#include "kernels/fp32_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/vector_math_avx2.h"
#include "util/error.h"

namespace tpq::fp32gemm {
namespace {

constexpr int64_t kBlock = 24;             // outputs per panel: three registers of 8 floats
constexpr int kRows = 4;                   // rows per tile: 12 accumulators + 3 weights + 1 input
// (4 x 24 rather than 6 x 16: three FMAs per broadcast instead of two, measured faster here)
constexpr int64_t kChunkBytes = 192 * 1024;  // inputs of a row chunk (one k-block of them), kept in L2
constexpr int64_t kKc = 256;                 // inputs per k-block: a panel's 24 x 256 weights (24 kB) stay in L1

#define TPQ_ROW(i)                                                   \
    if (MR > i) {                                                    \
        const __m256 av = _mm256_broadcast_ss(a + k * kRows + i);    \
        c##i##0 = _mm256_fmadd_ps(av, w0, c##i##0);                  \
        c##i##1 = _mm256_fmadd_ps(av, w1, c##i##1);                  \
        c##i##2 = _mm256_fmadd_ps(av, w2, c##i##2);                  \
    }
#define TPQ_SAVE(i)                                \
    if (MR > i) {                                  \
        _mm256_store_ps(out + i * kBlock, c##i##0);       \
        _mm256_store_ps(out + i * kBlock + 8, c##i##1);   \
        _mm256_store_ps(out + i * kBlock + 16, c##i##2);  \
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
        case 4: dotTile<4>(a, b, kc, sums); break;
        case 3: dotTile<3>(a, b, kc, sums); break;
        case 2: dotTile<2>(a, b, kc, sums); break;
        default: dotTile<1>(a, b, kc, sums); break;
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

// Rows [r0, r1): for chunks of rows, for blocks of kKc inputs (the panel's part of them
// stays in L1), every panel.
template <bool Gelu>
void multiplyRows(int64_t r0, int64_t r1, const float* x, const PackedWeight& w, float* y) {
    const float* data = w.data.data_ptr<float>();
    const float* bias = w.bias.data_ptr<float>();
    const int64_t kc = std::min<int64_t>(w.in, kKc);
    const int64_t chunk = std::max<int64_t>(kRows, kChunkBytes / (4 * std::max<int64_t>(1, kc)) / kRows * kRows);
    std::vector<float> packed(size_t(chunk * kc));  // the chunk's rows for one k-block, [tile][k][kRows]
    for (int64_t c0 = r0; c0 < r1; c0 += chunk) {
        const int64_t c1 = std::min(r1, c0 + chunk);
        for (int64_t k0 = 0; k0 < w.in; k0 += kc) {
            const int64_t len = std::min(kc, w.in - k0);
            for (int64_t m = c0; m < c1; m += kRows) {
                float* dst = packed.data() + (m - c0) * len;
                const int64_t n = std::min<int64_t>(kRows, c1 - m);
                for (int64_t i = 0; i < n; ++i)
                    for (int64_t k = 0; k < len; ++k) dst[k * kRows + i] = x[(m + i) * w.in + k0 + k];
            }
            for (int64_t n0 = 0; n0 < w.outPadded; n0 += kBlock) {
                const int valid = int(std::min<int64_t>(kBlock, w.out - n0));
                const float* b = data + n0 * w.in + k0 * kBlock;
                for (int64_t m = c0; m < c1; m += kRows) {
                    tileRows<Gelu>(int(std::min<int64_t>(kRows, c1 - m)), packed.data() + (m - c0) * len, b, len,
                                   bias + n0, y + m * w.out + n0, w.out, valid, k0 == 0, k0 + len == w.in);
                }
            }
        }
    }
}

}  // namespace

bool supported() { return kernels::hasAvx2(); }

bool available() { return kernels::fp32Path() == kernels::KernelPath::Avx2; }

int64_t PackedWeight::bytes() const {
    return (data.defined() ? data.nbytes() : 0) + (bias.defined() ? bias.nbytes() : 0);
}

PackedWeight pack(const at::Tensor& weight, const at::Tensor& bias) {
    if (weight.dim() != 2 || !weight.is_floating_point()) throw Error("fp32 kernel: the weight must be a float matrix");
    torch::NoGradGuard noGrad;
    PackedWeight p;
    p.out = weight.size(0);
    p.in = weight.size(1);
    p.outPadded = (p.out + kBlock - 1) / kBlock * kBlock;
    at::Tensor w = torch::zeros({p.outPadded, p.in}, torch::kFloat32);
    w.narrow(0, 0, p.out).copy_(weight.detach());
    // [outPadded, in] -> [outPadded / 24, in, 24]
    p.data = w.view({p.outPadded / kBlock, kBlock, p.in}).transpose(1, 2).contiguous();
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
    }
    if (input.dim() == 0 || input.size(-1) != in)
        throw Error("fp32 kernel expects " + std::to_string(in) + " input features");
    const at::Tensor x = input.to(torch::kFloat32).contiguous();
    const int64_t rows = x.numel() / std::max<int64_t>(1, in);
    std::vector<at::Tensor> ys;
    for (const PackedWeight* w : weights) {
        auto shape = x.sizes().vec();
        shape.back() = w->out;
        ys.push_back(at::empty(shape, x.options()));
    }
    if (rows == 0) return ys;
    const float* xp = x.data_ptr<float>();
    std::vector<float*> yp;
    for (auto& y : ys) yp.push_back(y.data_ptr<float>());
    const int64_t tiles = (rows + kRows - 1) / kRows;
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * kRows, r1 = std::min(rows, t1 * kRows);
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
