#pragma once
/// \file layer_norm.h
/// BERT's residual add and layer norm in one pass over each row, for inference:
///     y = (v - mean(v)) / sqrt(var(v) + eps) * gamma + beta,  v = x + residual
/// (AVX-512; LibTorch's add then layer_norm read and write the activations twice). The row
/// is summed twice (mean, then the squared deviations), as LibTorch's reference does, so the
/// result matches it to float rounding. Rows split over LibTorch's threads.
///
///     if (kernels::addLayerNormAvailable()) y = kernels::addLayerNorm(x, residual, gamma, beta, eps);

#include <ATen/core/Tensor.h>

namespace tpq::kernels {

/// True when layerNormPath() (kernels/cpu_features.h) is ours.
bool addLayerNormAvailable();

/// x, residual: float32 [..., n], same shape; gamma, beta: float32 [n]. Requires addLayerNormAvailable().
at::Tensor addLayerNorm(const at::Tensor& x, const at::Tensor& residual, const at::Tensor& gamma,
                        const at::Tensor& beta, double eps);

}  // namespace tpq::kernels
