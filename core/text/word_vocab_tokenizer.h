#pragma once
/// \file word_vocab_tokenizer.h
/// Word-level tokenizer for the custom Transformer trained from scratch: the basic
/// tokenizer's words, looked up in a vocabulary built from the training split.

#include "text/basic_tokenizer.h"
#include "text/tokenizer.h"

namespace tpq {

struct WordVocabOptions {
    size_t minFrequency = 2;  // words seen fewer times become [UNK]
    size_t maxSize = 30000;   // vocabulary size including the 5 special tokens; 0 = no limit
    bool lowercase = true;    // lower-case and strip accents before counting
};

class WordVocabTokenizer : public Tokenizer {
public:
    /// First line of a saved word vocabulary; `Tokenizer::load` recognizes it.
    static constexpr const char* kHeader = "[tpq-word-vocab v1]";
    static const std::vector<std::string>& specialTokens();  // [PAD] [UNK] [CLS] [SEP] [MASK]

    explicit WordVocabTokenizer(Vocabulary vocab, bool lowercase = true, const std::string& source = "vocabulary");

    /// Counts words in `texts` (the training split) and keeps the most frequent ones
    /// (ties broken alphabetically, so the result is deterministic).
    static WordVocabTokenizer build(const std::vector<std::string>& texts, const WordVocabOptions& options = {});

    /// Loads a file written by save().
    static WordVocabTokenizer fromFile(const std::string& path);

    std::string kind() const override { return "word"; }
    std::vector<std::string> tokenize(std::string_view text) const override;
    void tokenizeToIds(std::string_view text, std::vector<int64_t>& ids) const override;
    void save(const std::string& path) const override;

private:
    BasicTokenizer m_basic;
};

}  // namespace tpq
