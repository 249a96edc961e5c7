#pragma once
/// \file json_support.h
/// Reading JSON files (config.json, tpq.json, result.json, JSONL rows) so that every
/// failure is a tpq::Error naming the file, the line or key and the expected type, and no
/// "[json.exception...]" text or number overflow reaches the user.
///
///     const nlohmann::json j = parseJsonObject(text, "model/config.json");
///     const int64_t layers = jsonInteger(j, "num_hidden_layers", "model/config.json");

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq {

/// The message of a nlohmann::json exception without its "[json.exception.type_error.302] "
/// prefix (any other exception's what() unchanged).
std::string jsonErrorText(const std::exception& e);

/// Parses `text`; throws tpq::Error "`where`: not valid JSON (...)" for a syntax error, a
/// number too large for a double (1e999) or invalid UTF-8.
nlohmann::json parseJson(const std::string& text, const std::string& where);
/// parseJson, and the value must be an object.
nlohmann::json parseJsonObject(const std::string& text, const std::string& where);

/// A JSON value's type as a user reads it ("a string", "null", "a number").
std::string jsonTypeName(const nlohmann::json& v);

/// `j[key]` as the type asked for; `fallback` when the key is absent (an error naming the
/// key when there is no fallback). A value of another type, a fraction for an integer or an
/// integer out of int64 range is an error "`where`: \"key\" must be an integer, got \"16\"".
int64_t jsonInteger(const nlohmann::json& j, const char* key, const std::string& where,
                    std::optional<int64_t> fallback = std::nullopt);
double jsonNumber(const nlohmann::json& j, const char* key, const std::string& where,
                  std::optional<double> fallback = std::nullopt);
bool jsonBool(const nlohmann::json& j, const char* key, const std::string& where,
              std::optional<bool> fallback = std::nullopt);
std::string jsonString(const nlohmann::json& j, const char* key, const std::string& where,
                       std::optional<std::string> fallback = std::nullopt);
std::vector<std::string> jsonStringList(const nlohmann::json& j, const char* key, const std::string& where);
std::vector<int64_t> jsonIntegerList(const nlohmann::json& j, const char* key, const std::string& where);

/// The value itself (not a key of an object): `what` names it in messages ("id2label[\"0\"]").
int64_t jsonIntegerValue(const nlohmann::json& v, const std::string& what, const std::string& where);
std::vector<int64_t> jsonIntegerListValue(const nlohmann::json& v, const std::string& what, const std::string& where);

/// `j[key]` as an object of index -> list of integers ({"0": [1, 3]}, pruned_heads); empty
/// when absent.
std::map<int64_t, std::vector<int64_t>> jsonIndexedLists(const nlohmann::json& j, const char* key,
                                                         const std::string& where);

/// An object key that must be a non-negative integer index ("3" in id2label or
/// pruned_heads); an error naming `what` otherwise.
int64_t jsonIndexKey(const std::string& key, const std::string& what, const std::string& where);

}  // namespace tpq
