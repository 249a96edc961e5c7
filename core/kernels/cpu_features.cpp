#include "kernels/cpu_features.h"

#include <cstdlib>
#include <cstring>

#include <cpuid.h>

#include "kernels/sparse_gemm.h"

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace tpq::kernels {
namespace {

uint64_t xgetbv0() {
    uint32_t eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (uint64_t(edx) << 32) | eax;
}

bool bit(uint32_t v, int b) {
    return (v >> b) & 1u;
}

// Linux keeps AMX tile data off for a process until it asks (kernel 5.16+).
bool requestAmxPermission() {
#if defined(__linux__) && defined(SYS_arch_prctl)
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
    return false;
#endif
}

CpuFeatures detect() {
    CpuFeatures f;
    uint32_t a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool osxsave = bit(c, 27);
    f.fma = bit(c, 12);
    f.f16c = bit(c, 29);
    const bool avx = bit(c, 28);
    const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    const bool ymmState = (xcr0 & 0x6) == 0x6;                     // SSE + AVX state
    const bool zmmState = ymmState && (xcr0 & 0xe0) == 0xe0;       // opmask + ZMM halves
    const bool tileState = (xcr0 & (3ull << 17)) == (3ull << 17);  // TILECFG + TILEDATA
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = avx && ymmState && bit(b, 5);
    f.fma = f.fma && ymmState;
    f.f16c = f.f16c && ymmState;
    f.avx512 = zmmState && bit(b, 16) && bit(b, 17) && bit(b, 30) && bit(b, 31);  // F DQ BW VL
    f.avx512Vnni = f.avx512 && bit(c, 11);
    f.avx512Fp16 = f.avx512 && bit(d, 23);
    f.amxBf16 = tileState && bit(d, 22);
    f.amxTile = tileState && bit(d, 24);
    f.amxInt8 = tileState && bit(d, 25);
    const uint32_t maxSub = a;
    if (maxSub >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        f.avxVnni = ymmState && bit(a, 4);
        f.avx512Bf16 = f.avx512 && bit(a, 5);
    }
    if (f.amxTile) f.amxPermitted = requestAmxPermission();
    return f;
}

const char* env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

bool kernelsOff() {
    return std::strcmp(env("TPQ_KERNELS"), "off") == 0 || std::strcmp(env("TPQ_KERNELS"), "0") == 0;
}
bool cappedAtAvx2() {
    return std::strcmp(env("TPQ_KERNELS"), "avx2") == 0;
}
bool cappedAtAvx512() {
    return cappedAtAvx2() || std::strcmp(env("TPQ_KERNELS"), "avx512") == 0;
}

}  // namespace

const CpuFeatures& cpuFeatures() {
    static const CpuFeatures f = detect();
    return f;
}

const char* kernelPathName(KernelPath path) {
    switch (path) {
        case KernelPath::Amx:
            return "amx";
        case KernelPath::Avx512Vnni:
            return "avx512_vnni";
        case KernelPath::Avx512:
            return "avx512";
        case KernelPath::Avx2:
            return "avx2";
        case KernelPath::LibTorch:
            break;
    }
    return "libtorch";
}

bool hasAvx2() {
    static const bool has = !kernelsOff() && cpuFeatures().avx2 && cpuFeatures().fma;
    return has;
}

bool hasAvx512() {
    static const bool has = !kernelsOff() && !cappedAtAvx2() && cpuFeatures().avx512 && cpuFeatures().fma;
    return has;
}

bool hasAvx512Vnni() {
    static const bool has = hasAvx512() && cpuFeatures().avx512Vnni;
    return has;
}

bool hasAmxInt8() {
    static const bool has = !cappedAtAvx512() && hasAvx512Vnni() && cpuFeatures().amxInt8 && cpuFeatures().amxPermitted;
    return has;
}

bool hasAmxBf16() {
    static const bool has = !cappedAtAvx512() && hasAvx512() && cpuFeatures().amxBf16 && cpuFeatures().amxPermitted;
    return has;
}

KernelPath int8Path() {
    static const KernelPath path = [] {
        const char* forced = env("TPQ_INT8_KERNEL");
        if (std::strcmp(forced, "onednn") == 0 || std::strcmp(forced, "libtorch") == 0) return KernelPath::LibTorch;
        if (std::strcmp(forced, "avx2") != 0 && hasAvx512Vnni()) {
            const bool vnniForced = std::strcmp(forced, "avx512_vnni") == 0 || std::strcmp(forced, "vnni") == 0;
            if (hasAmxInt8() && !vnniForced) return KernelPath::Amx;
            return KernelPath::Avx512Vnni;
        }
        if (hasAvx2()) return KernelPath::Avx2;
        return KernelPath::LibTorch;
    }();
    return path;
}

KernelPath fp32Path() {
    // Inference products only; training keeps LibTorch's (autograd needs its operators).
    // Measured on a Zen 3 (AVX2): OpenBLAS's sgemm 72-85 GMAC/s on 2 cores against 61-65
    // for our AVX2 kernel, and bert-base 1505 against 1705 ms at batch 8, so OpenBLAS stays
    // the default and ours is opt-in (TPQ_FP32_KERNEL=avx2) until it is faster.
    // On a Xeon with AMX (AVX-512): our AVX-512 kernel 0.87-0.89x OpenBLAS's Cooperlake sgemm
    // on bert-base's FFN product at 1024 rows, 0.6-1.15x at 128 (three runs, one process
    // each), and bert-base batch 1 223-250 ms against 192-318 (alternating processes, a noisy
    // machine): not faster, so OpenBLAS stays the default there too (TPQ_FP32_KERNEL=avx512).
    static const KernelPath path = [] {
        const char* forced = env("TPQ_FP32_KERNEL");
        if (std::strcmp(forced, "avx2") == 0 && hasAvx2()) return KernelPath::Avx2;
        if (std::strcmp(forced, "avx512") == 0 && hasAvx512()) return KernelPath::Avx512;
        return KernelPath::LibTorch;
    }();
    return path;
}

KernelPath bf16Path() {
    static const KernelPath path = [] {
        const char* forced = env("TPQ_BF16_KERNEL");
        if (std::strcmp(forced, "onednn") == 0 || std::strcmp(forced, "libtorch") == 0) return KernelPath::LibTorch;
        if (hasAmxBf16() && cpuFeatures().avx512Bf16) return KernelPath::Amx;
        return KernelPath::LibTorch;
    }();
    return path;
}

KernelPath attentionPath() {
    if (hasAvx512()) return KernelPath::Avx512;
    if (hasAvx2()) return KernelPath::Avx2;
    return KernelPath::LibTorch;
}

bool attentionBf16Available() {
    static const bool allowed = std::strcmp(env("TPQ_ATTENTION_BF16"), "off") != 0;
    return allowed && attentionPath() == KernelPath::Avx512 && cpuFeatures().avx512Bf16;
}

KernelPath layerNormPath() {
    static const KernelPath path =
        hasAvx512() && std::strcmp(env("TPQ_LAYERNORM_KERNEL"), "off") != 0 ? KernelPath::Avx512 : KernelPath::LibTorch;
    return path;
}

bool bf16IsEmulated() {
    return !cpuFeatures().avx512Bf16 && !cpuFeatures().amxBf16;
}

const char* bf16EmulatedNote() {
    return "bf16 is emulated on this CPU: slower than fp32";
}

std::vector<std::pair<std::string, std::string>> kernelPathReport() {
    std::vector<std::pair<std::string, std::string>> out;
    auto describe = [](KernelPath p, const char* ours) {
        std::string s = kernelPathName(p);
        if (p != KernelPath::LibTorch) s += std::string(" (") + ours + ")";
        return s;
    };
    const KernelPath int8 = int8Path();
    out.emplace_back("int8", int8 == KernelPath::LibTorch
                                 ? std::string("libtorch (quantized::linear on the ONEDNN engine)")
                                 : describe(int8, int8 == KernelPath::Avx2  ? "our VPMADDUBSW kernel, 7-bit inputs"
                                                  : int8 == KernelPath::Amx ? "our TDPBUSD tile kernel"
                                                                            : "our VPDPBUSD kernel"));
    out.emplace_back("fp32", fp32Path() == KernelPath::LibTorch
                                 ? std::string("libtorch (OpenBLAS sgemm; TPQ_FP32_KERNEL=avx512|avx2 for ours)")
                                 : describe(fp32Path(), "our FMA kernel, inference; training on OpenBLAS"));
    out.emplace_back("bf16", bf16IsEmulated()
                                 ? std::string("libtorch, fp32 products on bf16-rounded values: ") + bf16EmulatedNote()
                             : bf16Path() == KernelPath::Amx ? std::string("amx (our TDPBF16PS tile kernel, fp32 sums)")
                                                             : std::string("libtorch (oneDNN bf16)"));
    out.emplace_back("fp16", "libtorch (weights stored in fp16, computed in fp32 from a copy made at load)");
    // int4 follows the int8 path (int8_gemm.h's int4Path).
    out.emplace_back(
        "int4", int8 == KernelPath::Amx
                    ? std::string("amx (our W4A8 tile kernel: nibbles of 32 outputs unpacked to int8 tiles, "
                                  "8-bit inputs per row; groups not a multiple of 64 on avx512_vnni)")
                : int8 == KernelPath::Avx512Vnni
                    ? std::string("avx512_vnni (our W4A8 kernel: nibbles unpacked in registers, 8-bit inputs per row)")
                : hasAvx2() ? std::string("avx2 (our W4A8 kernel: nibbles unpacked in registers, 7-bit inputs per row)")
                            : std::string("libtorch (weights expanded to fp32 for each product)"));
    // The sparse products of pruned layers (kernels/sparse_gemm.h), where their density pays.
    const bool sparseOn = hasAvx512Vnni() && sparse::mode() != sparse::Mode::Off;
    const std::string when = sparse::mode() == sparse::Mode::On ? "every layer with a zero (TPQ_SPARSE_KERNEL=on)"
                                                                : "layers that compute at most ";
    out.emplace_back(
        "sparse fp32",
        sparseOn ? "avx512_vnni (our CSR or 1x4-block kernel, token-major tiles; " + when +
                       (sparse::mode() == sparse::Mode::On
                            ? std::string(")")
                            : std::to_string(int(100 * sparse::fp32MaxDensity(false))) + "% of their weights, " +
                                  std::to_string(int(100 * sparse::fp32MaxDensity(true))) + "% in 1x4 blocks)")
                 : std::string("off (") + (hasAvx512Vnni() ? "TPQ_SPARSE_KERNEL=off" : "needs AVX-512 VNNI") +
                       "): pruned layers run dense");
    out.emplace_back(
        "sparse int8",
        sparseOn
            ? "avx512_vnni (our kernel over groups of 4 inputs, 1x4 blocks skip whole VPDPBUSDs; " + when +
                  (sparse::mode() == sparse::Mode::On
                       ? std::string(")")
                       : std::to_string(int(100 * sparse::int8MaxDensity(int8, 1, 1))) + "% of their groups of 4, " +
                             std::to_string(int(100 * sparse::int8MaxDensity(int8, 2, 1))) +
                             "% with more inputs than outputs)")
            : std::string("off (") + (hasAvx512Vnni() ? "TPQ_SPARSE_KERNEL=off" : "needs AVX-512 VNNI") +
                  "): pruned layers run dense");
    // int8 models' attention multiplies bf16 where the CPU can (attention_kernel.h).
    const char* attention = attentionBf16Available() ? "our fused kernel; int8 models: bf16 products, VDPBF16PS"
                            : cpuFeatures().avx512Bf16 && attentionPath() == KernelPath::Avx512
                                ? "our fused kernel; fp32 in int8 models too: TPQ_ATTENTION_BF16=off"
                                : "our fused kernel";
    out.emplace_back("attention", describe(attentionPath(), attention));
    out.emplace_back("layer norm", describe(layerNormPath(), "our add + layer norm pass"));
    if (cpuFeatures().amxTile && !cpuFeatures().amxPermitted)
        out.emplace_back("amx", "present, but Linux refused the tile-data permission (kernel older than 5.16?)");
    return out;
}

}  // namespace tpq::kernels
