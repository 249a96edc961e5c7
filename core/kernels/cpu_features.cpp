#include "kernels/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace tpq::kernels {
namespace {

bool enabledByEnvironment() {
    const char* v = std::getenv("TPQ_KERNELS");
    return !(v && (std::strcmp(v, "off") == 0 || std::strcmp(v, "0") == 0));
}

}  // namespace

bool hasAvx512() {
    static const bool has = enabledByEnvironment() && __builtin_cpu_supports("avx512f") &&
                            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
    return has;
}

bool hasAvx512Vnni() {
    static const bool has = hasAvx512() && __builtin_cpu_supports("avx512vnni");
    return has;
}

}  // namespace tpq::kernels
