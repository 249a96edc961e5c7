#include "text/basic_tokenizer.h"

#include <array>

#include <utf8proc.h>

#include "util/utf8.h"

namespace tpq {
namespace {

enum class AsciiClass : uint8_t { Drop, Space, Punct, Word };

constexpr std::array<AsciiClass, 128> makeAsciiTable() {
    std::array<AsciiClass, 128> t{};
    for (int c = 0; c < 128; ++c) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            t[c] = AsciiClass::Space;
        } else if (c < 32 || c == 127) {
            t[c] = AsciiClass::Drop;  // Cc controls
        } else if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            t[c] = AsciiClass::Punct;  // BERT treats all non-letter/number ASCII as punctuation
        } else {
            t[c] = AsciiClass::Word;
        }
    }
    return t;
}

constexpr std::array<AsciiClass, 128> kAscii = makeAsciiTable();

// Builds words into a WordList.
class Emitter {
public:
    explicit Emitter(WordList& out) : m_out(out) {}
    void append(char c) {
        if (!m_open) open();
        m_out.buffer += c;
    }
    void appendCp(char32_t cp) {
        if (!m_open) open();
        appendUtf8(m_out.buffer, cp);
    }
    void close() {
        if (!m_open) return;
        m_out.spans.back().second = uint32_t(m_out.buffer.size() - m_out.spans.back().first);
        m_open = false;
    }
    void single(char32_t cp) {
        close();
        appendCp(cp);
        close();
    }

private:
    void open() {
        m_out.spans.emplace_back(uint32_t(m_out.buffer.size()), 0);
        m_open = true;
    }
    WordList& m_out;
    bool m_open = false;
};

}  // namespace

bool BasicTokenizer::isWhitespace(char32_t cp) {
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
    return utf8proc_category(utf8proc_int32_t(cp)) == UTF8PROC_CATEGORY_ZS;
}

bool BasicTokenizer::isControl(char32_t cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') return false;
    const auto cat = utf8proc_category(utf8proc_int32_t(cp));
    return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF;
}

bool BasicTokenizer::isPunctuation(char32_t cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
        return true;
    }
    const auto cat = utf8proc_category(utf8proc_int32_t(cp));
    return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool BasicTokenizer::isChineseChar(char32_t cp) {
    // The CJK Unified Ideographs blocks, as in BERT's _is_chinese_char.
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void BasicTokenizer::split(std::string_view text, WordList& out) const {
    out.clear();
    out.buffer.reserve(text.size());
    Emitter emit(out);
    size_t pos = 0;
    const size_t n = text.size();
    while (pos < n) {
        const auto byte = static_cast<unsigned char>(text[pos]);
        if (byte < 0x80) {
            ++pos;
            switch (kAscii[byte]) {
                case AsciiClass::Word:
                    emit.append(m_lowercase && byte >= 'A' && byte <= 'Z' ? char(byte - 'A' + 'a') : char(byte));
                    break;
                case AsciiClass::Space:
                    emit.close();
                    break;
                case AsciiClass::Punct:
                    emit.single(byte);
                    break;
                case AsciiClass::Drop:
                    break;
            }
            continue;
        }
        char32_t cp = nextCodePoint(text, pos);
        if (cp == 0xFFFD || isControl(cp)) continue;
        if (isWhitespace(cp)) {
            emit.close();
            continue;
        }
        if (isChineseChar(cp)) {
            emit.single(cp);
            continue;
        }
        if (!m_lowercase) {
            if (isPunctuation(cp)) {
                emit.single(cp);
            } else {
                emit.appendCp(cp);
            }
            continue;
        }
        // Lower-case, then NFD, then drop non-spacing marks (accents).
        cp = char32_t(utf8proc_tolower(utf8proc_int32_t(cp)));
        utf8proc_int32_t decomposed[16];
        int boundclass = 0;
        const utf8proc_ssize_t count =
            utf8proc_decompose_char(utf8proc_int32_t(cp), decomposed, 16, UTF8PROC_DECOMPOSE, &boundclass);
        const utf8proc_ssize_t m = count > 0 && count <= 16 ? count : 0;
        if (m == 0) decomposed[0] = utf8proc_int32_t(cp);
        for (utf8proc_ssize_t k = 0; k < (m ? m : 1); ++k) {
            const char32_t c = char32_t(decomposed[k]);
            if (utf8proc_category(utf8proc_int32_t(c)) == UTF8PROC_CATEGORY_MN) continue;
            if (isPunctuation(c)) {
                emit.single(c);
            } else {
                emit.appendCp(c);
            }
        }
    }
    emit.close();
}

std::vector<std::string> BasicTokenizer::split(std::string_view text) const {
    WordList words;
    split(text, words);
    std::vector<std::string> out;
    out.reserve(words.size());
    for (size_t i = 0; i < words.size(); ++i) out.emplace_back(words.word(i));
    return out;
}

}  // namespace tpq
