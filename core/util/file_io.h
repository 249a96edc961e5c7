#pragma once
/// \file file_io.h
/// Reading and atomically writing whole files with errors that name the file and say
/// what to do.

#include <string>

namespace tpq {

/// Reads the whole file. Throws tpq::Error naming `path` when it does not exist, is a
/// directory or cannot be read. `what` describes the file in messages ("dataset file").
std::string readFile(const std::string& path, const std::string& what = "file");

/// Writes `contents` to a temporary file beside `path`, flushes it and renames it over
/// `path`, so a reader never sees a half-written file and a failure leaves the old file.
void writeFileAtomic(const std::string& path, const std::string& contents);

/// Creates `dir` and its parents when missing; throws tpq::Error on failure.
void ensureDirectory(const std::string& dir);

}  // namespace tpq
