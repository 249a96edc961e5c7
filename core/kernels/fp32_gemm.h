#pragma once
/// \file fp32_gemm.h
/// Our own fp32 matrix product for linear layers in inference (AVX-512 or AVX2 + FMA), on
/// weights reordered once: panels of 48 (24) outputs, for each input the panel's weights side
/// by side. Tiles of 8 rows x 48 outputs (4 x 24) keep 24 (12) accumulators in registers, so
/// bias and GELU are applied as the result is written (no second pass over it), and nothing
/// is packed per call (OpenBLAS packs both operands on every product).
///
///     if (fp32gemm::available()) {
///         fp32gemm::PackedWeight w = fp32gemm::pack(weight, bias);  // once
///         at::Tensor y = fp32gemm::linear(x, w);                    // x W^T + b
///     }
///
/// Rows split over LibTorch's threads; a row's result does not depend on the thread count.

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "kernels/cpu_features.h"

namespace tpq::fp32gemm {

/// True when the CPU can run the kernel (AVX2 + FMA, kernels not turned off).
bool supported();
/// True when fp32Path() is ours (kernels/cpu_features.h): models' inference uses it.
bool available();

struct PackedWeight {
    at::Tensor data;  // float32 [outPadded / 24][in][24] (avx2) or [outPadded / 48][in][48] (avx512)
    at::Tensor bias;  // float32 [outPadded], zeros when the layer has none
    int64_t out = 0, in = 0, outPadded = 0;
    kernels::KernelPath path = kernels::KernelPath::Avx2;  // the panel layout: avx2 or avx512
    int64_t bytes() const;
};

/// weight: float [out, in]; bias: [out] or undefined.
PackedWeight pack(const at::Tensor& weight, const at::Tensor& bias);

enum class Activation { None, Gelu };

/// activation(x W^T + b) for x: float32 [..., in]. Requires available().
at::Tensor linear(const at::Tensor& x, const PackedWeight& weight, Activation activation = Activation::None);

/// The same for several weights on one input (query, key and value), one pass over the threads.
std::vector<at::Tensor> linearShared(const at::Tensor& x, const std::vector<const PackedWeight*>& weights,
                                     Activation activation = Activation::None);

}  // namespace tpq::fp32gemm
