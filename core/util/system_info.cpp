#include "util/system_info.h"

#include <malloc.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <dlfcn.h>
#include <gmime/gmime.h>
#include <nlohmann/json.hpp>
#include <spdlog/version.h>
#include <torch/torch.h>
#include <torch/version.h>
#include <utf8proc.h>

#include "util/strings.h"

namespace tpq {

void keepFreedMemoryForReuse() {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}
namespace {

std::string mappedBlas() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    std::string found;
    while (std::getline(maps, line)) {
        const size_t slash = line.find('/');
        if (slash == std::string::npos) continue;
        const std::string path = line.substr(slash);
        const std::string file = path.substr(path.rfind('/') + 1);
        if (file.find("blas") != std::string::npos || file.find("mkl_rt") != std::string::npos) {
            found = path;
            if (path.find("openblas") != std::string::npos) return path;
        }
    }
    return found;
}

std::vector<std::string> cpuInfo(std::string* model) {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::set<std::string> flags;
    while (std::getline(in, line)) {
        if (model->empty() && startsWith(line, "model name"))
            *model = std::string(trim(line.substr(line.find(':') + 1)));
        if (startsWith(line, "flags")) {
            std::istringstream ss(line.substr(line.find(':') + 1));
            std::string f;
            while (ss >> f) flags.insert(f);
            break;
        }
    }
    std::vector<std::string> out;
    for (const char* f : {"sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512_vnni",
                          "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8"}) {
        if (flags.count(f)) out.emplace_back(f);
    }
    return out;
}

}  // namespace

int setNumThreads(int threads) {
    if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    return threads;
}

SystemInfo collectSystemInfo() {
    SystemInfo info;
    // Make sure the BLAS is really in use before looking for it.
    torch::NoGradGuard noGrad;
    const auto a = torch::ones({64, 64});
    (void)torch::mm(a, a).sum().item<float>();

    info.libraries.emplace_back("LibTorch", std::to_string(TORCH_VERSION_MAJOR) + "." +
                                                std::to_string(TORCH_VERSION_MINOR) + "." +
                                                std::to_string(TORCH_VERSION_PATCH));
    info.libraries.emplace_back("spdlog", std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) +
                                              "." + std::to_string(SPDLOG_VER_PATCH));
    info.libraries.emplace_back("nlohmann-json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                                     std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                                     std::to_string(NLOHMANN_JSON_VERSION_PATCH));
    info.libraries.emplace_back("yaml-cpp", TPQ_YAML_CPP_VERSION);
    info.libraries.emplace_back("utf8proc", utf8proc_version());
    info.libraries.emplace_back("GMime", std::to_string(gmime_major_version) + "." +
                                             std::to_string(gmime_minor_version) + "." +
                                             std::to_string(gmime_micro_version));

    info.blasLibrary = mappedBlas();
    using GetConfig = char* (*)();
    if (auto fn = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
        info.blasConfig = fn();
        info.blasIsOpenBlas = true;
    }
    if (info.blasLibrary.find("openblas") != std::string::npos) info.blasIsOpenBlas = true;

    info.torchThreads = at::get_num_threads();
    info.hardwareThreads = int(std::thread::hardware_concurrency());
    for (auto engine : at::globalContext().supportedQEngines()) {
        if (engine != at::QEngine::NoQEngine) info.quantizedEngines.push_back(c10::toString(engine));
    }
    info.cpuFeatures = cpuInfo(&info.cpuModel);
    return info;
}

}  // namespace tpq
