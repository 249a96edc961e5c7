#include "quant/int8_kernels.h"

#include <cmath>
#include <mutex>

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>
#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/int8_gemm.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

constexpr double kMinScale = 1e-12;  // an all-zero row still needs a positive scale

using PackedPtr = c10::intrusive_ptr<LinearPackedParamsBase>;

PackedPtr prepack(const at::Tensor& qweight, const c10::optional<at::Tensor>& bias) {
    static const auto op = c10::Dispatcher::singleton()
                               .findSchemaOrThrow("quantized::linear_prepack", "")
                               .typed<PackedPtr(at::Tensor, c10::optional<at::Tensor>)>();
    return op.call(qweight, bias);
}

// VPDPBUSD (AVX-512 or AVX VNNI): LibTorch's ONEDNN int8 products take 8-bit inputs exactly.
bool cpuHasVnni() {
    return kernels::cpuFeatures().avx512Vnni || kernels::cpuFeatures().avxVnni;
}

void checkInput(const at::Tensor& x, int64_t in) {
    if (x.size(-1) != in) {
        throw Error("int8 linear layer expects " + std::to_string(in) + " input features, got " +
                    std::to_string(x.size(-1)));
    }
}

}  // namespace

Int8Weight quantizeWeightInt8(const at::Tensor& weight, bool perChannel) {
    if (weight.dim() != 2 || !weight.is_floating_point()) {
        throw Error("int8 weight quantization needs a float matrix [out, in], got " +
                    std::string(c10::toString(weight.scalar_type())) + " with " + std::to_string(weight.dim()) +
                    " dimensions");
    }
    torch::NoGradGuard noGrad;
    const at::Tensor w = weight.detach().to(torch::kFloat32);
    Int8Weight q;
    q.perChannel = perChannel;
    const at::Tensor absMax = perChannel ? w.abs().amax(1) : w.abs().max().reshape({1});
    q.scales = (absMax / 127.0).clamp_min(kMinScale);
    const at::Tensor s = perChannel ? q.scales.unsqueeze(1) : q.scales;
    at::Tensor v = torch::round(w / s).clamp(-127, 127);
    // A tiny non-zero weight becomes +-1 rather than 0, so a pruned model keeps exactly
    // its sparsity pattern (the zeros are the pruning, not rounding).
    v = torch::where(v.eq(0).logical_and(w.ne(0)), torch::sign(w), v);
    q.values = v.to(torch::kInt8);
    return q;
}

at::Tensor dequantize(const Int8Weight& weight) {
    const at::Tensor s = weight.perChannel ? weight.scales.unsqueeze(1) : weight.scales;
    return weight.values.to(torch::kFloat32) * s;
}

std::string quantizedEngine() {
    switch (at::globalContext().qEngine()) {
        case at::QEngine::ONEDNN:
            return "onednn";
        case at::QEngine::QNNPACK:
            return "qnnpack";
        case at::QEngine::FBGEMM:
            return "fbgemm";
        default:
            return toLowerAscii(c10::toString(at::globalContext().qEngine()));
    }
}

void setQuantizedEngine(const std::string& name) {
    at::QEngine engine;
    if (name == "onednn") {
        engine = at::QEngine::ONEDNN;
    } else if (name == "qnnpack") {
        engine = at::QEngine::QNNPACK;
    } else if (name == "fbgemm") {
        engine = at::QEngine::FBGEMM;
    } else {
        throw Error("unknown quantized engine '" + name + "' (onednn, qnnpack or fbgemm)");
    }
    std::vector<std::string> available;
    for (auto e : at::globalContext().supportedQEngines()) {
        if (e == engine) {
            at::globalContext().setQEngine(engine);
            return;
        }
        if (e != at::QEngine::NoQEngine) available.push_back(c10::toString(e));
    }
    throw Error("quantized engine '" + name + "' is not in this LibTorch build; it has " + join(available, ", "));
}

// The weight in two forms, each made when first needed: our kernel's layout (dynamic
// quantization on CPUs with AVX2 or AVX-512 VNNI, static on AVX2) and LibTorch's prepacked
// parameters (everything else).
struct Int8Linear::Packed {
    Int8Weight weight;
    at::Tensor bias;  // float32 or undefined
    std::once_flag kernelOnce, torchOnce;
    int8gemm::PackedWeight kernel;
    PackedPtr params;

    const int8gemm::PackedWeight& forKernel() {
        std::call_once(kernelOnce, [&] { kernel = int8gemm::pack(weight.values, weight.scales, bias); });
        return kernel;
    }
    const PackedPtr& forTorch() {
        std::call_once(torchOnce, [&] {
            torch::NoGradGuard noGrad;
            const int64_t out = weight.values.size(0);
            at::Tensor q;
            if (weight.perChannel) {
                q = at::_make_per_channel_quantized_tensor(weight.values, weight.scales.to(torch::kFloat64),
                                                           torch::zeros({out}, torch::kInt64), 0);
            } else {
                q = at::_make_per_tensor_quantized_tensor(weight.values, weight.scales.item<double>(), 0);
            }
            c10::optional<at::Tensor> b;
            if (bias.defined()) b = bias;
            params = prepack(q, b);
        });
        return params;
    }
};

Int8Linear::Int8Linear(const Int8Weight& weight, const at::Tensor& bias, Use use)
    : m_packed(std::make_unique<Packed>()), m_in(weight.values.size(1)), m_out(weight.values.size(0)) {
    m_packed->weight.values = weight.values.contiguous().clone();
    m_packed->weight.scales = weight.scales.to(torch::kFloat32).contiguous().clone();
    m_packed->weight.perChannel = weight.perChannel;
    if (bias.defined()) m_packed->bias = bias.detach().to(torch::kFloat32).contiguous().clone();
    // Pack now for the path forward() takes, so the first call is not slower than the rest.
    if ((use == Use::Dynamic && int8gemm::available()) || (use == Use::Static && int8gemm::staticAvailable()))
        m_packed->forKernel();
    else
        m_packed->forTorch();
}

Int8Weight Int8Linear::weight() const {
    return m_packed->weight;
}

std::string Int8Linear::kernelPath(bool staticForm) const {
    const bool ours = staticForm ? int8gemm::staticAvailable() : int8gemm::available();
    return ours ? kernels::kernelPathName(int8gemm::path()) : "libtorch";
}

LayerKernel Int8Linear::describe(bool staticForm) const {
    LayerKernel k;
    k.precision = precisionName(Precision::Int8);
    k.path = kernelPath(staticForm);
    const bool ours = staticForm ? int8gemm::staticAvailable() : int8gemm::available();
    if (ours && m_packed->forKernel().isSparse()) {
        k.sparse = true;
        k.format = "quads";
        k.density = m_packed->kernel.sparse.density;
    }
    return k;
}

int64_t Int8Linear::memoryBytes() const {
    const Packed& p = *m_packed;
    int64_t bytes = p.weight.values.nbytes() + p.weight.scales.nbytes() + (p.bias.defined() ? p.bias.nbytes() : 0);
    if (p.kernel.data.defined()) bytes += p.kernel.bytes();
    if (p.params) bytes += p.weight.values.nbytes() + (p.bias.defined() ? p.bias.nbytes() : 0);  // the engine's copy
    return bytes;
}

Int8Linear::~Int8Linear() = default;
Int8Linear::Int8Linear(Int8Linear&&) noexcept = default;
Int8Linear& Int8Linear::operator=(Int8Linear&&) noexcept = default;

at::Tensor Int8Linear::forward(const at::Tensor& x) const {
    return forwardDynamic(x, false);
}

at::Tensor Int8Linear::forwardGelu(const at::Tensor& x) const {
    return forwardDynamic(x, true);
}

std::vector<at::Tensor> Int8Linear::forwardShared(const std::vector<const Int8Linear*>& layers, const at::Tensor& x) {
    if (!int8gemm::available() || layers.empty()) return {};
    std::vector<const int8gemm::PackedWeight*> weights;
    for (const Int8Linear* l : layers) {
        checkInput(x, l->m_in);
        weights.push_back(&l->m_packed->forKernel());
    }
    return int8gemm::linearShared(x, weights);
}

std::vector<at::Tensor> Int8Linear::forwardStaticShared(const std::vector<const Int8Linear*>& layers,
                                                        const std::vector<std::pair<QParams, QParams>>& scales,
                                                        const at::Tensor& x) {
    if (!int8gemm::staticAvailable() || layers.empty() || layers.size() != scales.size()) return {};
    std::vector<const int8gemm::PackedWeight*> weights;
    std::vector<int8gemm::StaticScales> s;
    for (size_t i = 0; i < layers.size(); ++i) {
        checkInput(x, layers[i]->m_in);
        weights.push_back(&layers[i]->m_packed->forKernel());
        const auto& [in, out] = scales[i];
        s.push_back({float(in.scale), int32_t(in.zeroPoint), float(out.scale), int32_t(out.zeroPoint)});
    }
    return int8gemm::linearStaticShared(x, weights, s);
}

at::Tensor Int8Linear::forwardGeluThen(const Int8Linear& first, const Int8Linear& second, const at::Tensor& x) {
    if (!int8gemm::available() || second.m_in != first.m_out) return {};
    checkInput(x, first.m_in);
    return int8gemm::linearGeluLinear(x, first.m_packed->forKernel(), second.m_packed->forKernel());
}

at::Tensor Int8Linear::forwardDynamic(const at::Tensor& x, bool gelu) const {
    checkInput(x, m_in);
    if (int8gemm::available())
        return int8gemm::linear(x, m_packed->forKernel(),
                                gelu ? int8gemm::Activation::Gelu : int8gemm::Activation::None);
    // reduce_range: on a CPU without VNNI, ONEDNN's u8 x s8 product goes through VPMADDUBSW,
    // whose int16 pair sums saturate with 8-bit inputs (measured here: 16 % error on a
    // Zen 3); 7-bit inputs are exact. With VNNI keep all 8 bits.
    at::Tensor y = m_packed->forTorch()->apply_dynamic(x.to(torch::kFloat32).contiguous(), !cpuHasVnni());
    return gelu ? at::gelu(y) : y;
}

at::Tensor Int8Linear::forwardStatic(const at::Tensor& x, QParams input, QParams output, bool gelu) const {
    checkInput(x, m_in);
    if (int8gemm::staticAvailable()) {
        const int8gemm::StaticScales s{float(input.scale), int32_t(input.zeroPoint), float(output.scale),
                                       int32_t(output.zeroPoint)};
        return int8gemm::linearStatic(x, m_packed->forKernel(), s,
                                      gelu ? int8gemm::Activation::Gelu : int8gemm::Activation::None);
    }
    if (gelu) return at::gelu(forwardStatic(x, input, output, false));
    at::Tensor xf = x.to(torch::kFloat32).contiguous();
    if (!cpuHasVnni()) {
        // As in forwardDynamic: the calibrated range on 7 bits (clamped to it first, so that
        // no code exceeds 127) against VPMADDUBSW's saturation.
        xf = xf.clamp(-double(input.zeroPoint) * input.scale, double(255 - input.zeroPoint) * input.scale);
        input.scale *= 255.0 / 127.0;
        input.zeroPoint = std::lround(double(input.zeroPoint) * 127.0 / 255.0);
    }
    const at::Tensor qx = at::quantize_per_tensor(xf, input.scale, input.zeroPoint, torch::kQUInt8);
    return m_packed->forTorch()->apply(qx, output.scale, output.zeroPoint).dequantize();
}

Int8Embedding Int8Embedding::quantize(const at::Tensor& table) {
    if (table.dim() != 2 || !table.is_floating_point()) {
        throw Error("int8 embedding quantization needs a float table [rows, dim], got " + std::to_string(table.dim()) +
                    " dimensions");
    }
    torch::NoGradGuard noGrad;
    const at::Tensor w = table.detach().to(torch::kFloat32);
    // Scales in float16 (2 bytes per row instead of 4: a 30k-word table saves 60 kB), and
    // the values rounded with exactly the scale that is stored.
    Int8Embedding e;
    e.scales = (w.abs().amax(1) / 127.0).clamp_min(1e-7).to(torch::kFloat16);
    const at::Tensor s = e.scales.to(torch::kFloat32).unsqueeze(1);
    at::Tensor v = torch::round(w / s).clamp(-127, 127);
    v = torch::where(v.eq(0).logical_and(w.ne(0)), torch::sign(w), v);
    e.values = v.to(torch::kInt8);
    return e;
}

}  // namespace tpq
