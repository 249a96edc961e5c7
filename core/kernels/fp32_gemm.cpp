#include "kernels/fp32_gemm.h"

#include <immintrin.h>

#include <algorithm>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/vector_math_avx2.h"
#include "util/error.h"

namespace tpq::fp32gemm {
namespace {

constexpr int64_t kBlock = 16;             // outputs per panel: two registers of 8 floats
constexpr int kRows = 6;                   // rows per tile: 12 accumulators + 2 weights + 1 input
constexpr int64_t kChunkBytes = 256 * 1024;  // inputs of a row chunk, kept in L2 while every panel passes

#define TPQ_ROW(i)                                                   \
    if (MR > i) {                                                    \
        const __m256 av = _mm256_broadcast_ss(a + i * lda + k);      \
        c##i##0 = _mm256_fmadd_ps(av, w0, c##i##0);                  \
        c##i##1 = _mm256_fmadd_ps(av, w1, c##i##1);                  \
    }
#define TPQ_SAVE(i)                                \
    if (MR > i) {                                  \
        _mm256_store_ps(out + i * kBlock, c##i##0);     \
        _mm256_store_ps(out + i * kBlock + 8, c##i##1); \
    }

// The sums of MR rows x 16 outputs over the whole input width into out[MR][16]; the named
// accumulators stay in registers, the epilogue is elsewhere (see int8_gemm_vnni.cpp).
template <int MR>
TPQ_TARGET_AVX2 __attribute__((noinline)) void dotTile(const float* a, int64_t lda, const float* b, int64_t in,
                                                       float* out) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int64_t k = 0; k < in; ++k) {
        __m256 w0 = _mm256_loadu_ps(b + k * kBlock), w1 = _mm256_loadu_ps(b + k * kBlock + 8);
        asm("" : "+x"(w0), "+x"(w1));
        TPQ_ROW(0) TPQ_ROW(1) TPQ_ROW(2) TPQ_ROW(3) TPQ_ROW(4) TPQ_ROW(5)
    }
    TPQ_SAVE(0) TPQ_SAVE(1) TPQ_SAVE(2) TPQ_SAVE(3) TPQ_SAVE(4) TPQ_SAVE(5)
}
#undef TPQ_ROW
#undef TPQ_SAVE

TPQ_TARGET_AVX2 inline __m256i storeMask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <bool Gelu>
TPQ_TARGET_AVX2 void tileRows(int rows, const float* a, int64_t lda, const float* b, int64_t in, const float* bias,
                              float* y, int64_t ldy, int valid) {
    alignas(32) float sums[kRows * kBlock];
    switch (rows) {
        case 6: dotTile<6>(a, lda, b, in, sums); break;
        case 5: dotTile<5>(a, lda, b, in, sums); break;
        case 4: dotTile<4>(a, lda, b, in, sums); break;
        case 3: dotTile<3>(a, lda, b, in, sums); break;
        case 2: dotTile<2>(a, lda, b, in, sums); break;
        default: dotTile<1>(a, lda, b, in, sums); break;
    }
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < 2; ++j) {
            const int left = valid - 8 * j;
            if (left <= 0) break;
            __m256 f = _mm256_add_ps(_mm256_load_ps(sums + i * kBlock + 8 * j), _mm256_loadu_ps(bias + 8 * j));
            if (Gelu) f = kernels::gelu256(f);
            float* dst = y + i * ldy + 8 * j;
            if (left >= 8)
                _mm256_storeu_ps(dst, f);
            else
                _mm256_maskstore_ps(dst, storeMask(left), f);
        }
    }
}

template <bool Gelu>
void multiplyRows(int64_t r0, int64_t r1, const float* x, const PackedWeight& w, float* y) {
    const float* data = w.data.data_ptr<float>();
    const float* bias = w.bias.data_ptr<float>();
    const int64_t chunk = std::max<int64_t>(kRows, kChunkBytes / (4 * std::max<int64_t>(1, w.in)) / kRows * kRows);
    for (int64_t c0 = r0; c0 < r1; c0 += chunk) {
        const int64_t c1 = std::min(r1, c0 + chunk);
        for (int64_t n0 = 0; n0 < w.outPadded; n0 += kBlock) {
            const int valid = int(std::min<int64_t>(kBlock, w.out - n0));
            for (int64_t m = c0; m < c1; m += kRows) {
                tileRows<Gelu>(int(std::min<int64_t>(kRows, c1 - m)), x + m * w.in, w.in, data + n0 * w.in, w.in,
                               bias + n0, y + m * w.out + n0, w.out, valid);
            }
        }
    }
}

}  // namespace

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
    // [outPadded, in] -> [outPadded / 16, in, 16]
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
