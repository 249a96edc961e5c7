#pragma once
/// \file file_lock.h
/// An exclusive advisory lock (POSIX fcntl record lock) on a lock file, held for the
/// lifetime of the object: how tpq processes on one machine or a shared filesystem take
/// turns at read-modify-rename of a project file.
///
///     { FileLock lock(project.path() + ".lock"); /* read, change, write atomically */ }

#include <string>

namespace tpq {

class FileLock {
public:
    /// Opens (creating) `path` and waits for the exclusive lock. Throws tpq::Error when the
    /// file cannot be opened. Where the filesystem has no locks (ENOLCK, some NFS setups), or
    /// TPQ_NO_FILE_LOCKS=1 says not to use them (filesystems where they hang), it proceeds
    /// without one: held() is false then and unavailableReason() says why; the caller
    /// chooses another way (Project: per-variant state files).
    explicit FileLock(const std::string& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

    bool held() const { return m_held; }
    /// Why there is no lock ("" when held()).
    const std::string& unavailableReason() const { return m_reason; }

private:
    int m_fd = -1;
    bool m_held = false;
    std::string m_reason;
};

}  // namespace tpq
