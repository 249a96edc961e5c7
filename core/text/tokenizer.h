#pragma once
/// \file tokenizer.h
/// What every tokenizer offers the rest of the engine: text -> tokens -> ids, and
/// model inputs with [CLS] ... [SEP], truncation, padding and an attention mask.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/vocabulary.h"

namespace tpq {

struct EncodeOptions {
    size_t maxLength = 128;        // tokens including [CLS] and [SEP]; 0 = no limit
    bool addSpecialTokens = true;  // wrap in [CLS] ... [SEP]
    bool padToMaxLength = true;    // pad with [PAD] up to maxLength (false: no padding)
};

/// One encoded text. Padding positions have id padId() and mask 0.
struct Encoding {
    std::vector<int64_t> inputIds;
    std::vector<int64_t> attentionMask;
    size_t length = 0;       // tokens before padding
    bool truncated = false;  // tokens were dropped to fit maxLength
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    /// "wordpiece" or "word".
    virtual std::string kind() const = 0;

    /// Tokens of `text` without special tokens.
    virtual std::vector<std::string> tokenize(std::string_view text) const = 0;

    /// Appends the ids of `text`'s tokens (no special tokens) to `ids`.
    virtual void tokenizeToIds(std::string_view text, std::vector<int64_t>& ids) const = 0;

    /// Writes the vocabulary file (atomically) so `Tokenizer::load` restores this tokenizer.
    virtual void save(const std::string& path) const = 0;

    /// [CLS] ids [SEP], truncated to options.maxLength (the [SEP] is kept), then padded.
    Encoding encode(std::string_view text, const EncodeOptions& options = {}) const;

    /// Encodes several texts; with padToMaxLength false they are padded to the longest
    /// one (dynamic padding), so all rows have the same length.
    std::vector<Encoding> encodeBatch(const std::vector<std::string>& texts, const EncodeOptions& options = {}) const;

    /// Tokens the model would see without truncation, special tokens included.
    size_t countTokens(std::string_view text) const;

    const Vocabulary& vocabulary() const { return m_vocab; }
    size_t vocabSize() const { return m_vocab.size(); }
    int64_t tokenToId(std::string_view token) const;  // unkId() when absent
    const std::string& idToToken(int64_t id) const { return m_vocab.token(id); }
    std::vector<std::string> idsToTokens(const std::vector<int64_t>& ids) const;

    int64_t padId() const { return m_padId; }
    int64_t unkId() const { return m_unkId; }
    int64_t clsId() const { return m_clsId; }
    int64_t sepId() const { return m_sepId; }

    /// Loads a vocabulary file and returns the matching tokenizer: a word-level vocabulary
    /// written by WordVocabTokenizer::save, otherwise WordPiece (vocab.txt / vocab.json).
    static std::unique_ptr<Tokenizer> load(const std::string& path);

protected:
    /// Looks up the special tokens; throws tpq::Error naming `source` if one is missing.
    void setVocabulary(Vocabulary vocab, const std::string& source);

    Vocabulary m_vocab;
    int64_t m_padId = 0, m_unkId = 0, m_clsId = 0, m_sepId = 0;
};

}  // namespace tpq
