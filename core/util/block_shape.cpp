#include "util/block_shape.h"

#include "util/strings.h"

namespace tpq {

std::string blockShapeName(const BlockShape& b) {
    return std::to_string(b.rows) + "x" + std::to_string(b.cols);
}

std::optional<BlockShape> parseBlockShape(std::string_view text) {
    std::string s(trim(text));
    for (const std::string sep : {"×", ",", "X"}) {
        for (size_t at = s.find(sep); at != std::string::npos; at = s.find(sep)) s.replace(at, sep.size(), "x");
    }
    const auto parts = split(s, 'x');
    if (parts.size() != 2) return std::nullopt;
    int sides[2];
    for (int i = 0; i < 2; ++i) {
        const std::string p(trim(parts[size_t(i)]));
        if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        sides[i] = std::stoi(p);
        if (sides[i] < 1 || sides[i] > kMaxBlockSide) return std::nullopt;
    }
    return BlockShape{sides[0], sides[1]};
}

}  // namespace tpq
