#pragma once
/// \file sparse_kernels.h
/// The AVX-512 inner loops of the sparse products (sparse_gemm.h), on raw pointers and
/// without LibTorch, internal to core/kernels/: call them only when hasAvx512Vnni() holds.
///
/// The products are computed token-major: a tile of T tokens (T a multiple of 16, at most
/// 128) is transposed once so that each input (fp32) or group of 4 inputs (int8) is a row
/// of T values; an output row then costs, per stored non-zero, T / 16 vector loads and
/// multiply-adds against one broadcast weight, and no work at all for its zeros. The sums
/// of 16 outputs x T tokens are transposed back to token rows for the epilogue.
///   fp32  CSR: one float and one input index per non-zero (any pattern)
///   int8  quads: per output, the groups of 4 aligned inputs holding a non-zero, 4 weight
///         bytes and one index each: one VPDPBUSD per 16 tokens (exact for 1x4 blocks)

#include <cstdint>

namespace tpq::sparse::detail {

/// Tokens per tile (4 registers of 16 accumulators), outputs per panel, and units per chunk:
/// a panel's outputs run over one chunk of the tile's transposed inputs at a time, adding
/// into the panel's sums (64 x 64 x 4 bytes, 16 kB, in L1). Each chunk costs every output a
/// load and a store of its sums, so at high sparsity (few units per output and chunk) larger
/// chunks pay although they leave L1: measured on bert-base 1x4 (Zen 5, 2026-12-05), int8
/// 90% went from 1.88x to 2.29x over dense int8 with chunks of 384 groups of 4 inputs (96 kB
/// of codes) instead of 96; fp32 best at about 192 inputs (48 kB).
constexpr int64_t kTile = 64, kPanel = 64;
constexpr int64_t kChunkFp32 = 192;  // inputs
constexpr int64_t kChunkInt8 = 384;  // groups of 4 inputs

/// dst [cols][T] (4-byte values) = the transpose of rows [0, rows) of src (row stride ld
/// values, cols values each); dst rows are T apart, columns past `rows` (up to T, a
/// multiple of 16) are zero.
void transposeToColumns(const uint32_t* src, int64_t ld, int64_t rows, int64_t cols, uint32_t* dst, int64_t T);

/// out[t][j] = src[j * T + t] for j, t < 16: 16 outputs' sums of 16 tokens as 16 token rows.
void transposeBlock(const uint32_t* src, int64_t T, uint32_t* out);

/// The sums of a panel's output rows over one chunk of units, into out [rows][T] (T a
/// multiple of 16, at most kTile): row o's units of the chunk are [start[o * stride + chunk],
/// start[o * stride + chunk + 1]) of index/values; chunk 0 overwrites out, later ones add.
///   fp32: out[o][t] += values[j] * xt[index[j] * T + t]
///   int8: out[o][t] += sum_{i<4} xt[index[j] * T + t][i] * w[j][i] (uint8 x int8, exact
///         int32 sums): xt holds T tokens' 4 bytes per group of inputs, w[j] 4 weight bytes.
void fp32Panel(const float* xt, int64_t T, const int32_t* index, const float* values, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, float* out);
void int8Panel(const uint32_t* xt, int64_t T, const int32_t* index, const int32_t* weights, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, int32_t* out);

}  // namespace tpq::sparse::detail
