#pragma once
/// \file int8_gemm.h
/// Our own int8 matrix product for dynamically quantized linear layers, on AVX-512 VNNI
/// (VPDPBUSD: uint8 x int8 -> int32, 64 multiply-adds per instruction). Debian's LibTorch has
/// no FBGEMM, and its ONEDNN path (quantized::linear_dynamic) reaches about half of what
/// the instruction allows on these shapes; this kernel reaches 80-90 %.
///
///     if (int8gemm::available()) {
///         int8gemm::PackedWeight w = int8gemm::pack(values, scales, bias);  // once
///         int8gemm::linear(x, rows, w, y);  // y[rows, out] = x[rows, in] W^T + b
///     }
///
/// Each input row is quantized on the fly to uint8 with its own scale and zero point
/// (asymmetric, from the row's min/max with 0 included): per-token dynamic quantization,
/// finer than PyTorch's one scale per tensor. The int32 sums are exact; the row's zero
/// point is taken off with the weight's column sums before the float rescale, so
///     y[m, n] = sx[m] * sw[n] * (sum_k qx[m, k] * qw[n, k] - zx[m] * sum_k qw[n, k]) + b[n].
/// Work is split over LibTorch's threads by rows.

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace tpq::int8gemm {

/// True when this CPU has AVX-512 VNNI (and F/BW/VL) and TPQ_INT8_KERNEL is not "onednn".
bool available();

/// A weight [out, in] reordered for the kernel: blocks of 64 output columns, the inputs in
/// groups of 4 (one VPDPBUSD lane), padded with zeros to whole blocks and groups.
struct PackedWeight {
    at::Tensor data;    // int8 [outPadded / 64][inPadded / 4][64][4]
    at::Tensor scale;   // float32 [outPadded]: the weight scale of each output
    at::Tensor colsum;  // int32 [outPadded]: sum over inputs of each output's int8 weights
    at::Tensor bias;    // float32 [outPadded], zeros when the layer has none
    int64_t out = 0, in = 0, outPadded = 0, inPadded = 0;
    /// Bytes held (the reordered weight and the per-column vectors).
    int64_t bytes() const;
};

/// values: int8 [out, in]; scales: float32 [out] or [1]; bias: float32 [out] or undefined.
PackedWeight pack(const at::Tensor& values, const at::Tensor& scales, const at::Tensor& bias);

/// What the epilogue applies after the rescale and bias.
enum class Activation { None, Gelu };

/// y = activation(x W^T + b) for x: float32 [..., in]; returns float32 [..., out]. Requires available().
at::Tensor linear(const at::Tensor& x, const PackedWeight& weight, Activation activation = Activation::None);

/// The same for several weights with the same input width (a layer's query, key and value):
/// x is quantized once and all products run in one pass over the threads.
std::vector<at::Tensor> linearShared(const at::Tensor& x, const std::vector<const PackedWeight*>& weights,
                                     Activation activation = Activation::None);

}  // namespace tpq::int8gemm
