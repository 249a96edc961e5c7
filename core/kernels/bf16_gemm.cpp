/// \file bf16_gemm.cpp
/// bf16_gemm.h on AMX tiles: inputs rounded to bf16 per thread (its own rows), the tile
/// products of int8_gemm_amx.cpp, the epilogue here.

#include "kernels/bf16_gemm.h"

#include <immintrin.h>

// As in int8_gemm_vnni.cpp: GCC 12's masked-load intrinsics trip its uninitialized-value warnings.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <cstring>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/int8_gemm_paths.h"
#include "kernels/vector_math.h"
#include "util/error.h"

namespace tpq::bf16gemm {
namespace {

using int8gemm::Activation;
using int8gemm::detail::kAmxBlock;
using int8gemm::detail::kAmxRows;
using int8gemm::detail::roundUp;

constexpr int64_t kDepth = 32;      // bf16 inputs per tile row
constexpr int64_t kRowChunk = 256;  // rows whose bf16 inputs stay in L2 while every block passes

// Rows of x (row length in) rounded to bf16 into a (rows inPadded apart, the padding zero).
TPQ_TARGET_AMX void toBf16(const float* x, int64_t rows, int64_t in, int64_t inPadded, uint16_t* a) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * in;
        uint16_t* ar = a + r * inPadded;
        int64_t k = 0;
        for (; k + 32 <= in; k += 32) {
            const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(xr + k + 16), _mm512_loadu_ps(xr + k));
            _mm512_storeu_si512(ar + k, reinterpret_cast<const __m512i&>(v));
        }
        for (; k < inPadded; k += 16) {
            const __mmask16 m = kernels::laneMask(in - k, 0);
            const __m256bh v = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, xr + k));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(ar + k), reinterpret_cast<const __m256i&>(v));
        }
    }
}

// bf16 rounding of 16 floats (round to nearest even, as VCVTNEPS2BF16), back in fp32.
TPQ_TARGET_AMX inline __m512 roundBf16(__m512 v) {
    const __m256bh h = _mm512_cvtneps_pbh(v);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(reinterpret_cast<const __m256i&>(h)), 16));
}

template <bool Gelu>
TPQ_TARGET_AMX void finish(int rows, const float* sums, const float* bias, float* y, int64_t ldy, int valid) {
    for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < kAmxBlock / 16; ++j) {
            const __mmask16 mask = kernels::laneMask(valid, j);
            if (!mask) break;
            __m512 f =
                roundBf16(_mm512_add_ps(_mm512_load_ps(sums + i * kAmxBlock + 16 * j), _mm512_loadu_ps(bias + 16 * j)));
            if (Gelu) f = kernels::gelu512(f);
            _mm512_mask_storeu_ps(y + i * ldy + 16 * j, mask, f);
        }
    }
}

template <bool Gelu>
TPQ_TARGET_AMX void multiplyRows(int64_t r0, int64_t r1, const PackedWeight& w, const uint16_t* a, float* y) {
    const auto* data = reinterpret_cast<const uint16_t*>(w.data.data_ptr<int16_t>());
    const float* bias = w.bias.data_ptr<float>();
    alignas(64) float sums[kAmxRows * kAmxBlock];
    for (int64_t c0 = r0; c0 < r1; c0 += kRowChunk) {
        const int64_t c1 = std::min(r1, c0 + kRowChunk);
        for (int64_t n0 = 0; n0 < w.outPadded; n0 += kAmxBlock) {
            const int valid = int(std::min<int64_t>(kAmxBlock, w.out - n0));
            for (int64_t m = c0; m < c1; m += kAmxRows) {
                int8gemm::detail::amxDotBlockBf16(a + m * w.inPadded, w.inPadded, data + n0 * w.inPadded, w.inPadded,
                                                  sums);
                finish<Gelu>(int(std::min<int64_t>(kAmxRows, c1 - m)), sums, bias + n0, y + m * w.out + n0, w.out,
                             valid);
            }
        }
    }
}

}  // namespace

bool available() {
    return kernels::bf16Path() == kernels::KernelPath::Amx;
}

int64_t PackedWeight::bytes() const {
    return (data.defined() ? data.nbytes() : 0) + (bias.defined() ? bias.nbytes() : 0);
}

PackedWeight pack(const at::Tensor& weight, const at::Tensor& bias) {
    if (!available()) throw Error("bf16 kernel: this CPU has no AMX-BF16 path of ours");
    if (weight.dim() != 2) throw Error("bf16 kernel: weights must be [out, in]");
    torch::NoGradGuard noGrad;
    PackedWeight p;
    p.out = weight.size(0);
    p.in = weight.size(1);
    p.outPadded = roundUp(p.out, kAmxBlock);
    p.inPadded = roundUp(p.in, kDepth);
    at::Tensor w = torch::zeros({p.outPadded, p.inPadded}, torch::kBFloat16);
    w.narrow(0, 0, p.out).narrow(1, 0, p.in).copy_(weight.detach().to(torch::kBFloat16));
    // [out / 16, 16 outputs, in / 32, 16 pairs, 2] -> [out / 16, in / 32, 16 pairs, 16 outputs, 2]
    p.data = w.view(torch::kInt16)
                 .view({p.outPadded / 16, 16, p.inPadded / kDepth, kDepth / 2, 2})
                 .permute({0, 2, 3, 1, 4})
                 .contiguous();
    p.bias = torch::zeros({p.outPadded}, torch::kFloat32);
    if (bias.defined())
        p.bias.narrow(0, 0, p.out).copy_(bias.detach().to(torch::kBFloat16).to(torch::kFloat32).reshape({-1}));
    return p;
}

at::Tensor linear(const at::Tensor& input, const PackedWeight& w, Activation activation) {
    if (input.dim() == 0 || input.size(-1) != w.in)
        throw Error("bf16 kernel expects " + std::to_string(w.in) + " input features, got " +
                    (input.dim() == 0 ? std::string("a scalar") : std::to_string(input.size(-1))));
    const at::Tensor x = input.to(torch::kFloat32).contiguous();
    const int64_t rows = x.numel() / std::max<int64_t>(1, w.in);
    auto shape = x.sizes().vec();
    shape.back() = w.out;
    at::Tensor y = at::empty(shape, x.options());
    if (rows == 0) return y;
    const int64_t rowsPadded = roundUp(rows, kAmxRows);
    at::Tensor a = at::empty({rowsPadded * w.inPadded}, at::kShort);
    auto* ap = reinterpret_cast<uint16_t*>(a.data_ptr<int16_t>());
    if (rowsPadded > rows) std::memset(ap + rows * w.inPadded, 0, (rowsPadded - rows) * w.inPadded * 2);
    const float* xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, rowsPadded / kAmxRows, 1, [&](int64_t t0, int64_t t1) {
        const int64_t r0 = t0 * kAmxRows, r1 = std::min(rows, t1 * kAmxRows);
        toBf16(xp + r0 * w.in, r1 - r0, w.in, w.inPadded, ap + r0 * w.inPadded);
        int8gemm::detail::amxBegin();
        if (activation == Activation::Gelu)
            multiplyRows<true>(r0, r1, w, ap, yp);
        else
            multiplyRows<false>(r0, r1, w, ap, yp);
        int8gemm::detail::amxEnd();
    });
    return y;
}

}  // namespace tpq::bf16gemm
