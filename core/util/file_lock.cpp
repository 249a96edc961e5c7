#include "util/file_lock.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "util/error.h"

namespace tpq {

FileLock::FileLock(const std::string& path) {
    if (const char* off = std::getenv("TPQ_NO_FILE_LOCKS"); off && *off && std::string(off) != "0") {
        m_reason = "TPQ_NO_FILE_LOCKS is set";
        return;
    }
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) throw Error("cannot open the lock file " + path + ": " + std::strerror(errno));
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    int rc;
    do {
        rc = ::fcntl(m_fd, F_SETLKW, &lock);
    } while (rc != 0 && errno == EINTR);
    if (rc == 0) {
        m_held = true;
        return;
    }
    const int err = errno;
    if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS) {
        m_reason = std::string("the filesystem has no file locks: ") + std::strerror(err);
        return;
    }
    ::close(m_fd);
    m_fd = -1;
    throw Error("cannot lock " + path + ": " + std::strerror(err));
}

FileLock::~FileLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the process's fcntl locks on the file
}

}  // namespace tpq
