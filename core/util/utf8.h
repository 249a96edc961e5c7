#pragma once
/// \file utf8.h
/// UTF-8 validation and repair. Every text that enters the engine passes through
/// `sanitizeUtf8`, so later stages can assume valid UTF-8.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tpq {

/// Returns `text` with every invalid UTF-8 sequence (stray continuation bytes, overlong
/// forms, surrogates, truncated sequences, bytes > 0xF4) replaced by U+FFFD, one per
/// maximal invalid subpart (as WHATWG and Python's "replace" do). Adds the number of
/// replacements to `*replaced` when given.
std::string sanitizeUtf8(std::string_view text, size_t* replaced = nullptr);

/// True when `text` is valid UTF-8.
bool isValidUtf8(std::string_view text);

/// Decodes one code point at `pos` of valid UTF-8 and advances `pos`.
char32_t nextCodePoint(std::string_view text, size_t& pos);

/// Appends the UTF-8 encoding of `cp` to `out`.
void appendUtf8(std::string& out, char32_t cp);

/// Heuristic used by the loaders to refuse binary files: NUL bytes, or more than 10% of
/// the first 8 KiB being control characters other than tab/newline/CR/form feed.
bool looksBinary(std::string_view head);

}  // namespace tpq
