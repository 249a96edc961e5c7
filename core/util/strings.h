#pragma once
/// \file strings.h
/// Small string helpers shared across core: trimming, case folding of ASCII, splitting,
/// edit distance for "did you mean" suggestions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tpq {

std::string_view trim(std::string_view s);
std::string toLowerAscii(std::string_view s);
bool startsWith(std::string_view s, std::string_view prefix);
bool endsWith(std::string_view s, std::string_view suffix);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// Levenshtein distance (insert, delete, substitute each cost 1), ASCII-case-insensitive.
size_t editDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit distance, or "" when none is within
/// max(2, word.size() / 2) edits.
std::string nearestMatch(std::string_view word, const std::vector<std::string>& candidates);

/// 64-bit FNV-1a of `bytes`, continuing from `h` (start with kFnvOffset): chain calls to
/// hash data that arrives in pieces.
constexpr uint64_t kFnvOffset = 1469598103934665603ULL;
inline uint64_t fnv1a(std::string_view bytes, uint64_t h = kFnvOffset) {
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
    return h;
}

/// Formats `value` with `digits` decimals ("12.35").
std::string formatFixed(double value, int digits);

/// Human-readable byte count in binary units ("1.5 MiB").
std::string formatBytes(double bytes);

}  // namespace tpq
