#include "text/word_vocab_tokenizer.h"

#include <algorithm>
#include <unordered_map>

#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace tpq {
namespace {
constexpr const char* kCasedSuffix = " cased";
}

const std::vector<std::string>& WordVocabTokenizer::specialTokens() {
    static const std::vector<std::string> specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    return specials;
}

WordVocabTokenizer::WordVocabTokenizer(Vocabulary vocab, bool lowercase, const std::string& source)
    : m_basic(lowercase) {
    setVocabulary(std::move(vocab), source);
}

WordVocabTokenizer WordVocabTokenizer::build(const std::vector<std::string>& texts, const WordVocabOptions& options) {
    BasicTokenizer basic(options.lowercase);
    std::unordered_map<std::string, size_t> counts;
    WordList words;
    for (const auto& t : texts) {
        basic.split(t, words);
        for (size_t i = 0; i < words.size(); ++i) ++counts[std::string(words.word(i))];
    }
    std::vector<std::pair<std::string, size_t>> sorted;
    sorted.reserve(counts.size());
    for (auto& [word, count] : counts) {
        if (count >= std::max<size_t>(1, options.minFrequency)) sorted.emplace_back(word, count);
    }
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<std::string> tokens = specialTokens();
    for (const auto& [word, count] : sorted) {
        if (options.maxSize && tokens.size() >= options.maxSize) break;
        if (std::find(specialTokens().begin(), specialTokens().end(), word) != specialTokens().end()) continue;
        tokens.push_back(word);
    }
    return WordVocabTokenizer(Vocabulary(std::move(tokens)), options.lowercase, "word vocabulary");
}

WordVocabTokenizer WordVocabTokenizer::fromFile(const std::string& path) {
    Vocabulary all = Vocabulary::load(path);
    if (all.size() == 0 || !startsWith(all.token(0), kHeader)) {
        throw Error(path + ":1: not a word vocabulary (the first line must be " + std::string(kHeader) +
                    "); for a BERT vocab.txt use tokenizer.type: wordpiece");
    }
    const bool lowercase = all.token(0) != std::string(kHeader) + kCasedSuffix;
    std::vector<std::string> tokens(all.tokens().begin() + 1, all.tokens().end());
    return WordVocabTokenizer(Vocabulary(std::move(tokens)), lowercase, path);
}

void WordVocabTokenizer::tokenizeToIds(std::string_view text, std::vector<int64_t>& ids) const {
    thread_local WordList words;
    m_basic.split(text, words);
    for (size_t i = 0; i < words.size(); ++i) {
        const int64_t id = m_vocab.id(words.word(i));
        ids.push_back(id < 0 ? m_unkId : id);
    }
}

std::vector<std::string> WordVocabTokenizer::tokenize(std::string_view text) const {
    std::vector<int64_t> ids;
    tokenizeToIds(text, ids);
    return idsToTokens(ids);
}

void WordVocabTokenizer::save(const std::string& path) const {
    m_vocab.save(path, {std::string(kHeader) + (m_basic.lowercase() ? "" : kCasedSuffix)});
}

}  // namespace tpq
