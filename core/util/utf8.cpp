#include "util/utf8.h"

namespace tpq {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid
// (then exactly one byte is replaced, per the "maximal subpart" practice for the lead).
size_t validSequenceLength(std::string_view s, size_t i, size_t* invalidSpan) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    *invalidSpan = 1;
    if (b0 < 0x80) return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    for (size_t k = 1; k <= need; ++k) {
        if (i + k >= s.size()) {
            *invalidSpan = k;
            return 0;
        }
        const auto b = static_cast<unsigned char>(s[i + k]);
        const unsigned char l = (k == 1) ? lo : 0x80;
        const unsigned char h = (k == 1) ? hi : 0xBF;
        if (b < l || b > h) {
            *invalidSpan = k;
            return 0;
        }
    }
    return need + 1;
}

}  // namespace

std::string sanitizeUtf8(std::string_view text, size_t* replaced) {
    std::string out;
    out.reserve(text.size());
    size_t count = 0;
    size_t i = 0;
    while (i < text.size()) {
        // Fast path for runs of ASCII.
        size_t j = i;
        while (j < text.size() && static_cast<unsigned char>(text[j]) < 0x80) ++j;
        out.append(text.data() + i, j - i);
        i = j;
        if (i >= text.size()) break;
        size_t span = 1;
        const size_t len = validSequenceLength(text, i, &span);
        if (len) {
            out.append(text.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++count;
            i += span;
        }
    }
    if (replaced) *replaced += count;
    return out;
}

bool isValidUtf8(std::string_view text) {
    size_t i = 0, span = 0;
    while (i < text.size()) {
        const size_t len = validSequenceLength(text, i, &span);
        if (!len) return false;
        i += len;
    }
    return true;
}

char32_t nextCodePoint(std::string_view s, size_t& pos) {
    const auto b0 = static_cast<unsigned char>(s[pos]);
    if (b0 < 0x80) {
        ++pos;
        return b0;
    }
    int extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : 1;
    char32_t cp = b0 & (0x3F >> extra);
    ++pos;
    for (int k = 0; k < extra && pos < s.size(); ++k, ++pos) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[pos]) & 0x3F);
    }
    return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool looksBinary(std::string_view head) {
    if (head.size() > 8192) head = head.substr(0, 8192);
    if (head.empty()) return false;
    size_t control = 0;
    for (char ch : head) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0) return true;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') ++control;
    }
    return control * 10 > head.size();
}

}  // namespace tpq
