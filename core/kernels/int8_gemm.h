#pragma once
/// \file int8_gemm.h
/// Our own int8 matrix product for int8 linear layers (dynamic, static and QAT-converted),
/// on the best path this CPU has (kernels/cpu_features.h's int8Path()):
///   amx          TDPBUSD on AMX tiles: 16 x 64 uint8 times 64 x 16 int8, 16,384
///                multiply-adds per instruction
///   avx512_vnni  VPDPBUSD: uint8 x int8 -> int32, 64 multiply-adds per instruction
///   avx2         VPMADDUBSW + VPMADDWD: 32 multiply-adds per two instructions, on inputs
///                quantized to 7 bits (the pair sums would saturate int16 with 8)
/// Debian's LibTorch has no FBGEMM, and its ONEDNN path reaches about half of what the
/// instructions allow on these shapes.
///
///     if (int8gemm::available()) {
///         int8gemm::PackedWeight w = int8gemm::pack(values, scales, bias);  // once
///         int8gemm::linear(x, w);                       // dynamic: per-row input scales
///         int8gemm::linearStatic(x, w, {sx, zx, sy, zy});  // static: calibrated scales
///     }
///
/// Dynamic: each input row is quantized on the fly to uint8 with its own scale and zero
/// point (asymmetric, from the row's min/max with 0 included): per-token dynamic
/// quantization, finer than PyTorch's one scale per tensor. Static: every row with the
/// calibrated input scale and zero point (no range pass), and the result rounded to the
/// calibrated output grid, as quantized::linear computes it. The int32 sums are exact; the
/// zero point is taken off with the weight's column sums before the float rescale, so
///     y[m, n] = sx[m] * sw[n] * (sum_k qx[m, k] * qw[n, k] - zx[m] * sum_k qw[n, k]) + b[n].
/// On AVX2 the inputs have 7 bits (128 levels per row, or the calibrated range at half the
/// resolution). Work is split over LibTorch's threads by rows.

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "kernels/cpu_features.h"
#include "kernels/sparse_gemm.h"

namespace tpq::int8gemm {

/// True when int8Path() is one of ours (amx, avx512_vnni or avx2).
bool available();
/// The path pack() packs for and linear() runs on.
kernels::KernelPath path();

/// The levels of the input codes on the current path: 255 (amx, avx512_vnni), 127 (avx2). A
/// static layer's calibrated 8-bit input (scale s, zero point z) runs on 127 levels as
/// scale s * 255 / 127 and zero point round(z * 127 / 255).
int inputLevels();

/// A weight [out, in] reordered for the path's kernel, padded with zeros to whole blocks of
/// outputs and groups of inputs:
///   avx512_vnni  int8 [outPadded / 64][inPadded / 4][64][4]
///   amx          int8 [outPadded / 16][inPadded / 64][16][16][4]: AMX tiles of 16 outputs
///                x 64 inputs, 1 KB each (outPadded a multiple of 32, inPadded of 64)
///   avx2         int8 [outPadded / 16][inPadded / 4][16][4]
struct PackedWeight {
    at::Tensor data;    // the reordered int8 weight (undefined when the weight runs sparse)
    at::Tensor scale;   // float32 [outPadded]: the weight scale of each output
    at::Tensor colsum;  // int32 [outPadded]: sum over inputs of each output's int8 weights
    at::Tensor bias;    // float32 [outPadded], zeros when the layer has none
    int64_t out = 0, in = 0, outPadded = 0, inPadded = 0;
    kernels::KernelPath path = kernels::KernelPath::LibTorch;
    /// Set when the weight runs on the sparse kernel (kernels/sparse_gemm.h): per output,
    /// the groups of 4 aligned inputs that hold a non-zero, with their 4 weight bytes.
    sparse::SparseRows sparse;
    bool isSparse() const { return sparse.start.defined(); }
    /// Bytes held (the reordered weight or the sparse groups, and the per-column vectors).
    int64_t bytes() const;
};

/// How pack() lays a weight out: Auto runs it sparse where sparse_gemm.h's measured
/// crossover says the sparse kernel is faster for its density; Dense and Sparse force it.
enum class Layout { Auto, Dense, Sparse };

/// values: int8 [out, in]; scales: float32 [out] or [1]; bias: float32 [out] or undefined.
/// Requires available() (Layout::Sparse: sparse::int8Available()).
PackedWeight pack(const at::Tensor& values, const at::Tensor& scales, const at::Tensor& bias,
                  Layout layout = Layout::Auto);

/// What the epilogue applies after the rescale and bias.
enum class Activation { None, Gelu };

/// y = activation(x W^T + b) for x: float32 [..., in]; returns float32 [..., out]. Requires available().
at::Tensor linear(const at::Tensor& x, const PackedWeight& weight, Activation activation = Activation::None);

/// The same for several weights with the same input width (a layer's query, key and value):
/// x is quantized once and all products run in one pass over the threads.
std::vector<at::Tensor> linearShared(const at::Tensor& x, const std::vector<const PackedWeight*>& weights,
                                     Activation activation = Activation::None);

/// second(gelu(first(x))) with both layers dynamic and sparse (PackedWeight::isSparse(), a
/// VNNI or AMX path, second.in == first.out): a feed-forward block fused, its intermediate
/// never written out (computed a tile of tokens at a time and requantized in cache, to the
/// same codes the two separate calls would give: the result is identical). Returns an
/// undefined tensor where the pair does not qualify (then call linear() twice).
at::Tensor linearGeluLinear(const at::Tensor& x, const PackedWeight& first, const PackedWeight& second);

/// Calibrated quantization of a static layer: x ~= (qx - inZero) * inScale, and the result
/// rounded to y ~= (qy - outZero) * outScale before the activation.
struct StaticScales {
    float inScale = 1.0f;
    int32_t inZero = 0;  // [0, 255]
    float outScale = 1.0f;
    int32_t outZero = 0;  // [0, 255]
};

/// True when the static form runs on our kernel here (every path of ours: available()).
bool staticAvailable();

/// activation(requantize(x W^T + b)) with the input quantized by the calibrated scales (a
/// row holding NaN or infinity gives NaN outputs). Requires staticAvailable().
at::Tensor linearStatic(const at::Tensor& x, const PackedWeight& weight, const StaticScales& scales,
                        Activation activation = Activation::None);
/// The same for several static layers on one input (query, key and value, each with its own
/// scales), in one pass over the threads.
std::vector<at::Tensor> linearStaticShared(const at::Tensor& x, const std::vector<const PackedWeight*>& weights,
                                           const std::vector<StaticScales>& scales,
                                           Activation activation = Activation::None);

/// int4 weights (W4A8): w[o, k] = (nibble - 8) * scale[o, k / groupSize], reordered for the
/// AVX2 kernel: per block of 16 outputs and group of 4 inputs, 32 bytes whose low nibbles
/// are the first 8 outputs' four weights and high nibbles the last 8's. The nibbles are
/// unpacked in registers; the integer sums of each group are rescaled by the group's scales
/// as the group ends (no float copy of the weight, ever). Inputs are quantized per row as
/// in the dynamic int8 path (int4InputLevels()).
struct PackedInt4Weight {
    at::Tensor data;      // uint8 [outPadded / 16][in / 4][32]
    at::Tensor scale;     // float32 [outPadded / 16][groups][16]
    at::Tensor groupSum;  // int32 [outPadded / 16][groups][16]: sum over the group of (nibble - 8)
    at::Tensor bias;      // float32 [outPadded]
    int64_t out = 0, in = 0, outPadded = 0, groupSize = 0, groups = 0;
    int64_t bytes() const;
};

/// True where the int4 kernel runs (AVX2 + FMA, kernels not turned off).
bool int4Available();
/// The input levels of the int4 kernel: 255 where the int8 path is AVX-512 VNNI or AMX (the
/// nibbles unpacked to signed bytes for VPDPBUSD, 16 outputs a register), 127 on AVX2.
int int4InputLevels();
/// Where an int4 layer of this group size runs: amx (groups of a multiple of 64, the nibbles
/// of 32 outputs unpacked to int8 tiles in a buffer of the thread), avx512_vnni, avx2, or
/// libtorch (weights expanded to float).
kernels::KernelPath int4Path(int64_t groupSize);

/// packed: uint8 [out, in / 2], the even input in the low nibble (quantized_linear.h's
/// Int4Weight); scales: float32 [out, in / groupSize]; bias: [out] or undefined.
/// groupSize must be a multiple of 4 that divides `in`. Requires int4Available().
PackedInt4Weight packInt4(const at::Tensor& packed, const at::Tensor& scales, int64_t groupSize,
                          const at::Tensor& bias);

/// activation(x W^T + b) with x quantized per row. Requires int4Available().
at::Tensor linearInt4(const at::Tensor& x, const PackedInt4Weight& weight, Activation activation = Activation::None);

}  // namespace tpq::int8gemm
