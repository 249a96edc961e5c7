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
        throw Error("cannot open " + what + " " + path + ": " + std::strerror(errno) +
                    " (check its permissions)");
    }
    std::string data;
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size > 0) {
        data.resize(static_cast<size_t>(size));
        in.seekg(0);
        in.read(data.data(), size);
    }
    if (in.bad()) throw Error("error while reading " + what + " " + path);
    return data;
}

void writeFileAtomic(const std::string& path, const std::string& contents) {
    const fs::path target(path);
    if (target.has_parent_path()) ensureDirectory(target.parent_path().string());
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    {
        std::FILE* f = std::fopen(tmp.c_str(), "wb");
        if (!f) throw Error("cannot write " + tmp + ": " + std::strerror(errno));
        const bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size() &&
                        std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
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
