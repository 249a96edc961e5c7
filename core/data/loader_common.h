#pragma once
/// \file loader_common.h
/// Checks every file loader makes before parsing: the file exists, is not empty, is not
/// binary. Internal to core/data.

#include <string>

namespace tpq {

/// Reads `path` and refuses empty and binary files with a message saying what to do.
/// `what` names the kind of file ("CSV file").
std::string readTextFile(const std::string& path, const std::string& what);

}  // namespace tpq
