#include "text/wordpiece_tokenizer.h"

#include "util/strings.h"

namespace tpq {

WordPieceTokenizer::WordPieceTokenizer(Vocabulary vocab, bool lowercase, const std::string& source)
    : m_basic(lowercase) {
    setVocabulary(std::move(vocab), source);
    std::vector<std::string> starts, conts;
    std::vector<int32_t> startIds, contIds;
    const auto& tokens = m_vocab.tokens();
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (startsWith(tokens[i], "##") && tokens[i].size() > 2) {
            conts.push_back(tokens[i].substr(2));
            contIds.push_back(int32_t(i));
        } else {
            starts.push_back(tokens[i]);
            startIds.push_back(int32_t(i));
        }
    }
    m_starts.build(starts, startIds);
    m_continuations.build(conts, contIds);
}

WordPieceTokenizer WordPieceTokenizer::fromFile(const std::string& path, bool lowercase) {
    return WordPieceTokenizer(Vocabulary::load(path), lowercase, path);
}

bool WordPieceTokenizer::wordPieces(std::string_view word, std::vector<int32_t>& pieces) const {
    // Count characters (UTF-8 lead bytes) for the 100-character limit.
    size_t chars = 0;
    for (char c : word) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (chars > kMaxWordChars) return false;

    const size_t before = pieces.size();
    size_t start = 0;
    while (start < word.size()) {
        const TokenIndex& index = start == 0 ? m_starts : m_continuations;
        size_t end = std::min(word.size(), start + index.maxKeyBytes());
        int32_t found = -1;
        while (end > start) {
            // Only try ends on character boundaries.
            if (end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) {
                --end;
                continue;
            }
            found = index.find(word.substr(start, end - start));
            if (found >= 0) break;
            --end;
        }
        if (found < 0) {
            pieces.resize(before);
            return false;
        }
        pieces.push_back(found);
        start = end;
    }
    return true;
}

void WordPieceTokenizer::tokenizeToIds(std::string_view text, std::vector<int64_t>& ids) const {
    thread_local WordList words;
    thread_local std::vector<int32_t> pieces;
    m_basic.split(text, words);
    for (size_t w = 0; w < words.size(); ++w) {
        pieces.clear();
        if (wordPieces(words.word(w), pieces)) {
            ids.insert(ids.end(), pieces.begin(), pieces.end());
        } else {
            ids.push_back(m_unkId);
        }
    }
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const {
    std::vector<int64_t> ids;
    tokenizeToIds(text, ids);
    return idsToTokens(ids);
}

void WordPieceTokenizer::save(const std::string& path) const {
    m_vocab.save(path);
}

}  // namespace tpq
