/// \file int8_gemm.cpp
/// int8_gemm.h's entry points: the weight's column sums, scales and bias (the same for every
/// path), the path's reordering, and the run over the path's kernel.

#include "kernels/int8_gemm.h"

#include <algorithm>

#include <torch/torch.h>

#include "kernels/int8_gemm_paths.h"
#include "kernels/sparse_gemm.h"
#include "util/error.h"

namespace tpq::int8gemm {
namespace {

using detail::roundUp;

at::Tensor floatInput(const at::Tensor& input, int64_t in) {
    if (input.dim() == 0 || input.size(-1) != in)
        throw Error("int8 kernel expects " + std::to_string(in) + " input features, got " +
                    (input.dim() == 0 ? std::string("a scalar") : std::to_string(input.size(-1))));
    return input.to(torch::kFloat32).contiguous();
}

at::Tensor outputFor(const at::Tensor& x, const PackedWeight& w) {
    auto shape = x.sizes().vec();
    shape.back() = w.out;
    return at::empty(shape, x.options());
}

// The products on the path their weights were packed for (all the same).
void run(const float* x, int64_t rows, const std::vector<detail::Product>& products, Activation activation) {
    switch (products.front().weight->path) {
        case kernels::KernelPath::Amx:
            detail::runVnni(x, rows, products, activation, true);
            break;
        case kernels::KernelPath::Avx512Vnni:
            detail::runVnni(x, rows, products, activation, false);
            break;
        default:
            detail::runAvx2(x, rows, products, activation);
            break;
    }
}

}  // namespace

kernels::KernelPath path() {
    return kernels::int8Path();
}

bool available() {
    return path() != kernels::KernelPath::LibTorch;
}

int inputLevels() {
    return path() == kernels::KernelPath::Avx2 ? 127 : 255;
}

bool staticAvailable() {
    return available();
}

int64_t PackedWeight::bytes() const {
    int64_t n = 0;
    for (const auto* t : {&data, &scale, &colsum, &bias}) n += t->defined() ? t->nbytes() : 0;
    return n + sparse.bytes();
}

namespace {

// Output o's groups of 4 inputs holding a non-zero, as sparse_gemm.h's int8 rows.
sparse::SparseRows packSparse(const at::Tensor& values, int64_t inPadded) {
    const int64_t out = values.size(0), in = values.size(1);
    at::Tensor v = values;
    if (inPadded != in) v = torch::constant_pad_nd(values, {0, inPadded - in});
    const at::Tensor quads = v.contiguous().view({out, inPadded / 4, 4});
    // The 4 bytes of each group as one int32 (VPDPBUSD broadcasts it).
    return sparse::packRows(quads.ne(0).any(2), quads.view(torch::kInt32).view({out, inPadded / 4}), true);
}

}  // namespace

PackedWeight pack(const at::Tensor& values, const at::Tensor& scales, const at::Tensor& bias, Layout layout) {
    if (values.dim() != 2 || values.scalar_type() != at::kChar)
        throw Error("int8 kernel: weights must be int8 [out, in]");
    if (!available()) throw Error("int8 kernel: this CPU has no int8 path of ours (AVX2 or AVX-512 VNNI)");
    PackedWeight p;
    p.path = path();
    // AMX keeps the VNNI layout with the inputs padded to whole tiles (64).
    const bool amx = p.path == kernels::KernelPath::Amx;
    const bool vnni = amx || p.path == kernels::KernelPath::Avx512Vnni;
    p.out = values.size(0);
    p.in = values.size(1);
    p.outPadded = roundUp(p.out, amx ? detail::kAmxBlock : vnni ? detail::kVnniBlock : detail::kAvx2Block);
    p.inPadded = roundUp(p.in, amx ? detail::kAmxDepth : vnni ? detail::kVnniGroup : detail::kAvx2Group);
    const at::Tensor v = values.contiguous();
    bool sparse = layout == Layout::Sparse;
    if (sparse && !(vnni && sparse::int8Available()))
        throw Error("int8 kernel: the sparse layout needs AVX-512 VNNI (and TPQ_SPARSE_KERNEL not off)");
    if (layout == Layout::Auto && vnni) sparse = sparse::int8Pays(sparse::density(v), p.path, p.in, p.out);
    if (sparse) {
        p.sparse = packSparse(v, roundUp(p.in, detail::kVnniGroup));
    } else {
        p.data = torch::zeros({p.outPadded * p.inPadded}, torch::kInt8);
        if (amx)
            detail::reorderAmx(v.data_ptr<int8_t>(), p);
        else if (vnni)
            detail::reorderVnni(v.data_ptr<int8_t>(), p);
        else
            detail::reorderAvx2(v.data_ptr<int8_t>(), p);
    }
    p.colsum = torch::zeros({p.outPadded}, torch::kInt32);
    p.colsum.narrow(0, 0, p.out).copy_(v.to(torch::kInt32).sum(1));
    const at::Tensor sc = scales.to(torch::kFloat32).reshape({-1});
    p.scale = torch::zeros({p.outPadded}, torch::kFloat32);
    if (sc.numel() == 1) {
        p.scale.narrow(0, 0, p.out).fill_(sc.item<float>());
    } else if (sc.numel() == p.out) {
        p.scale.narrow(0, 0, p.out).copy_(sc);
    } else {
        throw Error("int8 kernel: " + std::to_string(sc.numel()) + " weight scales for " + std::to_string(p.out) +
                    " outputs");
    }
    p.bias = torch::zeros({p.outPadded}, torch::kFloat32);
    if (bias.defined()) p.bias.narrow(0, 0, p.out).copy_(bias.detach().to(torch::kFloat32).reshape({-1}));
    return p;
}

std::vector<at::Tensor> linearShared(const at::Tensor& input, const std::vector<const PackedWeight*>& weights,
                                     Activation activation) {
    if (weights.empty()) return {};
    const PackedWeight& first = *weights.front();
    for (const PackedWeight* w : weights) {
        if (w->in != first.in) throw Error("int8 kernel: layers sharing an input must have the same input width");
        if (w->path != first.path || w->path == kernels::KernelPath::LibTorch)
            throw Error("int8 kernel: a weight packed for another path");
    }
    const at::Tensor x = floatInput(input, first.in);
    const int64_t rows = x.numel() / std::max<int64_t>(1, first.in);
    std::vector<at::Tensor> ys;
    std::vector<detail::Product> products;
    for (const PackedWeight* w : weights) {
        ys.push_back(outputFor(x, *w));
        products.push_back({w, ys.back().data_ptr<float>()});
    }
    if (rows > 0) run(x.data_ptr<float>(), rows, products, activation);
    return ys;
}

at::Tensor linear(const at::Tensor& x, const PackedWeight& w, Activation activation) {
    return linearShared(x, {&w}, activation).front();
}

std::vector<at::Tensor> linearStaticShared(const at::Tensor& input, const std::vector<const PackedWeight*>& weights,
                                           const std::vector<StaticScales>& scales, Activation activation) {
    if (weights.empty()) return {};
    if (weights.size() != scales.size()) throw Error("int8 kernel: one set of static scales per weight");
    for (size_t i = 0; i < weights.size(); ++i) {
        const StaticScales& s = scales[i];
        if (weights[i]->path != weights.front()->path || weights[i]->path == kernels::KernelPath::LibTorch)
            throw Error("int8 kernel: a weight packed for another path");
        if (weights[i]->in != weights.front()->in)
            throw Error("int8 kernel: layers sharing an input must have the same input width");
        if (!(s.inScale > 0) || !(s.outScale > 0) || s.inZero < 0 || s.inZero > 255 || s.outZero < 0 || s.outZero > 255)
            throw Error("int8 kernel: static scales must be > 0 and zero points in [0, 255]");
    }
    const at::Tensor x = floatInput(input, weights.front()->in);
    const int64_t rows = x.numel() / std::max<int64_t>(1, weights.front()->in);
    std::vector<at::Tensor> ys;
    std::vector<detail::Product> products;
    for (size_t i = 0; i < weights.size(); ++i) {
        ys.push_back(outputFor(x, *weights[i]));
        products.push_back({weights[i], ys.back().data_ptr<float>(), &scales[i]});
    }
    if (rows > 0) run(x.data_ptr<float>(), rows, products, activation);
    return ys;
}

at::Tensor linearStatic(const at::Tensor& input, const PackedWeight& w, const StaticScales& scales,
                        Activation activation) {
    return linearStaticShared(input, {&w}, {scales}, activation).front();
}

at::Tensor linearGeluLinear(const at::Tensor& input, const PackedWeight& first, const PackedWeight& second) {
    const bool vnni = first.path == kernels::KernelPath::Avx512Vnni || first.path == kernels::KernelPath::Amx;
    if (!vnni || second.path != first.path || !first.isSparse() || !second.isSparse() || second.in != first.out ||
        first.in == 0 || first.out == 0)
        return {};
    const at::Tensor x = floatInput(input, first.in);
    const int64_t rows = x.numel() / first.in;
    auto shape = x.sizes().vec();
    shape.back() = second.out;
    at::Tensor y = at::empty(shape, x.options());
    if (rows > 0) detail::runSparseFfn(x.data_ptr<float>(), rows, first, second, y.data_ptr<float>());
    return y;
}

bool int4Available() {
    return kernels::hasAvx2();
}

kernels::KernelPath int4Path(int64_t groupSize) {
    if (!int4Available()) return kernels::KernelPath::LibTorch;
    if (path() == kernels::KernelPath::Amx && groupSize % detail::kAmxDepth == 0) return kernels::KernelPath::Amx;
    return int4InputLevels() == 255 ? kernels::KernelPath::Avx512Vnni : kernels::KernelPath::Avx2;
}

int int4InputLevels() {
    return path() == kernels::KernelPath::Amx || path() == kernels::KernelPath::Avx512Vnni ? 255 : 127;
}

int64_t PackedInt4Weight::bytes() const {
    int64_t n = 0;
    for (const auto* t : {&data, &scale, &groupSum, &bias}) n += t->defined() ? t->nbytes() : 0;
    return n;
}

PackedInt4Weight packInt4(const at::Tensor& packed, const at::Tensor& scales, int64_t groupSize,
                          const at::Tensor& bias) {
    if (!int4Available()) throw Error("int4 kernel: this CPU has no AVX2");
    if (packed.dim() != 2 || packed.scalar_type() != at::kByte)
        throw Error("int4 kernel: weights must be uint8 [out, in / 2]");
    torch::NoGradGuard noGrad;
    PackedInt4Weight p;
    p.out = packed.size(0);
    p.in = packed.size(1) * 2;
    p.groupSize = groupSize;
    if (groupSize <= 0 || groupSize % 4 != 0 || p.in % groupSize != 0)
        throw Error("int4 kernel: group size " + std::to_string(groupSize) + " is not a multiple of 4 that divides " +
                    std::to_string(p.in));
    p.groups = p.in / groupSize;
    if (scales.dim() != 2 || scales.size(0) != p.out || scales.size(1) != p.groups)
        throw Error("int4 kernel: scales must be [out, in / group size]");
    constexpr int64_t kB = detail::kAvx2Block;
    p.outPadded = roundUp(p.out, kB);
    const int64_t blocks = p.outPadded / kB;
    // Nibbles [outPadded, in] (padding: 8, a zero weight).
    at::Tensor n = torch::full({p.outPadded, p.in}, 8, torch::kUInt8);
    const at::Tensor v = packed.contiguous();
    n.narrow(0, 0, p.out).copy_(torch::stack({v.bitwise_and(15), v.bitwise_right_shift(4)}, 2).reshape({p.out, p.in}));
    // [blocks, half, 8 outputs, in / 4, 4] -> [blocks, in / 4, half, 8 outputs x 4]: byte l of a
    // group of 4 inputs holds lane l of the first half (low nibble) and of the second (high).
    const at::Tensor r =
        n.view({blocks, 2, 8, p.in / 4, 4}).permute({0, 3, 1, 2, 4}).reshape({blocks, p.in / 4, 2, 32});
    p.data = r.select(2, 0).bitwise_or(r.select(2, 1).bitwise_left_shift(4)).contiguous();
    // Scales and group sums per block: [outPadded, groups] -> [blocks, groups, 16].
    at::Tensor sc = torch::zeros({p.outPadded, p.groups}, torch::kFloat32);
    sc.narrow(0, 0, p.out).copy_(scales);
    p.scale = sc.view({blocks, kB, p.groups}).transpose(1, 2).contiguous();
    const at::Tensor sums =
        n.to(torch::kInt32).sub(8).view({p.outPadded, p.groups, groupSize}).sum(2).to(torch::kInt32);
    p.groupSum = sums.view({blocks, kB, p.groups}).transpose(1, 2).contiguous();
    p.bias = torch::zeros({p.outPadded}, torch::kFloat32);
    if (bias.defined()) p.bias.narrow(0, 0, p.out).copy_(bias.detach().to(torch::kFloat32).reshape({-1}));
    return p;
}

at::Tensor linearInt4(const at::Tensor& input, const PackedInt4Weight& w, Activation activation) {
    const at::Tensor x = floatInput(input, w.in);
    const int64_t rows = x.numel() / std::max<int64_t>(1, w.in);
    auto shape = x.sizes().vec();
    shape.back() = w.out;
    at::Tensor y = at::empty(shape, x.options());
    if (rows == 0) return y;
    if (int4Path(w.groupSize) == kernels::KernelPath::Amx)
        detail::runInt4Amx(x.data_ptr<float>(), rows, w, y.data_ptr<float>(), activation);
    else if (int4InputLevels() == 255)
        detail::runInt4Vnni(x.data_ptr<float>(), rows, w, y.data_ptr<float>(), activation);
    else
        detail::runInt4Avx2(x.data_ptr<float>(), rows, w, y.data_ptr<float>(), activation);
    return y;
}

}  // namespace tpq::int8gemm
