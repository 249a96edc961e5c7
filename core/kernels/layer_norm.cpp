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

// The sum of f(k) over a row's registers, k = 0, 16, ... < n (f gets the lane mask), in four
// independent chains (one chain waited on each add's latency: 48 in a row for bert-base).
template <class F>
TPQ_TARGET_AVX512 inline float rowSum(int64_t n, F f) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t k = 0;
    for (; k + 64 <= n; k += 64) {
        s0 = _mm512_add_ps(s0, f(k, __mmask16(0xFFFF)));
        s1 = _mm512_add_ps(s1, f(k + 16, __mmask16(0xFFFF)));
        s2 = _mm512_add_ps(s2, f(k + 32, __mmask16(0xFFFF)));
        s3 = _mm512_add_ps(s3, f(k + 48, __mmask16(0xFFFF)));
    }
    for (; k < n; k += 16) s0 = _mm512_add_ps(s0, f(k, laneMask(n - k, 0)));
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

TPQ_TARGET_AVX512 void normalizeRows(int64_t r0, int64_t r1, int64_t n, const float* x, const float* res,
                                     const float* gamma, const float* beta, float eps, float* y) {
    for (int64_t r = r0; r < r1; ++r) {
        const float* xr = x + r * n;
        const float* rr = res + r * n;
        float* yr = y + r * n;
        // y = x + res (masked lanes 0), its mean, then the mean square of y - mean.
        const float mean = rowSum(n,
                                  [&](int64_t k, __mmask16 m) TPQ_TARGET_AVX512 {
                                      const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, xr + k),
                                                                     _mm512_maskz_loadu_ps(m, rr + k));
                                      _mm512_mask_storeu_ps(yr + k, m, v);
                                      return v;
                                  }) /
                           float(n);
        const __m512 mv = _mm512_set1_ps(mean);
        const float var = rowSum(n,
                                 [&](int64_t k, __mmask16 m) TPQ_TARGET_AVX512 {
                                     const __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, yr + k), mv);
                                     return _mm512_mul_ps(d, d);
                                 }) /
                          float(n);
        const __m512 rs = _mm512_set1_ps(1.0f / std::sqrt(var + eps));
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
