#pragma once
/// \file label_mapping.h
/// Turns raw label strings ("spam", "1", "neg") into ids and label names, the same way for
/// every file format.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tpq {

struct LabelMapping {
    std::vector<std::string> names;     // index = label id
    std::vector<int64_t> ids;           // one per raw label, in input order
    std::vector<std::string> warnings;  // e.g. labels that mix numbers and names
};

/// With `givenNames`: a raw label equal to a name maps to its index, an integer in range
/// maps to itself, anything else is an error naming `where(i)` and the valid names.
/// Without: all-integer labels keep numeric order (names are the numbers); otherwise the
/// distinct names, sorted, become the classes.
LabelMapping mapLabels(const std::vector<std::string>& raw, const std::vector<std::string>& givenNames,
                       const std::function<std::string(size_t)>& where);

/// True for an optional sign followed by digits only.
bool isInteger(const std::string& s);

}  // namespace tpq
