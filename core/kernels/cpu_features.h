#pragma once
/// \file cpu_features.h
/// What this CPU can run, and which path each kind of matrix product takes on it: one
/// dispatch table for the hand-written kernels in core/kernels/. Each kernel is compiled for
/// its instruction set with function target attributes (the rest of the program stays
/// portable) and is only called when the CPU (and the OS) has the instructions; otherwise the
/// callers use LibTorch's own operators.
///
///     switch (kernels::int8Path()) {
///         case KernelPath::Avx512Vnni: ...  // VPDPBUSD kernel
///         case KernelPath::Avx2: ...        // VPMADDUBSW kernel
///         default: ...                      // LibTorch (oneDNN / QNNPACK)
///     }
///
/// Environment, to compare paths or rule a kernel out when something looks wrong:
///   TPQ_KERNELS=off          every hand-written kernel off (LibTorch everywhere)
///   TPQ_KERNELS=avx2         no path above AVX2 (the AVX-512 and AMX kernels off)
///   TPQ_KERNELS=avx512       no AMX (int8 and int4 on VPDPBUSD, bf16 on LibTorch's)
///   TPQ_INT8_KERNEL=onednn   the int8 products on LibTorch's engine (the other kernels stay)
///   TPQ_INT8_KERNEL=avx2     the int8 products on the AVX2 kernel even where VNNI exists
///   TPQ_INT8_KERNEL=avx512_vnni  the int8 products on VPDPBUSD even where AMX exists
///   TPQ_BF16_KERNEL=libtorch the bf16 products on LibTorch's bf16 GEMM even where AMX exists
///   TPQ_LAYERNORM_KERNEL=off LibTorch's add and layer_norm instead of our fused pass
///   TPQ_FP32_KERNEL=avx512|avx2  the fp32 inference products on our AVX-512 / AVX2 kernel
///                            (default: LibTorch's OpenBLAS, not slower on the CPUs measured so far)

#include <string>
#include <vector>

namespace tpq::kernels {

/// The instruction-set features our kernels care about, as the CPU reports them (cpuid) and
/// the OS enables them (XCR0; for AMX also the Linux permission to use tile data).
struct CpuFeatures {
    bool avx2 = false, fma = false, f16c = false;
    bool avx512 = false;  // F, BW, VL and DQ
    bool avx512Vnni = false, avxVnni = false;
    bool avx512Bf16 = false, avx512Fp16 = false;
    bool amxTile = false, amxInt8 = false, amxBf16 = false;
    bool amxPermitted = false;  // arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) succeeded
};

/// Read once (cpuid, xgetbv, and the AMX permission request on Linux).
const CpuFeatures& cpuFeatures();

/// Where a matrix product runs, best first. Names as result.json's `kernel_path` says them.
enum class KernelPath { Amx, Avx512Vnni, Avx512, Avx2, LibTorch };
/// "amx", "avx512_vnni", "avx512", "avx2" or "libtorch".
const char* kernelPathName(KernelPath path);

/// The dispatch table: the path each precision's linear layers take on this CPU, after the
/// environment's caps. int8 covers dynamic, static and QAT-converted layers.
KernelPath int8Path();
KernelPath fp32Path();
KernelPath bf16Path();
/// The attention of inference forward passes (fp32 whatever the layers' precision).
KernelPath attentionPath();
/// Whether int8 models' attention may multiply bf16 (kernels/attention_kernel.h): the
/// AVX-512 attention path with AVX512-BF16 (VDPBF16PS), and TPQ_ATTENTION_BF16 not "off".
bool attentionBf16Available();
/// BERT's residual add + layer norm in inference: avx512 (kernels/layer_norm.h) or libtorch.
KernelPath layerNormPath();

/// True when bf16 has no hardware support here (no AVX512-BF16 or AMX-BF16): LibTorch then
/// emulates it, and it is slower than fp32.
bool bf16IsEmulated();
/// The sentence tpq info, the precision table and result.json say when bf16IsEmulated().
const char* bf16EmulatedNote();

/// One line per precision for `tpq info`: {"int8", "avx2 (our VPMADDUBSW kernel)"}, ...
std::vector<std::pair<std::string, std::string>> kernelPathReport();

/// Kept for the AVX-512 kernels: hasAvx512() = the float kernels may run (attention),
/// hasAvx512Vnni() = the VPDPBUSD int8 product may run; both false under a cap below them.
bool hasAvx512();
bool hasAvx512Vnni();
/// AMX int8 / bf16 tiles present, permitted by Linux, and not capped by TPQ_KERNELS.
bool hasAmxInt8();
bool hasAmxBf16();
/// AVX2 and FMA present and not turned off: the AVX2 kernels may run.
bool hasAvx2();

}  // namespace tpq::kernels

/// Marks a function compiled for AVX-512 F/BW/VL/DQ; call it only when hasAvx512() holds.
#define TPQ_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,avx2")))
/// The same with VNNI; call it only when hasAvx512Vnni() holds.
#define TPQ_TARGET_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma,avx2")))
/// The same with AVX512-BF16 (VDPBF16PS); call it only when hasAvx512() and
/// cpuFeatures().avx512Bf16 hold.
#define TPQ_TARGET_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma,avx2")))
/// AMX tiles (int8 and bf16) with AVX-512; call it only when int8Path() or bf16Path() is Amx.
#define TPQ_TARGET_AMX \
    __attribute__((    \
        target("amx-tile,amx-int8,amx-bf16,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512bf16,fma,avx2")))
/// AVX2 + FMA + F16C; call it only when hasAvx2() holds.
#define TPQ_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
