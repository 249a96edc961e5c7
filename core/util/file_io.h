#pragma once
/// \file file_io.h
/// Reading and atomically writing whole files with errors that name the file and say
/// what to do.

#include <cstdint>
#include <string>

namespace tpq {

/// Size caps of the files tpq reads whole (README "Reliability"): a larger file is refused
/// before it is read.
inline constexpr std::uint64_t kMaxSmallFileBytes = 64ull << 20;  // configs, config.json, tpq.json, vocabularies
inline constexpr std::uint64_t kMaxDataFileBytes = 4ull << 30;    // datasets, weights files

/// Throws tpq::Error naming `path` unless it is a regular file (after resolving symlinks)
/// of at most `maxBytes` bytes: a missing file, a directory, a FIFO, a device such as
/// /dev/zero, or a file too large is an error, so no read can block or run without end.
/// Returns its size.
std::uint64_t checkReadableFile(const std::string& path, const std::string& what = "file",
                                std::uint64_t maxBytes = kMaxDataFileBytes);

/// Reads the whole file after checkReadableFile. `what` describes the file in messages
/// ("dataset file").
std::string readFile(const std::string& path, const std::string& what = "file",
                     std::uint64_t maxBytes = kMaxSmallFileBytes);

/// Writes `contents` to a temporary file beside `path`, flushes it and renames it over
/// `path`, so a reader never sees a half-written file and a failure leaves the old file.
void writeFileAtomic(const std::string& path, const std::string& contents);

/// Puts the folder `from` in place of `to`: the old `to` is moved aside, `from` renamed to
/// `to`, and only then the old one removed, so a failure leaves the old folder in place.
void replaceDirectory(const std::string& from, const std::string& to);

/// Throws tpq::Error naming `dir` (and what it is for) unless a file can be created in it;
/// creates it when missing. Long work checks its output folders first.
void checkWritableDirectory(const std::string& dir, const std::string& what);

/// Creates `dir` and its parents when missing; throws tpq::Error on failure.
void ensureDirectory(const std::string& dir);

}  // namespace tpq
