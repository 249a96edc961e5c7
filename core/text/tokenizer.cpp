#include "text/tokenizer.h"

#include <algorithm>

#include "text/word_vocab_tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace tpq {

void Tokenizer::setVocabulary(Vocabulary vocab, const std::string& source) {
    m_vocab = std::move(vocab);
    auto require = [&](const char* token) {
        const int64_t id = m_vocab.id(token);
        if (id < 0) {
            throw Error(source + ": the vocabulary has no " + token +
                        " token; a BERT vocabulary needs [PAD], [UNK], [CLS] and [SEP]");
        }
        return id;
    };
    m_padId = require("[PAD]");
    m_unkId = require("[UNK]");
    m_clsId = require("[CLS]");
    m_sepId = require("[SEP]");
}

Encoding Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
    Encoding enc;
    std::vector<int64_t> ids;
    tokenizeToIds(text, ids);
    const size_t specials = options.addSpecialTokens ? 2 : 0;
    if (options.maxLength) {
        if (options.maxLength < specials + 1 && options.addSpecialTokens) {
            throw Error("max_length " + std::to_string(options.maxLength) +
                        " leaves no room for text between [CLS] and [SEP]; use at least 3");
        }
        const size_t room = options.maxLength - specials;
        if (ids.size() > room) {
            ids.resize(room);
            enc.truncated = true;
        }
    }
    enc.inputIds.reserve(options.maxLength ? options.maxLength : ids.size() + specials);
    if (options.addSpecialTokens) enc.inputIds.push_back(m_clsId);
    enc.inputIds.insert(enc.inputIds.end(), ids.begin(), ids.end());
    if (options.addSpecialTokens) enc.inputIds.push_back(m_sepId);
    enc.length = enc.inputIds.size();
    enc.attentionMask.assign(enc.length, 1);
    if (options.padToMaxLength && options.maxLength > enc.length) {
        enc.inputIds.resize(options.maxLength, m_padId);
        enc.attentionMask.resize(options.maxLength, 0);
    }
    return enc;
}

std::vector<Encoding> Tokenizer::encodeBatch(const std::vector<std::string>& texts,
                                             const EncodeOptions& options) const {
    std::vector<Encoding> out;
    out.reserve(texts.size());
    size_t longest = 0;
    for (const auto& t : texts) {
        out.push_back(encode(t, options));
        longest = std::max(longest, out.back().inputIds.size());
    }
    for (auto& e : out) {
        e.inputIds.resize(longest, m_padId);
        e.attentionMask.resize(longest, 0);
    }
    return out;
}

size_t Tokenizer::countTokens(std::string_view text) const {
    thread_local std::vector<int64_t> ids;
    ids.clear();
    tokenizeToIds(text, ids);
    return ids.size() + 2;
}

int64_t Tokenizer::tokenToId(std::string_view token) const {
    const int64_t id = m_vocab.id(token);
    return id < 0 ? m_unkId : id;
}

std::vector<std::string> Tokenizer::idsToTokens(const std::vector<int64_t>& ids) const {
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (int64_t id : ids) {
        if (id < 0 || size_t(id) >= m_vocab.size()) {
            throw Error("token id " + std::to_string(id) + " is outside the vocabulary (size " +
                        std::to_string(m_vocab.size()) + ")");
        }
        out.push_back(m_vocab.token(id));
    }
    return out;
}

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& path) {
    const std::string head = readFile(path, "vocabulary file").substr(0, 64);
    if (startsWith(head, WordVocabTokenizer::kHeader)) {
        return std::make_unique<WordVocabTokenizer>(WordVocabTokenizer::fromFile(path));
    }
    return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::fromFile(path));
}

}  // namespace tpq
