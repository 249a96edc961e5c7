#include "quant/quantized_linear.h"

#include <cmath>

#include <torch/torch.h>

#include "kernels/bf16_gemm.h"
#include "kernels/cpu_features.h"
#include "kernels/int8_gemm.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

at::Tensor floatBias(const at::Tensor& bias) {
    return bias.defined() ? bias.detach().to(torch::kFloat32).contiguous().clone() : at::Tensor();
}

// int8 weights prepacked for the quantized engine, run dynamically or statically.
class Int8 : public QuantizedLinear {
public:
    Int8(const Int8Weight& w, const at::Tensor& bias, QuantScheme scheme, QParams input = {}, QParams output = {})
        : m_linear(w, bias, scheme == QuantScheme::Static ? Int8Linear::Use::Static : Int8Linear::Use::Dynamic) {
        m_layout.precision = Precision::Int8;
        m_layout.scheme = scheme;
        m_layout.perChannel = w.perChannel;
        m_layout.input = input;
        m_layout.output = output;
    }
    at::Tensor forward(const at::Tensor& x) const override {
        return m_layout.scheme == QuantScheme::Static ? m_linear.forwardStatic(x, m_layout.input, m_layout.output)
                                                      : m_linear.forward(x);
    }
    const QuantizedLayerLayout& layout() const override { return m_layout; }
    at::Tensor dequantizedWeight() const override { return dequantize(m_linear.weight()); }
    std::vector<std::pair<std::string, at::Tensor>> storedWeight() const override {
        const Int8Weight w = m_linear.weight();
        return {{"q", w.values}, {"scale", w.scales}};
    }
    at::Tensor forwardGelu(const at::Tensor& x) const override {
        return m_layout.scheme == QuantScheme::Static ? m_linear.forwardStatic(x, m_layout.input, m_layout.output, true)
                                                      : m_linear.forwardGelu(x);
    }
    std::vector<at::Tensor> forwardSharingInput(const std::vector<const LinearKernel*>& others,
                                                const at::Tensor& x) const override {
        std::vector<const Int8Linear*> layers{&m_linear};
        std::vector<std::pair<QParams, QParams>> scales{{m_layout.input, m_layout.output}};
        for (const LinearKernel* k : others) {
            const auto* int8 = dynamic_cast<const Int8*>(k);
            if (!int8 || int8->m_layout.scheme != m_layout.scheme) return {};
            layers.push_back(&int8->m_linear);
            scales.emplace_back(int8->m_layout.input, int8->m_layout.output);
        }
        if (m_layout.scheme == QuantScheme::Static) return Int8Linear::forwardStaticShared(layers, scales, x);
        return Int8Linear::forwardShared(layers, x);
    }
    at::Tensor forwardGeluThen(const LinearKernel& next, const at::Tensor& x) const override {
        const auto* second = dynamic_cast<const Int8*>(&next);
        if (!second || m_layout.scheme != QuantScheme::Dynamic || second->m_layout.scheme != QuantScheme::Dynamic)
            return {};
        return Int8Linear::forwardGeluThen(m_linear, second->m_linear, x);
    }
    // The int8 weight and the kernel's reordered copy of it.
    int64_t memoryBytes() const override { return m_linear.memoryBytes(); }
    std::string kernelPath() const override { return m_linear.kernelPath(m_layout.scheme == QuantScheme::Static); }
    LayerKernel describe() const override { return m_linear.describe(m_layout.scheme == QuantScheme::Static); }

private:
    Int8Linear m_linear;
    QuantizedLayerLayout m_layout;
};

class Int4 : public QuantizedLinear {
public:
    Int4(const Int4Weight& w, const at::Tensor& bias) : m_weight(w), m_bias(floatBias(bias)) {
        m_layout.precision = Precision::Int4;
        m_layout.scheme = QuantScheme::WeightOnly;
        m_layout.groupSize = w.groupSize;
        if (int8gemm::int4Available() && w.groupSize % 4 == 0)
            m_packed = int8gemm::packInt4(w.packed, w.scales, w.groupSize, m_bias);
    }
    // W4A8 on our kernel (inputs quantized per row); elsewhere the weight expanded to float.
    at::Tensor forward(const at::Tensor& x) const override {
        if (m_packed.data.defined()) return int8gemm::linearInt4(x, m_packed);
        return torch::linear(x.to(torch::kFloat32), dequantize(m_weight), m_bias);
    }
    at::Tensor forwardGelu(const at::Tensor& x) const override {
        if (m_packed.data.defined()) return int8gemm::linearInt4(x, m_packed, int8gemm::Activation::Gelu);
        return LinearKernel::forwardGelu(x);
    }
    std::string kernelPath() const override {
        if (!m_packed.data.defined()) return "libtorch";
        return kernels::kernelPathName(int8gemm::int4Path(m_weight.groupSize));
    }
    const QuantizedLayerLayout& layout() const override { return m_layout; }
    at::Tensor dequantizedWeight() const override { return dequantize(m_weight); }
    std::vector<std::pair<std::string, at::Tensor>> storedWeight() const override {
        return {{"q", m_weight.packed}, {"scale", m_weight.scales}};
    }
    int64_t memoryBytes() const override {
        return storedBytes() + (m_bias.defined() ? m_bias.numel() * 4 : 0) + m_packed.bytes();
    }

private:
    Int4Weight m_weight;
    at::Tensor m_bias;
    int8gemm::PackedInt4Weight m_packed;  // undefined data where the kernel does not run
    QuantizedLayerLayout m_layout;
};

class Half : public QuantizedLinear {
public:
    Half(const at::Tensor& weight, const at::Tensor& bias, Precision dtype) {
        const auto type = dtype == Precision::Bf16 ? torch::kBFloat16 : torch::kFloat16;
        m_weight = weight.detach().to(type).contiguous().clone();
        m_bias = floatBias(bias);
        if (dtype == Precision::Bf16 && m_bias.defined()) m_biasHalf = m_bias.to(type);
        m_layout.precision = dtype;
        m_layout.scheme = dtype == Precision::Bf16 ? QuantScheme::Dynamic : QuantScheme::WeightOnly;
        // fp16 (weight-only), and bf16 on a CPU without bf16 instructions: the products run
        // in fp32 on the weight's exact fp32 value, kept beside it. LibTorch's own bf16 GEMM
        // without AVX512-BF16 is a scalar loop (measured: bert-mini 4488 ms against 78 ms in
        // fp32), and converting the fp16 weight on every call cost as much as the product.
        if (dtype == Precision::Fp16 || kernels::bf16IsEmulated()) m_compute = m_weight.to(torch::kFloat32);
        if (dtype == Precision::Bf16 && m_compute.defined() && m_biasHalf.defined())
            m_biasRounded = m_biasHalf.to(torch::kFloat32);
        if (dtype == Precision::Bf16 && !m_compute.defined() && bf16gemm::available())
            m_packed = bf16gemm::pack(m_weight, m_bias);
    }
    at::Tensor forward(const at::Tensor& x) const override {
        if (m_packed.data.defined()) return bf16gemm::linear(x, m_packed);
        if (m_layout.precision == Precision::Bf16) {
            if (m_compute.defined()) {
                // bf16 emulated: inputs, bias and result rounded to bf16 as the bf16 GEMM would
                // have them, products accumulated in fp32 (as the bf16 GEMM does).
                const at::Tensor xr = x.to(torch::kBFloat16).to(torch::kFloat32);
                return torch::linear(xr, m_compute, m_biasRounded).to(torch::kBFloat16).to(torch::kFloat32);
            }
            // Real bf16 compute: inputs rounded to bf16, products accumulated by the bf16 GEMM.
            return torch::linear(x.to(torch::kBFloat16), m_weight, m_biasHalf).to(torch::kFloat32);
        }
        return torch::linear(x.to(torch::kFloat32), m_compute, m_bias);
    }
    const QuantizedLayerLayout& layout() const override { return m_layout; }
    at::Tensor dequantizedWeight() const override { return m_weight.to(torch::kFloat32); }
    std::vector<std::pair<std::string, at::Tensor>> storedWeight() const override { return {{"q", m_weight}}; }
    at::Tensor forwardGelu(const at::Tensor& x) const override {
        if (m_packed.data.defined()) return bf16gemm::linear(x, m_packed, int8gemm::Activation::Gelu);
        return LinearKernel::forwardGelu(x);
    }
    std::string kernelPath() const override {
        if (m_packed.data.defined()) return kernels::kernelPathName(kernels::KernelPath::Amx);
        return kernels::kernelPathName(m_layout.precision == Precision::Bf16 ? kernels::bf16Path()
                                                                             : kernels::fp32Path());
    }
    int64_t memoryBytes() const override {
        return storedBytes() + (m_bias.defined() ? m_bias.numel() * 4 : 0) +
               (m_biasHalf.defined() ? m_biasHalf.numel() * 2 : 0) + (m_compute.defined() ? m_compute.nbytes() : 0) +
               m_packed.bytes();
    }

private:
    at::Tensor m_weight, m_bias, m_biasHalf;
    at::Tensor m_compute, m_biasRounded;  // fp32 copies the products run on (see the constructor)
    bf16gemm::PackedWeight m_packed;      // our AMX kernel's copy, where it runs
    QuantizedLayerLayout m_layout;
};

at::Tensor storedTensor(const std::vector<std::pair<std::string, at::Tensor>>& stored, const std::string& suffix,
                        const std::string& where) {
    for (const auto& [name, t] : stored) {
        if (name == suffix) return t;
    }
    throw Error(where + ": the quantized weight has no '" + suffix +
                "' tensor; the file is incomplete — save the model again");
}

void expect(bool ok, const std::string& where, const std::string& what) {
    if (!ok) throw Error(where + ": " + what + "; the file does not match its layout — save the model again");
}

}  // namespace

int64_t QuantizedLinear::storedBytes() const {
    int64_t bytes = 0;
    for (const auto& [name, t] : storedWeight()) bytes += t.numel() * int64_t(t.element_size());
    return bytes;
}

Int4Weight quantizeWeightInt4(const at::Tensor& weight, int64_t groupSize) {
    if (weight.dim() != 2 || !weight.is_floating_point()) {
        throw Error("int4 weight quantization needs a float matrix [out, in], got " + std::to_string(weight.dim()) +
                    " dimensions");
    }
    const int64_t out = weight.size(0), in = weight.size(1);
    if (groupSize <= 0 || groupSize % 2 != 0) {
        throw Error("int4 group size must be a positive even number of inputs, got " + std::to_string(groupSize));
    }
    if (in % groupSize != 0) {
        std::vector<std::string> fits;
        for (int64_t g : {16, 32, 64, 128, 256}) {
            if (in % g == 0) fits.push_back(std::to_string(g));
        }
        throw Error("int4 group size " + std::to_string(groupSize) + " does not divide the layer's " +
                    std::to_string(in) + " inputs; use a group size that does (" +
                    (fits.empty() ? std::string("none of 16..256 does; keep this layer int8") : join(fits, ", ")) +
                    ")");
    }
    torch::NoGradGuard noGrad;
    const at::Tensor w = weight.detach().to(torch::kFloat32).reshape({out, in / groupSize, groupSize});
    Int4Weight q;
    q.groupSize = groupSize;
    q.scales = (w.abs().amax(2) / 7.0).clamp_min(1e-12);
    at::Tensor v = torch::round(w / q.scales.unsqueeze(2)).clamp(-7, 7);
    v = torch::where(v.eq(0).logical_and(w.ne(0)), torch::sign(w), v);
    const at::Tensor nibbles = (v + 8).to(torch::kUInt8).reshape({out, in / 2, 2});
    q.packed = nibbles.select(2, 0).bitwise_or(nibbles.select(2, 1).bitwise_left_shift(4)).contiguous();
    return q;
}

at::Tensor dequantize(const Int4Weight& weight) {
    const int64_t out = weight.packed.size(0), in = weight.packed.size(1) * 2;
    const at::Tensor low = weight.packed.bitwise_and(15), high = weight.packed.bitwise_right_shift(4);
    const at::Tensor v = torch::stack({low, high}, 2).reshape({out, in / weight.groupSize, weight.groupSize});
    return ((v.to(torch::kFloat32) - 8.0) * weight.scales.unsqueeze(2)).reshape({out, in});
}

QuantizedLinearPtr makeDynamicInt8Linear(const Int8Weight& weight, const at::Tensor& bias) {
    return std::make_shared<Int8>(weight, bias, QuantScheme::Dynamic);
}

QuantizedLinearPtr makeStaticInt8Linear(const Int8Weight& weight, const at::Tensor& bias, QParams input,
                                        QParams output) {
    return std::make_shared<Int8>(weight, bias, QuantScheme::Static, input, output);
}

QuantizedLinearPtr makeInt4Linear(const Int4Weight& weight, const at::Tensor& bias) {
    return std::make_shared<Int4>(weight, bias);
}

QuantizedLinearPtr makeHalfLinear(const at::Tensor& weight, const at::Tensor& bias, Precision dtype) {
    if (dtype != Precision::Bf16 && dtype != Precision::Fp16)
        throw Error(std::string("half precision must be bf16 or fp16, got '") + precisionName(dtype) + "'");
    return std::make_shared<Half>(weight, bias, dtype);
}

namespace {

/// The stored weight scales: F32, each > 0 (NaN and infinity are refused with the other
/// tensors of the file, io/weights_check.h).
at::Tensor storedScales(const std::vector<std::pair<std::string, at::Tensor>>& stored, const std::string& where) {
    const at::Tensor scales = storedTensor(stored, "scale", where);
    expect(scales.scalar_type() == torch::kFloat32, where,
           std::string("the weight scales are stored as ") + c10::toString(scales.scalar_type()) + ", expected F32");
    expect((scales > 0).all().item<bool>(), where, "a weight scale is not positive");
    return scales;
}

}  // namespace

QuantizedLinearPtr restoreQuantizedLinear(const QuantizedLayerLayout& layout,
                                          const std::vector<std::pair<std::string, at::Tensor>>& stored,
                                          const at::Tensor& bias, const std::string& where) {
    const at::Tensor q = storedTensor(stored, "q", where);
    expect(q.dim() == 2, where, "the quantized weight is not a matrix");
    if (layout.precision == Precision::Int8) {
        expect(q.scalar_type() == torch::kInt8, where, "int8 weights are not stored as I8");
        Int8Weight w;
        w.values = q;
        w.scales = storedScales(stored, where);
        w.perChannel = layout.perChannel;
        expect(w.scales.numel() == (w.perChannel ? q.size(0) : 1), where, "wrong number of int8 scales");
        if (layout.scheme == QuantScheme::Dynamic) return makeDynamicInt8Linear(w, bias);
        if (layout.scheme == QuantScheme::Static) {
            for (const QParams* qp : {&layout.input, &layout.output}) {
                expect(std::isfinite(qp->scale) && qp->scale > 0, where,
                       "static activation scales must be finite and > 0");
                expect(qp->zeroPoint >= 0 && qp->zeroPoint <= 255, where,
                       "a static zero point is " + std::to_string(qp->zeroPoint) + ", outside [0, 255]");
            }
            return makeStaticInt8Linear(w, bias, layout.input, layout.output);
        }
        throw Error(where + ": int8 weights with the " + schemeName(layout.scheme) + " scheme (dynamic or static)");
    }
    if (layout.precision == Precision::Int4) {
        expect(q.scalar_type() == torch::kUInt8, where, "int4 weights are not stored as U8");
        Int4Weight w;
        w.packed = q;
        w.scales = storedScales(stored, where);
        w.groupSize = layout.groupSize;
        expect(w.groupSize > 0 && w.groupSize % 2 == 0 && (q.size(1) * 2) % w.groupSize == 0, where,
               "int4 group size " + std::to_string(w.groupSize) + " does not fit the stored weight");
        expect(w.scales.dim() == 2 && w.scales.size(0) == q.size(0) && w.scales.size(1) == q.size(1) * 2 / w.groupSize,
               where, "wrong shape of int4 scales");
        return makeInt4Linear(w, bias);
    }
    if (layout.precision == Precision::Bf16 || layout.precision == Precision::Fp16) {
        expect(q.scalar_type() == (layout.precision == Precision::Bf16 ? torch::kBFloat16 : torch::kFloat16), where,
               std::string(precisionName(layout.precision)) + " weights are stored with another dtype");
        return makeHalfLinear(q, bias, layout.precision);
    }
    throw Error(where + ": " + precisionName(layout.precision) +
                " is not a stored layer precision (int8, int4, bf16, fp16)");
}

}  // namespace tpq
