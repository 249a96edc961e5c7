#include "util/single_threaded_blas.h"

#include <dlfcn.h>

namespace tpq {

namespace {

// OpenBLAS built on OpenMP (openblas_get_parallel() == 2) shares LibTorch's OpenMP threads
// and runs on one thread inside a parallel region by itself; its openblas_set_num_threads
// would set the OpenMP thread count of the caller, LibTorch's included.
bool ownThreadPool() {
    static const bool own = [] {
        const auto parallel = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
        return parallel && parallel() == 1;
    }();
    return own;
}

}  // namespace

SingleThreadedBlas::SingleThreadedBlas() {
    static const auto get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    static const auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (get && set && ownThreadPool()) {
        m_set = set;
        m_saved = get();
        if (m_saved != 1) set(1);
    }
}

SingleThreadedBlas::~SingleThreadedBlas() {
    if (m_set && m_saved != 1) m_set(m_saved);
}

}  // namespace tpq
