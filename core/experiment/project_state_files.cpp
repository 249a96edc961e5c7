// Project runs without file locks: where a shared filesystem has no fcntl locks (some NFS
// setups) or TPQ_NO_FILE_LOCKS=1 says not to use them, update() writes each variant's run
// to a file of its own, `<project>.states/<variant>-<hash>.yaml`, which only the process
// running that variant writes (atomically: temporary file + rename). Every read of the
// project merges those files over the project file's runs. Run ids are claimed by creating
// `<project>.states/run_ids/<id>` exclusively (O_EXCL), so two processes never take the
// same one. A save under a lock folds a variant's state back into the project file and
// removes its state file.

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "experiment/project.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {

std::string Project::stateFileOf(const std::string& variant) const {
    // Readable, and unique by the hash of the whole key.
    std::string name;
    for (const char c : variant) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.';
        if (name.size() < 48) name += plain ? c : '_';
    }
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(variant)));
    return (fs::path(stateFolder()) / (name + "-" + hash + ".yaml")).string();
}

void Project::mergeStateFiles() {
    m_stateFiles = 0;
    std::error_code ec;
    const fs::path dir = stateFolder();
    if (!fs::is_directory(dir, ec)) return;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::string text;
        try {
            text = readFile(file.string(), "variant state file");
        } catch (const Error&) {
            if (!fs::exists(file, ec)) continue;  // folded into the project file meanwhile
            throw;
        }
        ProjectRun run;
        try {
            run = parseRun(YAML::Load(text), file.string());
        } catch (const Error& e) {  // parseRun's advice is for the project file's runs:
            throw Error(std::string(e.what()) + " (this is a per-variant state file: delete the file instead)");
        } catch (const YAML::Exception& e) {
            throw Error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": a damaged variant state file (" +
                        e.msg + "); delete it to run that variant again, or restore it");
        }
        setRun(run);
        ++m_stateFiles;
    }
}

void Project::writeStateFile(const ProjectRun& run) const {
    ensureDirectory(stateFolder());
    YAML::Emitter e;
    emitRun(e, run);
    writeFileAtomic(stateFileOf(run.variant),
                    "# TPQ Studio: the state of one variant of " + fs::path(m_path).filename().string() +
                        " (no file locks here); merged over its runs: on every read\n" + e.c_str() + "\n");
}

void Project::removeStateFiles(const std::set<std::string>& variants) const {
    std::error_code ec;
    if (!fs::is_directory(stateFolder(), ec)) return;
    for (const auto& v : variants) fs::remove(stateFileOf(v), ec);
}

bool Project::claimRunId(const std::string& runId, const std::string& variantKey) {
    const ProjectRun* other = findRunById(runId);
    if (other && other->variant != variantKey) return false;
    if (!m_lockless) return true;  // under the lock the runs just read are the whole truth
    const fs::path dir = fs::path(stateFolder()) / "run_ids";
    ensureDirectory(dir.string());
    const std::string file = (dir / runId).string();
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        const std::string text = variantKey + "\n";
        const bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
        ::close(fd);
        if (!written) throw Error("cannot write the run id claim " + file + ": " + std::strerror(errno));
        return true;
    }
    if (errno != EEXIST)
        throw Error("cannot claim the run id " + runId + " in " + dir.string() + ": " + std::strerror(errno));
    return std::string(trim(readFile(file, "run id claim"))) == variantKey;
}

void Project::noteLockless(const std::string& reason) const {
    static std::atomic<bool> said{false};
    if (said.exchange(true)) return;
    logWarning("no file lock on " + m_path + ".lock (" + reason +
               "): each variant's state goes to a file of its own in " + stateFolder() +
               "/, merged when the project is read");
}

}  // namespace tpq
