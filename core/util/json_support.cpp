#include "util/json_support.h"

#include <cerrno>
#include <cstdlib>

#include "util/error.h"

namespace tpq {
namespace {

using Json = nlohmann::json;

const Json* member(const Json& j, const char* key, const std::string& where, bool required) {
    if (!j.is_object()) throw Error(where + ": expected a JSON object, got " + jsonTypeName(j));
    const auto it = j.find(key);
    if (it != j.end()) return &*it;
    if (required) throw Error(where + ": missing key \"" + std::string(key) + "\"");
    return nullptr;
}

[[noreturn]] void wrongType(const Json& v, const std::string& what, const char* expected, const std::string& where) {
    std::string shown = v.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
    throw Error(where + ": " + what + " must be " + expected + ", got " + jsonTypeName(v) +
                (v.is_null() ? std::string() : " " + shown));
}

std::string quoted(const char* key) {
    return "\"" + std::string(key) + "\"";
}

/// `j[key]` when `(value.*is)()`, `fallback` when absent, else an error naming the type.
template <class T>
T typed(const Json& j, const char* key, const std::string& where, std::optional<T> fallback,
        bool (Json::*is)() const noexcept, const char* expected) {
    const Json* v = member(j, key, where, !fallback);
    if (!v) return *std::move(fallback);
    if (!(v->*is)()) wrongType(*v, quoted(key), expected, where);
    return v->get<T>();
}

}  // namespace

std::string jsonErrorText(const std::exception& e) {
    std::string text = e.what();
    if (text.rfind("[json.exception.", 0) == 0) {
        const auto close = text.find("] ");
        if (close != std::string::npos) text = text.substr(close + 2);
    }
    return text;
}

Json parseJson(const std::string& text, const std::string& where) {
    try {
        return Json::parse(text);
    } catch (const Json::exception& e) {
        throw Error(where + ": not valid JSON (" + jsonErrorText(e) + ")");
    }
}

Json parseJsonObject(const std::string& text, const std::string& where) {
    Json j = parseJson(text, where);
    if (!j.is_object()) throw Error(where + ": expected a JSON object, got " + jsonTypeName(j));
    return j;
}

std::string jsonTypeName(const Json& v) {
    switch (v.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::array:
            return "a list";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::number_float:
            return "a number";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        default:
            return "a value";
    }
}

int64_t jsonIntegerValue(const Json& v, const std::string& what, const std::string& where) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX))
        throw Error(where + ": " + what + " is out of range, got " + v.dump());
    if (!v.is_number_integer()) wrongType(v, what, "an integer", where);
    return v.get<int64_t>();
}

std::vector<int64_t> jsonIntegerListValue(const Json& v, const std::string& what, const std::string& where) {
    if (!v.is_array()) wrongType(v, what, "a list of integers", where);
    std::vector<int64_t> out;
    for (size_t i = 0; i < v.size(); ++i)
        out.push_back(jsonIntegerValue(v[i], what + "[" + std::to_string(i) + "]", where));
    return out;
}

int64_t jsonInteger(const Json& j, const char* key, const std::string& where, std::optional<int64_t> fallback) {
    const Json* v = member(j, key, where, !fallback);
    return v ? jsonIntegerValue(*v, quoted(key), where) : *fallback;
}

double jsonNumber(const Json& j, const char* key, const std::string& where, std::optional<double> fallback) {
    return typed(j, key, where, fallback, &Json::is_number, "a number");
}

bool jsonBool(const Json& j, const char* key, const std::string& where, std::optional<bool> fallback) {
    return typed(j, key, where, fallback, &Json::is_boolean, "true or false");
}

std::string jsonString(const Json& j, const char* key, const std::string& where, std::optional<std::string> fallback) {
    return typed(j, key, where, std::move(fallback), &Json::is_string, "a string");
}

std::vector<std::string> jsonStringList(const Json& j, const char* key, const std::string& where) {
    const Json& v = *member(j, key, where, true);
    if (!v.is_array()) wrongType(v, quoted(key), "a list of strings", where);
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) wrongType(v[i], quoted(key) + "[" + std::to_string(i) + "]", "a string", where);
        out.push_back(v[i].get<std::string>());
    }
    return out;
}

std::vector<int64_t> jsonIntegerList(const Json& j, const char* key, const std::string& where) {
    return jsonIntegerListValue(*member(j, key, where, true), quoted(key), where);
}

std::map<int64_t, std::vector<int64_t>> jsonIndexedLists(const Json& j, const char* key, const std::string& where) {
    std::map<int64_t, std::vector<int64_t>> out;
    const Json* v = member(j, key, where, false);
    if (!v) return out;
    if (!v->is_object()) wrongType(*v, quoted(key), "an object {\"0\": [...], ...}", where);
    for (auto it = v->begin(); it != v->end(); ++it)
        out[jsonIndexKey(it.key(), key, where)] =
            jsonIntegerListValue(it.value(), std::string(key) + "[\"" + it.key() + "\"]", where);
    return out;
}

int64_t jsonIndexKey(const std::string& key, const std::string& what, const std::string& where) {
    const bool digits = !key.empty() && key.size() <= 9 && key.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) throw Error(where + ": " + what + " key \"" + key + "\" is not an index (0, 1, 2, ...)");
    return std::strtoll(key.c_str(), nullptr, 10);
}

}  // namespace tpq
