#pragma once
/// \file bf16_gemm.h
/// Our bf16 matrix product for bf16 linear layers on AMX-BF16 tiles (TDPBF16PS: a 16 x 32
/// bf16 tile times a 32 x 16 bf16 tile into 16 x 16 fp32 sums, 8,192 multiply-adds per
/// instruction). Inputs are rounded to bf16 per call (round to nearest even), products
/// accumulated in fp32, the bias (bf16) added and the result rounded to bf16, as LibTorch's
/// bf16 GEMM gives it; GELU after that in fp32.
///
///     if (bf16gemm::available()) {
///         bf16gemm::PackedWeight w = bf16gemm::pack(weight, bias);  // once, at load
///         at::Tensor y = bf16gemm::linear(x, w);
///     }

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "kernels/int8_gemm.h"

namespace tpq::bf16gemm {

/// True when bf16Path() is ours (AMX-BF16 with AVX512-BF16, permitted by Linux).
bool available();

/// The weight [out, in] in bf16, stored as AMX tiles of 16 outputs x 32 inputs (1 KB):
/// int16 [outPadded / 16][inPadded / 32][16 pairs of inputs][16][2], zero padded
/// (outPadded a multiple of 32, inPadded of 32).
struct PackedWeight {
    at::Tensor data;
    at::Tensor bias;  // float32 [outPadded], bf16-rounded; zeros when the layer has none
    int64_t out = 0, in = 0, outPadded = 0, inPadded = 0;
    int64_t bytes() const;
};

/// weight: float or bf16 [out, in] (rounded to bf16); bias: [out] or undefined. Requires available().
PackedWeight pack(const at::Tensor& weight, const at::Tensor& bias);

/// y = activation(bf16(x) W^T + b) for x: float [..., in]; float32 [..., out]. Requires available().
at::Tensor linear(const at::Tensor& x, const PackedWeight& weight,
                  int8gemm::Activation activation = int8gemm::Activation::None);

}  // namespace tpq::bf16gemm
