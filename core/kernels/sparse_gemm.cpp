/// \file sparse_gemm.cpp
/// sparse_gemm.h: densities, the crossovers, the CSR packing and the fp32 product's tiles
/// (the int8 one runs inside int8gemm, int8_gemm_vnni.cpp).

#include "kernels/sparse_gemm.h"

#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/sparse_kernels.h"
#include "kernels/transpose16.h"
#include "kernels/vector_math.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq::sparse {
namespace {

// Tokens per tile: kTile, fewer when that leaves a thread without a tile.
int64_t tileTokens(int64_t rows) {
    int64_t t = detail::kTile;
    const int64_t threads = std::max<int64_t>(1, at::get_num_threads());
    while (t > 16 && (rows + t - 1) / t < threads) t -= 16;
    return t;
}

// 16 outputs x 16 tokens of a panel's sums (sums [16][T], from the block's first output
// and token) into y's rows: each output's bias and activation on its 16 tokens, then the
// results transposed in registers to token rows, `tokens` of them stored, the outputs of
// `mask` (bias padded to 16).
template <bool Gelu>
TPQ_TARGET_AVX512 void finishFp32(const float* sums, int64_t T, const float* bias, int64_t tokens, float* y,
                                  int64_t ldy, __mmask16 mask) {
    __m512i r[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
        __m512 f = _mm512_add_ps(_mm512_load_ps(sums + i * T), _mm512_set1_ps(bias[i]));
        if (Gelu) f = kernels::gelu512(f);
        r[i] = _mm512_castps_si512(f);
    }
    kernels::transpose16(r);
    for (int64_t t = 0; t < tokens; ++t) _mm512_mask_storeu_ps(y + t * ldy, mask, _mm512_castsi512_ps(r[t]));
}

// Rows [0, rows) of y (ldy = out) from the tile's transposed inputs xt [in][kTile]: per panel of
// outputs, the chunks' sums into `sums` [kPanel][T], then 16 x 16 blocks of them, with bias
// and activation, back to token rows.
template <bool Gelu>
void fp32Tile(const float* xt, int64_t T, int64_t rows, const Fp32Weight& w, float* sums, float* y) {
    const SparseRows& r = w.rows;
    const int64_t* start = r.start.data_ptr<int64_t>();
    const int32_t* offsets = r.offsets.data_ptr<int32_t>();
    const float* values = r.values.data_ptr<float>();
    const float* bias = w.bias.data_ptr<float>();
    for (int64_t p0 = 0; p0 < w.out; p0 += detail::kPanel) {
        const int64_t n = std::min(detail::kPanel, w.out - p0), padded = (n + 15) / 16 * 16;
        // Rows the panel does not write are zero (no inputs: all of them; else those up to 16).
        const int64_t written = r.chunks > 0 ? n : 0;
        std::memset(sums + written * T, 0, size_t((padded - written) * T) * sizeof(float));
        const auto panel = w.blocks ? detail::fp32BlockPanel : detail::fp32Panel;
        for (int64_t c = 0; c < r.chunks; ++c)
            panel(xt, T, offsets, values, start + p0 * (r.chunks + 1), r.chunks + 1, n, c, sums);
        for (int64_t t0 = 0; t0 < rows; t0 += 16) {
            for (int64_t j = 0; j < n; j += 16) {
                finishFp32<Gelu>(sums + j * T + t0, T, bias + p0 + j, std::min<int64_t>(16, rows - t0),
                                 y + t0 * w.out + p0 + j, w.out, kernels::laneMask(n - j, 0));
            }
        }
    }
}

}  // namespace

Density density(const at::Tensor& weight) {
    if (weight.dim() != 2) throw Error("sparse kernel: the weight must be a matrix [out, in]");
    torch::NoGradGuard noGrad;
    Density d;
    const int64_t out = weight.size(0), in = weight.size(1);
    if (out == 0 || in == 0) return d;
    const at::Tensor nz = weight.ne(0);
    d.elements = double(nz.sum().item<int64_t>()) / double(out * in);
    const int64_t in4 = (in + 3) / 4;
    at::Tensor padded = nz;
    if (in4 * 4 != in) padded = torch::constant_pad_nd(nz.to(torch::kUInt8), {0, in4 * 4 - in}).to(torch::kBool);
    d.quads = double(padded.reshape({out, in4, 4}).any(2).sum().item<int64_t>()) / double(out * in4);
    return d;
}

Mode mode() {
    static const Mode m = [] {
        const char* v = std::getenv("TPQ_SPARSE_KERNEL");
        const std::string s = v ? v : "";
        if (s == "off" || s == "0") return Mode::Off;
        if (s == "on" || s == "1" || s == "always") return Mode::On;
        return Mode::Auto;
    }();
    return m;
}

bool fp32Available() {
    return kernels::hasAvx512Vnni() && mode() != Mode::Off;  // sparse_kernels.h: one target for both
}

bool int8Available() {
    return kernels::hasAvx512Vnni() && mode() != Mode::Off;
}

// Measured with bench/bench_sparse's BM_SparseLayerCrossover on an AMD EPYC (Zen 5, AVX-512
// VNNI, no AMX), 2 threads: one layer of each bert-base shape (768->768, 768->3072,
// 3072->768) at 1024 and 128 tokens, sparse against dense side by side, the dense product
// on OpenBLAS's AVX-512 (Cooperlake) kernels, ~1.7x faster here than the AVX2 ones this
// machine's environment selects (2026-12-05, two runs each, after the fp32 blocks):
//   CSR (1x1 weights): faster on every shape up to 0.3 (1.20-1.97x; 0.4: 0.85-1.60x)
//   blocks (1x4 weights): up to 0.4 (1.13-2.00x; 0.5: 0.97-1.59x)
// (Against the AVX2 kernels both pay further: CSR 1.05-1.72x at 0.6.) docs/sparse.md has the table.
double fp32MaxDensity(bool blocks) {
    return blocks ? 0.4 : 0.3;
}

// int8 groups of 4 against our dense VPDPBUSD kernel, measured again after the rows' byte
// offsets and pairs (2026-12-05, two runs): faster up to 0.3 on every shape at 1024 tokens
// (1.09-1.39x) and at 128 tokens on 768->768 and 768->3072 (1.17-1.29x; 0.4: 0.89-0.99x),
// but 3072->768 at 128 tokens only up to 0.2 (1.11-1.24x; 0.3: 0.80-0.83x): 0.3, and 0.2 for
// a layer with more inputs than outputs. Against AMX tiles (several times faster dense) the
// bar is set lower, 0.1: not measured (no AMX here).
double int8MaxDensity(kernels::KernelPath densePath, int64_t in, int64_t out) {
    if (densePath == kernels::KernelPath::Amx) return 0.1;
    return in > out ? 0.2 : 0.3;
}

// A layer pruned to exactly the crossover's sparsity lands a block above or below it
// (pruning stops at the nearest whole block): 0.001 of slack counts it in.
constexpr double kRoundingSlack = 1e-3;

bool fp32Blocks(const Density& d) {
    return d.quads > 0.0 && d.elements >= 0.8 * d.quads;
}

bool fp32Pays(const Density& d) {
    if (!fp32Available()) return false;
    if (mode() == Mode::On) return d.elements < 1.0;
    // Blocks compute every weight of a kept group (the groups' density), CSR the non-zeros.
    const bool blocks = fp32Blocks(d);
    return (blocks ? d.quads : d.elements) <= fp32MaxDensity(blocks) + kRoundingSlack;
}

bool int8Pays(const Density& d, kernels::KernelPath densePath, int64_t in, int64_t out) {
    if (!int8Available()) return false;
    return mode() == Mode::On ? d.quads < 1.0 : d.quads <= int8MaxDensity(densePath, in, out) + kRoundingSlack;
}

int64_t SparseRows::bytes() const {
    int64_t n = 0;
    for (const auto* t : {&start, &offsets, &values}) n += t->defined() ? t->nbytes() : 0;
    return n;
}

SparseRows packRows(const at::Tensor& held, const at::Tensor& values, bool pairs) {
    torch::NoGradGuard noGrad;
    SparseRows r;
    const int64_t out = held.size(0);
    r.units = held.size(1);
    const bool fp32 = values.scalar_type() == torch::kFloat32;
    const int64_t per = values.dim() == 3 ? values.size(2) : 1;  // values (and inputs) per unit
    const int64_t chunk = fp32 ? detail::kChunkFp32 / per : detail::kChunkInt8;
    r.chunks = (r.units + chunk - 1) / chunk;
    if (r.units * per * detail::kRowBytes > std::numeric_limits<int32_t>::max())
        throw Error("sparse kernel: " + std::to_string(r.units * per) + " inputs per output are too many");
    const at::Tensor keep = held.to(torch::kBool).contiguous();
    const at::Tensor v = values.contiguous();
    const bool* k = keep.data_ptr<bool>();
    r.held = keep.sum().item<int64_t>();
    r.start = torch::empty({out, r.chunks + 1}, torch::kInt64);
    int64_t* start = r.start.data_ptr<int64_t>();
    std::vector<int32_t> offsets;
    std::vector<uint32_t> bits;  // the values' 4 bytes (float or int32), `per` of them a unit
    offsets.reserve(size_t(r.held + (pairs ? out * r.chunks : 0)));
    bits.reserve(offsets.capacity() * size_t(per));
    const auto* source = reinterpret_cast<const uint32_t*>(v.data_ptr());
    for (int64_t o = 0; o < out; ++o) {
        for (int64_t c = 0; c < r.chunks; ++c) {
            start[o * (r.chunks + 1) + c] = int64_t(offsets.size());
            for (int64_t u = c * chunk; u < std::min(r.units, (c + 1) * chunk); ++u) {
                if (!k[o * r.units + u]) continue;
                offsets.push_back(int32_t(u * per * detail::kRowBytes));
                bits.insert(bits.end(), source + (o * r.units + u) * per, source + (o * r.units + u + 1) * per);
            }
            // An odd unit out: a zero weight on the last one's row (already in cache).
            if (pairs && (int64_t(offsets.size()) - start[o * (r.chunks + 1) + c]) % 2 == 1) {
                offsets.push_back(offsets.back());
                bits.insert(bits.end(), size_t(per), 0u);
            }
        }
        start[o * (r.chunks + 1) + r.chunks] = int64_t(offsets.size());
    }
    r.offsets = torch::from_blob(offsets.data(), {int64_t(offsets.size())}, torch::kInt32).clone();
    r.values = torch::from_blob(bits.data(), {int64_t(bits.size())}, fp32 ? torch::kFloat32 : torch::kInt32).clone();
    r.density = out * r.units > 0 ? double(r.held) / double(out * r.units) : 0.0;
    return r;
}

int64_t Fp32Weight::bytes() const {
    return rows.bytes() + (bias.defined() ? bias.nbytes() : 0);
}

Fp32Weight packFp32(const at::Tensor& weight, const at::Tensor& bias) {
    if (weight.dim() != 2 || !weight.is_floating_point())
        throw Error("sparse kernel: the weight must be a float matrix [out, in]");
    if (!fp32Available()) throw Error("sparse kernel: this CPU has no AVX-512 VNNI (or TPQ_SPARSE_KERNEL=off)");
    torch::NoGradGuard noGrad;
    const at::Tensor w = weight.detach().to(torch::kFloat32).contiguous();
    Fp32Weight p;
    p.out = w.size(0);
    p.in = w.size(1);
    p.blocks = fp32Blocks(density(w));
    if (p.blocks) {
        // Groups of 4 inputs (the last padded with zero weights) holding a non-zero, with
        // their 4 floats; a zero among them is multiplied like the dense product's.
        const int64_t in4 = (p.in + 3) / 4;
        const at::Tensor groups = torch::constant_pad_nd(w, {0, in4 * 4 - p.in}).reshape({p.out, in4, 4});
        p.rows = packRows(groups.ne(0).any(2), groups, false);
    } else {
        p.rows = packRows(w.ne(0), w, false);
    }
    p.bias = torch::zeros({(p.out + 15) / 16 * 16}, torch::kFloat32);
    if (bias.defined()) p.bias.narrow(0, 0, p.out).copy_(bias.detach().to(torch::kFloat32).reshape({-1}));
    return p;
}

at::Tensor linearFp32(const at::Tensor& input, const Fp32Weight& w, fp32gemm::Activation activation) {
    if (input.dim() == 0 || input.size(-1) != w.in)
        throw Error("sparse kernel expects " + std::to_string(w.in) + " input features");
    const at::Tensor x = input.to(torch::kFloat32).contiguous();
    int64_t rows = 1;
    for (int64_t d = 0; d + 1 < x.dim(); ++d) rows *= x.size(d);
    auto shape = x.sizes().vec();
    shape.back() = w.out;
    at::Tensor y = at::empty(shape, x.options());
    if (rows == 0 || w.out == 0) return y;
    const float* xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    const int64_t T = tileTokens(rows);
    const int64_t tiles = (rows + T - 1) / T;
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
        // The tile's inputs transposed, [in][kTile] (blocks: rows up to a multiple of 4, the
        // padding ones zero), and a panel's sums [kPanel][T] (LibTorch's allocations are
        // 64-byte aligned).
        const int64_t inRows = w.blocks ? (w.in + 3) / 4 * 4 : w.in;
        const at::Tensor buffer = at::empty({(inRows + detail::kPanel) * detail::kTile}, at::kFloat);
        float* xt = buffer.data_ptr<float>();
        float* sums = xt + inRows * detail::kTile;
        std::memset(xt + w.in * detail::kTile, 0, size_t((inRows - w.in) * detail::kTile) * sizeof(float));
        for (int64_t tile = t0; tile < t1; ++tile) {
            const int64_t m = tile * T, n = std::min(T, rows - m);
            const int64_t tt = (n + 15) / 16 * 16;
            detail::transposeToColumns(reinterpret_cast<const uint32_t*>(xp + m * w.in), w.in, n, w.in,
                                       reinterpret_cast<uint32_t*>(xt), tt);
            if (activation == fp32gemm::Activation::Gelu)
                fp32Tile<true>(xt, tt, n, w, sums, yp + m * w.out);
            else
                fp32Tile<false>(xt, tt, n, w, sums, yp + m * w.out);
        }
    });
    return y;
}

std::string describe(const char* format, double density) {
    return std::string("sparse ") + format + " (density " + formatFixed(density, 3) + ")";
}

}  // namespace tpq::sparse
