#pragma once
/// \file int8_gemm_paths.h
/// The per-path halves of int8_gemm.h, internal to core/kernels/: each path reorders a weight
/// its way and runs the product on rows of float input. int8_gemm.cpp chooses the path.

#include <cstdint>
#include <vector>

#include "kernels/int8_gemm.h"

namespace tpq::int8gemm::detail {

/// One product of a run: its packed weight, where its float result goes ([rows, out]) and,
/// for a static layer, its calibrated scales (null: dynamic, per-row quantization).
struct Product {
    const PackedWeight* weight;
    float* y;
    const StaticScales* fixed = nullptr;
};

/// v rounded up to a multiple of m (the padded widths of the packed layouts).
inline int64_t roundUp(int64_t v, int64_t m) {
    return (v + m - 1) / m * m;
}

/// Output blocks and input groups of each path (PackedWeight's layout).
constexpr int64_t kVnniBlock = 64, kVnniGroup = 4;
constexpr int64_t kAvx2Block = 16, kAvx2Group = 4;

/// Writes the reordered weight of values [out, in] (row-major int8) into w.data.
void reorderVnni(const int8_t* values, PackedWeight& w);
void reorderAvx2(const int8_t* values, PackedWeight& w);

/// Products of x [rows, in] (in = every weight's input width) on VPDPBUSD, or with `amx` on
/// AMX tiles (weights packed with inPadded a multiple of 64): the dynamic ones share one
/// per-row quantization of x, each static one quantizes with its own scales.
void runVnni(const float* x, int64_t rows, const std::vector<Product>& products, Activation activation, bool amx);

/// y [rows, second.out] = second(gelu(first(x))) for two sparse weights (dynamic
/// quantization of x and of the intermediate per token), a tile of tokens at a time with
/// the intermediate kept in cache: int8_gemm.h's linearGeluLinear.
void runSparseFfn(const float* x, int64_t rows, const PackedWeight& first, const PackedWeight& second, float* y);

/// Dynamic products share one quantization of x; each static one quantizes with its own scales.
void runAvx2(const float* x, int64_t rows, const std::vector<Product>& products, Activation activation);

/// int4 x int8 products (W4A8) of x [rows, weight.in] into y [rows, weight.out]: on
/// VPDPBUSD with 8-bit inputs, or on AVX2 with 7-bit ones.
void runInt4Vnni(const float* x, int64_t rows, const PackedInt4Weight& weight, float* y, Activation activation);
/// The same on AMX tiles (the weight's nibbles of 32 outputs unpacked to int8 tiles in a
/// buffer of the thread, the sums of each group rescaled as it ends); groupSize a multiple of 64.
void runInt4Amx(const float* x, int64_t rows, const PackedInt4Weight& weight, float* y, Activation activation);
void runInt4Avx2(const float* x, int64_t rows, const PackedInt4Weight& weight, float* y, Activation activation);

/// AMX (int8_gemm_amx.cpp): the tile configuration of this thread (every tile 16 x 64
/// bytes) and its release; the int32 sums of 32 rows of a (uint8, lda bytes apart, 32 rows
/// readable) x 32 outputs of an amx-packed weight (b: its first tile of those outputs),
/// into out [32][32].
constexpr int64_t kAmxRows = 32, kAmxBlock = 32, kAmxDepth = 64;
void amxBegin();
void amxEnd();
void amxDotBlock(const uint8_t* a, int64_t lda, const int8_t* b, int64_t inPadded, int32_t* out);
/// The sums over a slice of the inputs (sliceBytes, a multiple of 64): a and b point at the
/// slice's first input, the weight tiles of outputs 16-31 bNext bytes after those of 0-15.
void amxDotSlice(const uint8_t* a, int64_t lda, const int8_t* b, int64_t sliceBytes, int64_t bNext, int32_t* out);
/// The same in bf16 (TDPBF16PS, fp32 sums): a is bf16 with rows lda elements apart, b the
/// bf16 weight packed tile by tile ([out / 16][in / 32][16 pairs][16][2]), inPadded a
/// multiple of 32.
void amxDotBlockBf16(const uint16_t* a, int64_t lda, const uint16_t* b, int64_t inPadded, float* out);
/// The amx layout of an int8 weight: [outPadded / 16][inPadded / 64][16 groups of 4 inputs][16][4].
void reorderAmx(const int8_t* values, PackedWeight& w);

}  // namespace tpq::int8gemm::detail
