#pragma once
/// \file error.h
/// The one exception type the engine throws. Its message says what was wrong, where
/// (file, line, key, row) and what to do about it; callers show it verbatim.

#include <stdexcept>
#include <string>

namespace tpq {

/// Thrown by core for every user-facing failure. The CLI prints `what()` and exits 1;
/// the GUI shows it in a dialog and keeps running.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tpq
