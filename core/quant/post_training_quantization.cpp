#include "quant/post_training_quantization.h"

#include <algorithm>

#include <torch/torch.h>

#include "models/classifier.h"
#include "quant/int8_kernels.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

class DynamicInt8Kernel : public LinearKernel {
public:
    DynamicInt8Kernel(const Int8Weight& weight, const at::Tensor& bias) : m_linear(weight, bias) {}
    at::Tensor forward(const at::Tensor& x) const override { return m_linear.forward(x); }
    std::string precision() const override { return "int8"; }

private:
    DynamicInt8Linear m_linear;
};

bool contains(const std::string& name, const std::vector<std::string>& parts) {
    return std::any_of(parts.begin(), parts.end(), [&](const std::string& p) { return name.find(p) != std::string::npos; });
}

}  // namespace

std::vector<std::string> DynamicQuantizationOptions::validate() const {
    std::vector<std::string> p;
    if (engine != "onednn" && engine != "qnnpack")
        p.push_back("quantization.backend must be onednn or qnnpack, got '" + engine + "'");
    for (const auto& s : skip) {
        if (s.empty()) p.push_back("an empty layer name in the quantization skip list");
    }
    return p;
}

QuantizationReport PostTrainingQuantization::applyDynamicQuantization(Classifier& model,
                                                                      const DynamicQuantizationOptions& options) {
    const auto problems = options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    setQuantizedEngine(options.engine);
    std::vector<NamedLinear> layers = model.linearLayers();
    for (const auto& s : options.skip) {
        const bool found = std::any_of(layers.begin(), layers.end(), [&](const NamedLinear& l) { return contains(l.name, {s}); });
        if (!found && s != "classifier") {
            throw Error("quantization skip entry '" + s + "' matches no linear layer of this " + model.architecture() +
                        " model; its layers are named like '" + layers.front().name + "' … '" + layers.back().name +
                        "'");
        }
    }
    for (const auto& l : layers) {
        if (l.kernel && *l.kernel) {
            throw Error("layer " + l.name + " is already quantized (" + (*l.kernel)->precision() +
                        "); quantize the float model instead");
        }
    }
    QuantizationReport report;
    torch::NoGradGuard noGrad;
    for (auto& l : layers) {
        if (!l.kernel || contains(l.name, options.skip)) {
            report.precisionMap.emplace_back(l.name, "fp32");
            continue;
        }
        const Int8Weight q = quantizeWeightInt8(l.linear->weight, options.perChannel);
        *l.kernel = std::make_shared<DynamicInt8Kernel>(q, l.linear->bias);
        report.precisionMap.emplace_back(l.name, "int8");
        ++report.quantizedLayers;
        report.floatWeightBytes += l.linear->weight.numel() * 4;
        report.int8WeightBytes += q.values.numel() + q.scales.numel() * 4;
    }
    return report;
}

}  // namespace tpq
