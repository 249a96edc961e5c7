#include "util/file_lock.h"

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "util/error.h"
#include "util/logging.h"

namespace tpq {

FileLock::FileLock(const std::string& path) {
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
        static std::atomic<bool> warned{false};
        if (!warned.exchange(true))
            logWarning("file locks are not available for " + path + " (" + std::strerror(err) +
                       "): tpq processes writing this project at the same time may lose updates");
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
