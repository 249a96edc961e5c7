#pragma once
/// \file block_shape.h
/// The shape of the blocks unstructured pruning removes weights in: `rows` outputs x `cols`
/// inputs of a linear layer's weight [out, in]. 1 x 1 is single weights; 1 x 4 is four
/// neighbouring inputs of one output (the group VPDPBUSD multiplies at once, so the sparse
/// int8 kernel skips whole instructions); 4 x 1, 16 x 1, 32 x 1 share one input across
/// outputs. Config: `pruning.unstructured.block: [1, 4]`.

#include <optional>
#include <string>
#include <string_view>

namespace tpq {

struct BlockShape {
    int rows = 1;  // outputs per block, >= 1
    int cols = 1;  // inputs per block, >= 1

    bool isSingle() const { return rows == 1 && cols == 1; }
    bool operator==(const BlockShape& o) const { return rows == o.rows && cols == o.cols; }
    bool operator!=(const BlockShape& o) const { return !(*this == o); }
};

/// Largest rows or cols accepted (a block of a whole 1024-wide layer is already structured pruning).
constexpr int kMaxBlockSide = 1024;

/// "1x4" (as run ids, tpq.json and tables write it).
std::string blockShapeName(const BlockShape& b);
/// "1x4", "1×4" or "1,4" -> {1, 4}; nothing for anything else or sides outside [1, kMaxBlockSide].
std::optional<BlockShape> parseBlockShape(std::string_view text);

}  // namespace tpq
