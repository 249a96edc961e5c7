#pragma once
/// \file system_info.h
/// What `tpq info` reports: library versions, the BLAS actually loaded into the process,
/// threads, quantized engines and CPU features. Also sets the thread count.

#include <string>
#include <vector>

namespace tpq {

struct SystemInfo {
    std::vector<std::pair<std::string, std::string>> libraries;  // name -> version
    std::string blasLibrary;                                     // file of the BLAS mapped into this process
    std::string blasConfig;                                      // openblas_get_config() when OpenBLAS, else ""
    std::string blasCore;                                        // OpenBLAS's kernel set (gotoblas_corename), else ""
    std::string blasCoreNote;                                    // what tuneOpenBlasCore() changed, else ""
    bool blasIsOpenBlas = false;
    int torchThreads = 0;                       // at::get_num_threads()
    int hardwareThreads = 0;                    // cores seen by the OS
    std::vector<std::string> quantizedEngines;  // e.g. ONEDNN, QNNPACK
    std::string cpuModel;
    std::vector<std::string> cpuFeatures;  // SIMD features relevant to our kernels
};

/// Gathers the facts (runs a small matrix product first so the BLAS is loaded).
SystemInfo collectSystemInfo();

/// Keeps freed memory in the process for reuse instead of handing it back to the OS (glibc:
/// blocks up to 32 MB from the heap rather than their own mmap, no trimming under 512 MB).
/// A forward pass allocates and frees the same large activations on every call; getting
/// them back from the kernel each time costs page faults and zeroing (measured here: a
/// bert-base batch of 8 took 8-12 % longer, fp32 and int8 alike). The price: the resident
/// size stays at its peak. Called first thing (setUpProcess) by tpq, tpq-studio and the benchmarks.
void keepFreedMemoryForReuse();

/// OpenBLAS (Debian 12 has 0.3.21, built for every CPU and choosing at load time) falls
/// back to its generic Prescott (SSE3) kernels on CPUs it does not know, such as virtual
/// machines' "Intel Xeon Processor": sgemm at 16 GMAC/s on 2 cores where its AVX-512
/// kernels reach 100 (measured on such a Xeon with AMX). Where OpenBLAS chose a generic
/// kernel set on a CPU with AVX2 or AVX-512, this switches every OpenBLAS in the process to
/// the set for the instructions the CPU has (Cooperlake with AVX512-BF16, SkylakeX with
/// AVX-512, Haswell with AVX2) and sets OPENBLAS_CORETYPE for child processes. It does
/// nothing when OPENBLAS_CORETYPE is set (the user's choice) or the BLAS is not OpenBLAS.
/// Call it first thing, before any matrix product (setUpProcess does, for tpq, tpq-studio
/// and the benchmarks). Returns what it did ("" when nothing), also in SystemInfo::blasCoreNote.
std::string tuneOpenBlasCore();

/// What tpq, tpq-studio and the benchmarks call first thing: keepFreedMemoryForReuse() and
/// tuneOpenBlasCore().
void setUpProcess();

/// Sets LibTorch's intra-op threads; `threads` <= 0 means all cores. Returns the count set.
int setNumThreads(int threads);

}  // namespace tpq
