#include "util/single_threaded_blas.h"

#include <dlfcn.h>

namespace tpq {

SingleThreadedBlas::SingleThreadedBlas() {
    static const auto get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    static const auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (get && set) {
        m_set = set;
        m_saved = get();
        if (m_saved != 1) set(1);
    }
}

SingleThreadedBlas::~SingleThreadedBlas() {
    if (m_set && m_saved != 1) m_set(m_saved);
}

}  // namespace tpq
