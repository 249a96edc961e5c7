#include "util/system_info.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <dlfcn.h>
#include <gmime/gmime.h>
#include <link.h>
#include <malloc.h>
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

std::string& blasCoreNote() {
    static std::string note;
    return note;
}

// OpenBLAS's dynamic-architecture entry points in one loaded library.
struct OpenBlasCore {
    char* (*corename)() = nullptr;
    void (*quit)() = nullptr;
    void (*init)() = nullptr;
};

// Every loaded library that is a DYNAMIC_ARCH OpenBLAS (Debian maps two: libblas.so.3 and
// libopenblas.so.0, each with its own kernel table).
std::vector<OpenBlasCore> loadedOpenBlas() {
    std::vector<std::string> files;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
            if (info->dlpi_name && *info->dlpi_name)
                static_cast<std::vector<std::string>*>(data)->push_back(info->dlpi_name);
            return 0;
        },
        &files);
    std::vector<OpenBlasCore> out;
    std::set<void*> seen;
    for (const std::string& f : files) {
        if (f.find("blas") == std::string::npos) continue;
        void* h = dlopen(f.c_str(), RTLD_LAZY | RTLD_NOLOAD);
        if (!h) continue;
        OpenBlasCore c;
        c.corename = reinterpret_cast<char* (*)()>(dlsym(h, "gotoblas_corename"));
        c.quit = reinterpret_cast<void (*)()>(dlsym(h, "gotoblas_dynamic_quit"));
        c.init = reinterpret_cast<void (*)()>(dlsym(h, "gotoblas_dynamic_init"));
        if (c.corename && c.quit && c.init && seen.insert(reinterpret_cast<void*>(c.corename)).second) out.push_back(c);
        dlclose(h);
    }
    return out;
}

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

std::string tuneOpenBlasCore() {
    static const std::string done = [] {
        if (std::getenv("OPENBLAS_CORETYPE")) return std::string();
        __builtin_cpu_init();
        const char* want = __builtin_cpu_supports("avx512bf16")                                      ? "Cooperlake"
                           : __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") ? "SkylakeX"
                           : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")         ? "Haswell"
                                                                                                     : nullptr;
        if (!want) return std::string();
        static const std::set<std::string> generic{
            "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai",        "Coppermine", "Northwood",
            "Banias",   "Atom",  "Nano",   "Athlon",     "Opteron", "Opteron(SSE3)", "Barcelona",  "Unknown"};
        std::string note;
        for (const OpenBlasCore& c : loadedOpenBlas()) {
            const std::string before = c.corename();
            if (!generic.count(before)) continue;
            setenv("OPENBLAS_CORETYPE", want, 0);
            c.quit();
            c.init();
            note = "OpenBLAS chose its generic " + before + " kernels for this CPU; switched to " + c.corename() +
                   " (OPENBLAS_CORETYPE overrides)";
        }
        return note;
    }();
    blasCoreNote() = done;
    return done;
}

void setUpProcess() {
    keepFreedMemoryForReuse();
    tuneOpenBlasCore();
}

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
    using CoreName = char* (*)();
    if (auto fn = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "gotoblas_corename"))) info.blasCore = fn();
    info.blasCoreNote = blasCoreNote();

    info.torchThreads = at::get_num_threads();
    info.hardwareThreads = int(std::thread::hardware_concurrency());
    for (auto engine : at::globalContext().supportedQEngines()) {
        if (engine != at::QEngine::NoQEngine) info.quantizedEngines.push_back(c10::toString(engine));
    }
    info.cpuFeatures = cpuInfo(&info.cpuModel);
    return info;
}

}  // namespace tpq
