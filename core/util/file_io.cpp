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

std::string readFile(const std::string& path, const std::string& what) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        throw Error(what + " not found: " + path + " (check the path; relative paths are resolved from " +
                    fs::current_path(ec).string() + ")");
    }
    if (fs::is_directory(path, ec)) {
        throw Error(what + " " + path + " is a directory, expected a file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("cannot open " + what + " " + path + ": " + std::strerror(errno) + " (check its permissions)");
    }
    // Read to the end of the stream rather than trusting the size: pipes and /dev/stdin
    // report no size.
    std::string data;
    std::error_code sizeError;
    const auto size = fs::is_regular_file(path, ec) ? fs::file_size(path, sizeError) : 0;
    if (!sizeError && size > 0) data.reserve(size_t(size));
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) data.append(buffer, size_t(in.gcount()));
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

void ensureDirectory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create directory " + dir + ": " + ec.message());
}

}  // namespace tpq
