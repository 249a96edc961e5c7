/// \file int8_gemm_amx.cpp
/// The AMX tile products of int8_gemm.h's amx path (TDPBUSD: a 16 x 64 uint8 tile times a
/// 64 x 16 int8 tile into 16 x 16 int32, 16,384 multiply-adds per instruction) and of
/// bf16_gemm.h (TDPBF16PS). Weights are stored tile by tile (1 KB each, rows 64 bytes
/// apart), so that the weight tiles of 32 outputs stay in L1 while the rows stream past;
/// inputs are padded to whole tiles (64 bytes).

#include <cstring>

#include <immintrin.h>

#include "kernels/cpu_features.h"
#include "kernels/int8_gemm_paths.h"

namespace tpq::int8gemm::detail {
namespace {

// LDTILECFG's 64-byte operand, palette 1: tiles 0-7 of 16 rows x 64 bytes (bytes 16-31:
// each tile's bytes per row, little-endian 16 bits; bytes 48-55: its rows). A constant in
// memory: GCC 12 drops stores to a local config that only _tile_loadconfig reads.
alignas(64) const uint8_t kTileConfig[64] = {1,  0,  0,  0,  0,  0,  0,  0,  0,  0, 0,  0, 0,  0, 0,  0,  //
                                             64, 0,  64, 0,  64, 0,  64, 0,  64, 0, 64, 0, 64, 0, 64, 0,  //
                                             0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 0,  0, 0,  0, 0,  0,  //
                                             16, 16, 16, 16, 16, 16, 16, 16, 0,  0, 0,  0, 0,  0, 0,  0};

}  // namespace

TPQ_TARGET_AMX void amxBegin() {
    _tile_loadconfig(kTileConfig);
}

TPQ_TARGET_AMX void amxEnd() {
    _tile_release();
}

namespace {

// Tiles 0-3: the sums of rows 0-15 / 16-31 x outputs 0-15 / 16-31; 4, 5: the two row tiles
// of inputs; 6, 7: the two output tiles of weights. Every row of a tile is 64 bytes: 64
// int8 or 32 bf16 inputs, and in a weight tile one group of 4 int8 (or 2 bf16) inputs of 16
// outputs; a weight tile is 1 KB, contiguous (amx layout). depthBytes: bytes of one input
// row (a multiple of 64); b: the weight tiles of the first 16 outputs, those of the next
// 16 bNext bytes further.
template <bool Bf16, typename Sum>
TPQ_TARGET_AMX inline void dotBlock(const void* a, int64_t lda, const void* b, int64_t depthBytes, int64_t bNext,
                                    Sum* out) {
    const auto* ab = static_cast<const uint8_t*>(a);
    const auto* b0 = static_cast<const uint8_t*>(b);
    const uint8_t* b1 = b0 + bNext;
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int64_t k = 0; k < depthBytes; k += 64) {
        _tile_loadd(4, ab + k, lda);
        _tile_loadd(5, ab + 16 * lda + k, lda);
        _tile_loadd(6, b0 + k * 16, 64);
        _tile_loadd(7, b1 + k * 16, 64);
        if (Bf16) {
            _tile_dpbf16ps(0, 4, 6);
            _tile_dpbf16ps(1, 4, 7);
            _tile_dpbf16ps(2, 5, 6);
            _tile_dpbf16ps(3, 5, 7);
        } else {
            _tile_dpbusd(0, 4, 6);
            _tile_dpbusd(1, 4, 7);
            _tile_dpbusd(2, 5, 6);
            _tile_dpbusd(3, 5, 7);
        }
    }
    constexpr int64_t ldo = kAmxBlock * 4;
    _tile_stored(0, out, ldo);
    _tile_stored(1, out + 16, ldo);
    _tile_stored(2, out + 16 * kAmxBlock, ldo);
    _tile_stored(3, out + 16 * kAmxBlock + 16, ldo);
}

}  // namespace

TPQ_TARGET_AMX void amxDotBlock(const uint8_t* a, int64_t lda, const int8_t* b, int64_t inPadded, int32_t* out) {
    dotBlock<false>(a, lda, b, inPadded, inPadded * 16, out);
}

TPQ_TARGET_AMX void amxDotSlice(const uint8_t* a, int64_t lda, const int8_t* b, int64_t sliceBytes, int64_t bNext,
                                int32_t* out) {
    dotBlock<false>(a, lda, b, sliceBytes, bNext, out);
}

TPQ_TARGET_AMX void amxDotBlockBf16(const uint16_t* a, int64_t lda, const uint16_t* b, int64_t inPadded, float* out) {
    dotBlock<true>(a, lda * 2, b, inPadded * 2, inPadded * 32, out);
}

void reorderAmx(const int8_t* src, PackedWeight& p) {
    int8_t* dst = p.data.data_ptr<int8_t>();
    const int64_t chunks = p.inPadded / kAmxDepth;
    for (int64_t n = 0; n < p.out; ++n) {
        int8_t* tiles = dst + (n / 16) * chunks * 1024 + (n % 16) * 4;
        for (int64_t k = 0; k < p.in; ++k) tiles[(k / 64) * 1024 + ((k % 64) / 4) * 64 + k % 4] = src[n * p.in + k];
    }
}

}  // namespace tpq::int8gemm::detail
