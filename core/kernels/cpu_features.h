#pragma once
/// \file cpu_features.h
/// What this CPU can run, for the hand-written kernels in core/kernels/. Each kernel is
/// compiled for AVX-512 with function target attributes (the rest of the program stays
/// portable) and is only called when the CPU has the instructions; otherwise the callers
/// use LibTorch's own operators.
///
/// TPQ_KERNELS=off (environment) turns the hand-written kernels off, to compare with
/// LibTorch's paths or to rule them out when something looks wrong.

namespace tpq::kernels {

/// AVX-512 F, BW, VL, DQ and FMA: the float kernels (attention).
bool hasAvx512();
/// hasAvx512() and AVX-512 VNNI (VPDPBUSD): the int8 matrix product.
bool hasAvx512Vnni();

}  // namespace tpq::kernels

/// Marks a function compiled for AVX-512 F/BW/VL/DQ; call it only when hasAvx512() holds.
#define TPQ_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,avx2")))
/// The same with VNNI; call it only when hasAvx512Vnni() holds.
#define TPQ_TARGET_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma,avx2")))
