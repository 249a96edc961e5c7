#pragma once
/// \file basic_tokenizer.h
/// BERT's "basic tokenizer" (Devlin et al. 2018, tokenization.py): drop control characters
/// and U+FFFD, map whitespace to spaces, put spaces around CJK ideographs, split on
/// whitespace, lower-case and strip accents (NFD, drop Mn) when `lowercase`, and split off
/// every punctuation character as its own word.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tpq {

/// Words produced by BasicTokenizer, stored contiguously to avoid one allocation per word.
struct WordList {
    std::string buffer;                                // all words, back to back
    std::vector<std::pair<uint32_t, uint32_t>> spans;  // (offset, length) per word

    size_t size() const { return spans.size(); }
    std::string_view word(size_t i) const { return {buffer.data() + spans[i].first, spans[i].second}; }
    void clear() {
        buffer.clear();
        spans.clear();
    }
};

class BasicTokenizer {
public:
    explicit BasicTokenizer(bool lowercase = true) : m_lowercase(lowercase) {}

    bool lowercase() const { return m_lowercase; }

    /// Splits valid UTF-8 `text` into words, appended to `out` (cleared first).
    void split(std::string_view text, WordList& out) const;

    /// Convenience form returning std::strings.
    std::vector<std::string> split(std::string_view text) const;

    static bool isPunctuation(char32_t cp);
    static bool isChineseChar(char32_t cp);
    static bool isWhitespace(char32_t cp);
    static bool isControl(char32_t cp);

private:
    bool m_lowercase;
};

}  // namespace tpq
