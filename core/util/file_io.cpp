#include "util/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <unistd.h>

#include "util/error.h"

namespace fs = std::filesystem;

namespace tpq {

namespace {

std::string sizeText(std::uint64_t bytes) {
    if (bytes >= (1ull << 30)) return std::to_string(bytes >> 30) + " GiB";
    if (bytes >= (1ull << 20)) return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}

}  // namespace

std::uint64_t checkReadableFile(const std::string& path, const std::string& what, std::uint64_t maxBytes) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);  // follows symlinks
    if (!fs::exists(st)) {
        throw Error(what + " not found: " + path + " (check the path; relative paths are resolved from " +
                    fs::current_path(ec).string() + ")");
    }
    if (fs::is_directory(st)) throw Error(what + " " + path + " is a directory, expected a file");
    if (!fs::is_regular_file(st)) {
        throw Error(what + " " + path +
                    " is not a regular file (a device, FIFO or socket); tpq reads only regular files: "
                    "save the data to a file first");
    }
    const std::uint64_t size = fs::file_size(path, ec);
    if (ec) throw Error("cannot read the size of " + what + " " + path + ": " + ec.message());
    if (size > maxBytes) {
        throw Error(what + " " + path + " is " + sizeText(size) + ", more than the " + sizeText(maxBytes) +
                    " tpq reads for such a file; it is likely not the file you meant");
    }
    return size;
}

std::string readFile(const std::string& path, const std::string& what, std::uint64_t maxBytes) {
    const std::uint64_t size = checkReadableFile(path, what, maxBytes);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("cannot open " + what + " " + path + ": " + std::strerror(errno) + " (check its permissions)");
    }
    std::string data;
    data.reserve(size_t(size));
    // Read to the end, but never past the cap: the file may grow while it is read.
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        data.append(buffer, size_t(in.gcount()));
        if (data.size() > maxBytes) throw Error(what + " " + path + " grew past " + sizeText(maxBytes) + " while read");
    }
    if (in.bad()) throw Error("error while reading " + what + " " + path + ": " + std::strerror(errno));
    return data;
}

void writeFileAtomic(const std::string& path, const std::string& contents) {
    const fs::path target(path);
    if (target.has_parent_path()) ensureDirectory(target.parent_path().string());
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    {
        std::FILE* f = std::fopen(tmp.c_str(), "wb");
        if (!f) throw Error("cannot write " + tmp + ": " + std::strerror(errno));
        const bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size() && std::fflush(f) == 0 &&
                        ::fsync(fileno(f)) == 0;
        const int err = errno;
        std::fclose(f);
        if (!ok) {
            std::remove(tmp.c_str());
            throw Error("cannot write " + tmp + ": " + std::strerror(err) + " (is the disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error("cannot replace " + path + ": " + ec.message());
    }
}

void replaceDirectory(const std::string& from, const std::string& to) {
    std::error_code ec;
    const fs::path target(to);
    const fs::path old = fs::path(to + ".old-" + std::to_string(::getpid()));
    const bool hadOld = fs::exists(target, ec);
    if (hadOld) {
        fs::remove_all(old, ec);
        fs::rename(target, old, ec);
        if (ec) throw Error("cannot replace folder " + to + ": " + ec.message());
    }
    fs::rename(from, target, ec);
    if (ec) {
        std::error_code back;
        if (hadOld) fs::rename(old, target, back);
        throw Error("cannot write folder " + to + ": " + ec.message());
    }
    if (hadOld) fs::remove_all(old, ec);
}

void checkWritableDirectory(const std::string& dir, const std::string& what) {
    ensureDirectory(dir);
    const std::string probe = (fs::path(dir) / (".tpq-write-test-" + std::to_string(::getpid()))).string();
    std::FILE* f = std::fopen(probe.c_str(), "wb");
    if (!f) {
        throw Error("cannot write to " + what + " " + dir + ": " + std::strerror(errno) +
                    " (check its permissions, or set another folder in the config's output section)");
    }
    std::fclose(f);
    std::remove(probe.c_str());
}

void ensureDirectory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create directory " + dir + ": " + ec.message());
}

}  // namespace tpq
