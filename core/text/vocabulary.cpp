#include "text/vocabulary.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/file_io.h"
#include "util/json_support.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace tpq {
namespace {

uint64_t hashBytes(std::string_view s) {
    const uint64_t h = fnv1a(s);
    return h ^ (h >> 29);
}

const char* kSentencePieceSpace = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

bool isBracketed(const std::string& s) {
    return s.size() > 2 && s.front() == '[' && s.back() == ']';
}

}  // namespace

void TokenIndex::build(const std::vector<std::string>& keys, const std::vector<int32_t>& ids) {
    size_t capacity = 16;
    while (capacity < keys.size() * 2) capacity <<= 1;
    m_keys.assign(capacity, std::string());
    m_ids.assign(capacity, -1);
    m_mask = capacity - 1;
    m_maxKeyBytes = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
        size_t slot = hashBytes(keys[i]) & m_mask;
        while (m_ids[slot] >= 0) {
            if (m_keys[slot] == keys[i]) break;  // first id wins
            slot = (slot + 1) & m_mask;
        }
        if (m_ids[slot] >= 0) continue;
        m_keys[slot] = keys[i];
        m_ids[slot] = ids[i];
        m_maxKeyBytes = std::max(m_maxKeyBytes, keys[i].size());
    }
}

int32_t TokenIndex::find(std::string_view key) const {
    if (m_ids.empty()) return -1;
    size_t slot = hashBytes(key) & m_mask;
    while (m_ids[slot] >= 0) {
        if (m_keys[slot] == key) return m_ids[slot];
        slot = (slot + 1) & m_mask;
    }
    return -1;
}

std::string fromSentencePieceStyle(const std::string& piece, size_t id) {
    if (piece == kSentencePieceSpace) return id == 1 ? "[unused0]" : "[unused" + std::to_string(id) + "]";
    if (startsWith(piece, kSentencePieceSpace)) return piece.substr(3);
    if (isBracketed(piece)) return piece;
    return "##" + piece;
}

Vocabulary::Vocabulary(std::vector<std::string> tokens) : m_tokens(std::move(tokens)) {
    std::vector<int32_t> ids(m_tokens.size());
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t(i);
    m_index.build(m_tokens, ids);
}

Vocabulary Vocabulary::load(const std::string& path) {
    const std::string data = readFile(path, "vocabulary file");
    if (trim(data).empty()) throw Error("vocabulary file " + path + " is empty: expected one token per line");
    if (looksBinary(data)) {
        throw Error("vocabulary file " + path + " looks binary; expected vocab.txt (one token per line) or vocab.json");
    }
    if (!isValidUtf8(data)) throw Error("vocabulary file " + path + " is not valid UTF-8");
    std::vector<std::string> tokens;
    const std::string_view head = trim(std::string_view(data).substr(0, 64));
    const bool json = endsWith(toLowerAscii(path), ".json") || startsWith(head, "[\"") || startsWith(head, "{");
    if (json) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(data);
        } catch (const nlohmann::json::exception& e) {
            throw Error("vocabulary file " + path + " is not valid JSON: " + jsonErrorText(e));
        }
        if (j.is_array()) {
            tokens.reserve(j.size());
            for (size_t i = 0; i < j.size(); ++i) {
                if (!j[i].is_string()) throw Error(path + ": entry " + std::to_string(i) + " is not a string");
                tokens.push_back(fromSentencePieceStyle(j[i].get<std::string>(), i));
            }
        } else if (j.is_object()) {
            tokens.resize(j.size());
            for (auto it = j.begin(); it != j.end(); ++it) {
                if (!it.value().is_number_integer() || it.value().get<long long>() < 0 ||
                    size_t(it.value().get<long long>()) >= j.size()) {
                    throw Error(path + ": token '" + it.key() + "' has id " + it.value().dump() +
                                ", expected an integer in 0.." + std::to_string(j.size() - 1));
                }
                std::string& slot = tokens[size_t(it.value().get<long long>())];
                if (!slot.empty()) {
                    throw Error(path + ": id " + it.value().dump() + " is given to both '" + slot + "' and '" +
                                it.key() + "'; every token needs its own id");
                }
                slot = it.key();
            }
        } else {
            throw Error(path + ": expected a JSON list of tokens or an object {\"token\": id}");
        }
    } else {
        size_t start = 0;
        while (start < data.size()) {
            size_t end = data.find('\n', start);
            if (end == std::string::npos) end = data.size();
            std::string line = data.substr(start, end - start);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            tokens.push_back(std::move(line));
            start = end + 1;
        }
        while (!tokens.empty() && tokens.back().empty()) tokens.pop_back();
    }
    Vocabulary vocab(std::move(tokens));
    // Duplicate tokens make ids ambiguous: refuse them with the line of the second one.
    for (size_t i = 0; i < vocab.m_tokens.size(); ++i) {
        if (vocab.m_tokens[i].empty()) continue;
        const int64_t first = vocab.id(vocab.m_tokens[i]);
        if (first != int64_t(i)) {
            throw Error(path + ":" + std::to_string(i + 1) + ": token '" + vocab.m_tokens[i] +
                        "' appears again (first at line " + std::to_string(first + 1) + "); remove the duplicate");
        }
    }
    return vocab;
}

void Vocabulary::save(const std::string& path, const std::vector<std::string>& header) const {
    std::string out;
    for (const auto& h : header) out += h + "\n";
    for (const auto& t : m_tokens) out += t + "\n";
    writeFileAtomic(path, out);
}

}  // namespace tpq
