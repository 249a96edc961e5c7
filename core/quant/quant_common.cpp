#include "quant/quant_common.h"

#include <algorithm>

#include <torch/torch.h>

#include "quant/int8_kernels.h"
#include "util/error.h"

namespace tpq::quantdetail {
namespace {

bool matches(const std::string& name, const std::string& part) {
    return name.find(part) != std::string::npos;
}

}  // namespace

void validateScope(const std::vector<std::string>& skip, const std::string& engine,
                   std::vector<std::string>& problems) {
    if (engine != "onednn" && engine != "qnnpack")
        problems.push_back("quantization.backend must be onednn or qnnpack, got '" + engine + "'");
    for (const auto& s : skip) {
        if (s.empty()) problems.push_back("an empty layer name in the quantization skip list");
    }
}

std::vector<NamedLinear> selectLayers(Classifier& model, const std::vector<std::string>& skip,
                                      std::vector<bool>& skipped) {
    std::vector<NamedLinear> layers = model.linearLayers();
    if (!model.int8Embeddings().empty()) {
        throw Error("this model is already quantized (int8 embedding tables); quantize the float model instead");
    }
    for (const auto& l : layers) {
        if (l.kernel && *l.kernel) {
            throw Error("layer " + l.name + " is already quantized (" + (*l.kernel)->label() +
                        "); quantize the float model instead");
        }
    }
    for (const auto& s : skip) {
        const bool found =
            std::any_of(layers.begin(), layers.end(), [&](const NamedLinear& l) { return matches(l.name, s); });
        if (!found && s != "classifier") {
            throw Error("quantization skip entry '" + s + "' matches no linear layer of this " + model.architecture() +
                        " model; its layers are named like '" + layers.front().name + "' … '" + layers.back().name +
                        "'");
        }
    }
    skipped.clear();
    for (const auto& l : layers) {
        skipped.push_back(!l.kernel || std::any_of(skip.begin(), skip.end(),
                                                   [&](const std::string& s) { return matches(l.name, s); }));
    }
    return layers;
}

void quantizeEmbeddingsInt8(Classifier& model, QuantizationReport& report) {
    torch::NoGradGuard noGrad;
    for (auto& [name, table] : model.embeddingTables()) {
        const Int8Table stored = Int8Embedding::quantize(table);
        model.int8Embeddings()[name] = stored;
        recordTable(name, stored, report);
        releaseParameter(table);
    }
}

void recordTable(const std::string& name, const Int8Table& table, QuantizationReport& report) {
    report.precisionMap.emplace_back(name, "int8");
    ++report.quantizedTables;
    report.floatWeightBytes += table.values.numel() * 4;
    report.quantizedWeightBytes += table.values.numel() + table.scales.numel() * int64_t(table.scales.element_size());
}

void installKernel(NamedLinear& layer, LinearKernelPtr kernel, int64_t storedBytes, QuantizationReport& report) {
    if (!kernel) {
        report.precisionMap.emplace_back(layer.name, "fp32");
        return;
    }
    report.precisionMap.emplace_back(layer.name, precisionName(kernel->precision()));
    ++report.quantizedLayers;
    report.floatWeightBytes += layer.linear->weight.numel() * 4;
    report.quantizedWeightBytes += storedBytes;
    releaseParameter(layer.linear->weight);
    *layer.kernel = std::move(kernel);
}

}  // namespace tpq::quantdetail
