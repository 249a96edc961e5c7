#pragma once
/// \file single_threaded_blas.h
/// A scope in which OpenBLAS's pthread build runs on the calling thread only (its OpenMP
/// build, which scripts/setup selects, shares LibTorch's threads: there it does nothing).
///
/// OpenBLAS keeps its own pool of threads, unaware of LibTorch's OpenMP workers, and after a
/// product its threads spin for a while (tens of milliseconds) before sleeping. A small
/// product that wakes them, such as the pooler on the batch's first tokens, leaves a core
/// busy spinning while our OpenMP kernels run the next batch on the same cores: the fp32
/// pruned bert-mini ran 8.7 or 15 ms a batch from one process to the next. Inside this scope
/// OpenBLAS uses one thread; the count is restored after. Without OpenBLAS it does nothing.
///
///     { SingleThreadedBlas one; y = torch::linear(x, w, b); }

namespace tpq {

class SingleThreadedBlas {
public:
    SingleThreadedBlas();
    ~SingleThreadedBlas();
    SingleThreadedBlas(const SingleThreadedBlas&) = delete;
    SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

private:
    void (*m_set)(int) = nullptr;
    int m_saved = 1;
};

}  // namespace tpq
