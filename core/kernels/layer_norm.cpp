#include "kernels/layer_norm.h"

#include <immintrin.h>

// As in int8_gemm_vnni.cpp: GCC 12's masked-load intrinsics trip its uninitialized-value warnings.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <cmath>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/vector_math.h"
#include "util/error.h"

namespace tpq::kernels {
namespace {

TPQ_TARGET_AVX512 void normalizeRows(int64_t r0, int64_t r1, int64_t n, const float* x, const float* res,
                                     const float* gamma, const float* beta, float eps, float* y) {
    for (int64_t r = r0; r < r1; ++r) {
        const float* xr = x + r * n;
        const float* rr = res + r * n;
        float* yr = y + r * n;
        __m512 sum = _mm512_setzero_ps();
        for (int64_t k = 0; k < n; k += 16) {
            const __mmask16 m = laneMask(n - k, 0);
            const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, xr + k), _mm512_maskz_loadu_ps(m, rr + k));
            _mm512_mask_storeu_ps(yr + k, m, v);
            sum = _mm512_add_ps(sum, v);
        }
        const float mean = _mm512_reduce_add_ps(sum) / float(n);
        const __m512 mv = _mm512_set1_ps(mean);
        __m512 sq = _mm512_setzero_ps();
        for (int64_t k = 0; k < n; k += 16) {
            const __mmask16 m = laneMask(n - k, 0);
            const __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, yr + k), mv);
            sq = _mm512_fmadd_ps(d, d, sq);
        }
        const float rstd = 1.0f / std::sqrt(_mm512_reduce_add_ps(sq) / float(n) + eps);
        const __m512 rs = _mm512_set1_ps(rstd);
        for (int64_t k = 0; k < n; k += 16) {
            const __mmask16 m = laneMask(n - k, 0);
            const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, yr + k), mv), rs);
            _mm512_mask_storeu_ps(
                yr + k, m, _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(m, gamma + k), _mm512_maskz_loadu_ps(m, beta + k)));
        }
    }
}

}  // namespace

bool addLayerNormAvailable() {
    return layerNormPath() == KernelPath::Avx512;
}

at::Tensor addLayerNorm(const at::Tensor& input, const at::Tensor& residual, const at::Tensor& gammaIn,
                        const at::Tensor& betaIn, double eps) {
    if (input.sizes() != residual.sizes() || input.dim() == 0)
        throw Error("add + layer norm: the input and the residual must have the same shape");
    const int64_t n = input.size(-1);
    if (gammaIn.numel() != n || betaIn.numel() != n)
        throw Error("add + layer norm: " + std::to_string(gammaIn.numel()) + " weights for rows of " +
                    std::to_string(n));
    const at::Tensor x = input.to(torch::kFloat32).contiguous(), r = residual.to(torch::kFloat32).contiguous();
    const at::Tensor gamma = gammaIn.detach().to(torch::kFloat32).contiguous();
    const at::Tensor beta = betaIn.detach().to(torch::kFloat32).contiguous();
    at::Tensor y = at::empty_like(x);
    const int64_t rows = n == 0 ? 0 : x.numel() / n;
    if (rows == 0) return y;
    const float* xp = x.data_ptr<float>();
    const float* rp = r.data_ptr<float>();
    const float* gp = gamma.data_ptr<float>();
    const float* bp = beta.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, rows, 16,
                     [&](int64_t r0, int64_t r1) { normalizeRows(r0, r1, n, xp, rp, gp, bp, float(eps), yp); });
    return y;
}

}  // namespace tpq::kernels
