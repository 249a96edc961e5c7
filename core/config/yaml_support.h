#pragma once
/// \file yaml_support.h
/// What every YAML file of ours is read with — the experiment config and the project file —
/// so that both say where and what the same way: one location format ("file:line:col"), one
/// strict scalar reader (yaml-cpp's as<> takes "3abc" for 3), one unknown-key message with
/// the nearest known key.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace tpq {

/// "source:line:col" of `mark` (1-based; `lineOffset` added to the line), or `source` when the
/// mark has no position.
std::string yamlWhere(const std::string& source, const YAML::Mark& mark, int lineOffset = 0);

/// Strict conversions of a scalar's text: the whole text must be the number (no hex floats,
/// no infinities or NaN for doubles); false leaves `out` alone.
bool parseInt64(const std::string& text, long long& out);
bool parseDouble(const std::string& text, double& out);
bool parseBool(const std::string& text, bool& out);  // true/false, yes/no, on/off (any case)

/// "unknown <what> 'key'; did you mean 'nearest'?" — or, with nothing near, "; valid keys
/// here: a, b, c" — with `prefix` ("pruning.") before the suggested key.
std::string unknownKeyMessage(const std::string& what, const std::string& key, const std::vector<std::string>& known,
                              const std::string& prefix = "");

}  // namespace tpq
