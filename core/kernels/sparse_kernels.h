#pragma once
/// \file sparse_kernels.h
/// The AVX-512 inner loops of the sparse products (sparse_gemm.h), on raw pointers and
/// without LibTorch, internal to core/kernels/: call them only when hasAvx512Vnni() holds.
///
/// The products are computed token-major: a tile of T tokens (T a multiple of 16, at most
/// kTile) is transposed once so that each input (fp32) or group of 4 inputs (int8) is a row
/// of T values; an output row then costs, per stored non-zero, T / 16 vector loads and
/// multiply-adds against one broadcast weight, and no work at all for its zeros. The sums
/// of 16 outputs x 16 tokens get their epilogue and are transposed back to token rows in
/// registers (transpose16.h).
///   fp32  CSR: one float and one input's row offset per non-zero (any pattern); or blocks:
///         per kept group of 4 aligned inputs, their 4 rows (contiguous) and 4 floats
///   int8  quads: per output, the groups of 4 aligned inputs holding a non-zero, 4 weight
///         bytes and one row offset each: one VPDPBUSD per 16 tokens (exact for 1x4 blocks)

#include <cstdint>

namespace tpq::sparse::detail {

/// Tokens per tile (4 registers of 16 accumulators), outputs per panel, and units per chunk:
/// a panel's outputs run over one chunk of the tile's transposed inputs at a time, adding
/// into the panel's sums (64 x 64 x 4 bytes, 16 kB, in L1). Each chunk costs every output a
/// load and a store of its sums and a mispredicted loop exit, so at high sparsity (few units
/// per output and chunk) larger chunks pay although they leave L1. Measured on Zen 5
/// (2026-12-05): with the rows' units in pairs, int8 rows of bert-base shapes fastest at
/// 192-256 groups of 4 inputs (48-64 kB of codes) on single layers, and the whole 90% 1x4
/// model the same from 128 to 384 (before the pairs, 96 had left it at 1.88x over dense
/// int8 against 2.29x with 384); fp32 best at about 192 inputs (48 kB).
constexpr int64_t kTile = 64, kPanel = 64;
constexpr int64_t kChunkFp32 = 192;  // inputs
constexpr int64_t kChunkInt8 = 192;  // groups of 4 inputs
/// The transposed inputs' rows are kTile values apart whatever the tile's tokens, so that a
/// unit's row is a fixed byte offset, stored at packing (SparseRows::offsets).
constexpr int64_t kRowBytes = kTile * 4;

/// dst [cols][kTile] (4-byte values) = the transpose of rows [0, rows) of src (row stride
/// ld values, cols values each); columns past `rows` up to T (a multiple of 16, at most
/// kTile) are zero, those past T unwritten.
void transposeToColumns(const uint32_t* src, int64_t ld, int64_t rows, int64_t cols, uint32_t* dst, int64_t T);

/// The sums of a panel's output rows over one chunk of units, into out [rows][T] (T a
/// multiple of 16, at most kTile): row o's units of the chunk are [start[o * stride + chunk],
/// start[o * stride + chunk + 1]) of offsets/values, `offsets` the byte offsets of their rows
/// in xt; chunk 0 overwrites out, later ones add.
///   fp32: out[o][t] += values[j] * xt[offsets[j]][t]
///   int8: out[o][t] += sum_{i<4} xt[offsets[j]][t][i] * w[j][i] (uint8 x int8, exact int32
///         sums): xt holds T tokens' 4 bytes per group of inputs, w[j] 4 weight bytes. Every
///         row's units of a chunk come in pairs (packRows pads odd ones with a zero weight).
void fp32Panel(const float* xt, int64_t T, const int32_t* offsets, const float* values, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, float* out);
/// fp32 blocks: unit j is the 4 rows from offsets[j] on (4 consecutive inputs), its weights
/// values[4j .. 4j + 3]: out[o][t] += sum_{i<4} values[4j + i] * xt[row + i][t].
void fp32BlockPanel(const float* xt, int64_t T, const int32_t* offsets, const float* values, const int64_t* start,
                    int64_t stride, int64_t rows, int64_t chunk, float* out);
void int8Panel(const uint32_t* xt, int64_t T, const int32_t* offsets, const int32_t* weights, const int64_t* start,
               int64_t stride, int64_t rows, int64_t chunk, int32_t* out);

}  // namespace tpq::sparse::detail
