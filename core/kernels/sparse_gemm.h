#pragma once
/// \file sparse_gemm.h
/// Sparse matrix products for pruned linear layers in inference: a layer whose zeros make
/// it worth it skips them instead of multiplying by them. The weight is packed once, at
/// load (int8: int8gemm::pack) or on the first inference pass after it changed (fp32: the
/// model's pack cache, models/classifier.cpp), never per call.
///   fp32  CSR, one row offset and one float per non-zero, any pattern (1x1, 4x1 ...); or,
///         when the kept groups of 4 aligned inputs are mostly full (1x4 blocks), blocks:
///         one row offset and the group's 4 floats per kept group (fp32Blocks)
///   int8  per output, the groups of 4 aligned inputs holding a non-zero (VPDPBUSD's unit:
///         exact for 1x4 blocks; an unstructured layer keeps every group with any
///         non-zero), run inside int8gemm (dynamic, static and QAT layers alike)
/// Both work token-major on tiles of up to 64 tokens (sparse_kernels.h), on CPUs with
/// AVX-512 VNNI. Where a layer runs sparse is decided per layer by the measured
/// crossover below, or by the environment:
///   TPQ_SPARSE_KERNEL=off     every layer dense (the dense kernels' own paths)
///   TPQ_SPARSE_KERNEL=on      every layer with any zero unit sparse (tests, benchmarks)
///
///     sparse::Density d = sparse::density(weight);       // d.elements, d.quads
///     if (sparse::fp32Pays(d)) { auto w = sparse::packFp32(weight, bias); sparse::linearFp32(x, w); }

#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "kernels/cpu_features.h"
#include "kernels/fp32_gemm.h"

namespace tpq::sparse {

/// How much of a weight [out, in] the sparse kernels would still have to compute.
struct Density {
    double elements = 1.0;  // non-zero weights / all weights
    double quads = 1.0;     // (output, aligned group of 4 inputs) pairs holding a non-zero / all pairs
};
Density density(const at::Tensor& weight);

/// TPQ_SPARSE_KERNEL: off, auto (the default: the crossover decides) or on.
enum class Mode { Off, Auto, On };
Mode mode();

/// AVX-512 VNNI present and not capped (TPQ_KERNELS), mode() not Off.
bool fp32Available();
bool int8Available();

/// The measured crossovers: a layer runs sparse when the density it would compute is at
/// most this (fp32 CSR: elements; fp32 blocks and int8: quads). docs/sparse.md has the
/// measurements.
double fp32MaxDensity(bool blocks);
/// Against the dense int8 path of this CPU (VPDPBUSD, or AMX tiles: a much higher bar), for
/// a layer of `in` inputs and `out` outputs (more inputs than outputs: a lower bar).
double int8MaxDensity(kernels::KernelPath densePath, int64_t in, int64_t out);
/// Whether a sparse fp32 layer of this density is packed in blocks of 4 inputs rather than
/// CSR: when its kept groups hold at least 3.2 non-zeros of 4 on average (1x4 blocks).
bool fp32Blocks(const Density& d);
/// Whether a layer of this density runs sparse here (availability, mode, crossover).
bool fp32Pays(const Density& d);
bool int8Pays(const Density& d, kernels::KernelPath densePath, int64_t in, int64_t out);

/// A weight's non-zero units per output (inputs for fp32, groups of 4 inputs for int8), in
/// CSR form with one start per (output, chunk of units: sparse_kernels.h's kChunkFp32 or
/// kChunkInt8), so that a panel of outputs runs over a tile's chunk of inputs at a time.
struct SparseRows {
    at::Tensor start;    // int64 [out, chunks + 1]: output o's entries of chunk c are [start[o][c], start[o][c + 1])
    at::Tensor offsets;  // int32 [entries]: the units' byte offsets in a transposed tile (unit x kRowBytes), ascending
    at::Tensor values;   // float32 [entries] (fp32 CSR) or [entries * 4] (fp32 blocks: the group's 4 weights),
                         // or int32 [entries] (int8: the group's 4 weight bytes)
    int64_t units = 0, chunks = 0;  // units per output, chunks of them
    int64_t held = 0;               // the units held (entries without the pairs' padding)
    double density = 1;             // held / (out * units)
    int64_t bytes() const;
};

/// Packs `values` [out, units] (float32 or int32), or [out, units, 4] (float32: blocks of 4
/// inputs, a unit's offset that of its first input's row), where `held` [out, units] (bool)
/// is true.
/// pairs: each (output, chunk)'s entries padded to an even count with a zero weight
/// (int8: sparse_kernels.h's int8Panel runs units in pairs; a float zero would turn an
/// infinite input into NaN, so fp32 keeps its odd units).
SparseRows packRows(const at::Tensor& held, const at::Tensor& values, bool pairs);

/// A float weight in sparse rows with its bias.
struct Fp32Weight {
    SparseRows rows;
    bool blocks = false;  // units are groups of 4 inputs (fp32Blocks), else single inputs
    at::Tensor bias;      // float32 [roundUp(out, 16)], zeros when the layer has none
    int64_t out = 0, in = 0;
    double density() const { return rows.density; }
    int64_t bytes() const;
};

/// weight: float [out, in]; bias: [out] or undefined. Requires fp32Available().
Fp32Weight packFp32(const at::Tensor& weight, const at::Tensor& bias);

/// activation(x W^T + b) for x: float32 [..., in]. Requires fp32Available().
at::Tensor linearFp32(const at::Tensor& x, const Fp32Weight& weight,
                      fp32gemm::Activation activation = fp32gemm::Activation::None);

/// What result.json's layer_kernels and tpq info say of a sparse layer: "sparse csr
/// (density 0.102)" and the like.
std::string describe(const char* format, double density);

}  // namespace tpq::sparse
