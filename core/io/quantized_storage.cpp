#include "io/quantized_storage.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "models/layout_metadata.h"
#include "quant/int8_kernels.h"
#include "quant/quantized_linear.h"
#include "util/error.h"
#include "util/json_support.h"

namespace tpq {
namespace {

constexpr const char* kWeightSuffix = ".weight";

}  // namespace

std::vector<NamedTensor> packQuantizedWeights(Classifier& model, const std::vector<NamedTensor>& tensors,
                                              std::map<std::string, std::string>& metadata, int* quantized) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    std::map<std::string, std::vector<NamedTensor>> replacement;  // float weight name -> stored tensors
    for (const auto& l : model.linearLayers()) {
        if (!l.kernel || !*l.kernel) continue;
        const auto* q = dynamic_cast<const QuantizedLinear*>(l.kernel->get());
        if (!q) {
            throw Error("layer " + l.name + " has a kernel that cannot be saved (" + (*l.kernel)->label() +
                        "); a QAT model is saved after QuantizationAwareTraining::convert");
        }
        const QuantizedLayerLayout& lay = q->layout();
        layers[l.name] = {{"precision", precisionName(lay.precision)},
                          {"scheme", schemeName(lay.scheme)},
                          {"per_channel", lay.perChannel},
                          {"group_size", lay.groupSize},
                          {"input_scale", lay.input.scale},
                          {"input_zero_point", lay.input.zeroPoint},
                          {"output_scale", lay.output.scale},
                          {"output_zero_point", lay.output.zeroPoint}};
        auto& out = replacement[l.name + kWeightSuffix];
        for (const auto& [suffix, t] : q->storedWeight()) out.push_back({l.name + kWeightSuffix + ".__" + suffix, t});
    }
    for (const auto& [name, table] : model.int8Embeddings()) {
        layers[name] = {{"precision", "int8"}, {"scheme", "embedding"}};
        replacement[name] = {{name + ".__q", table.values}, {name + ".__scale", table.scales}};
    }
    if (quantized) *quantized = int(replacement.size());
    if (replacement.empty()) return tensors;
    std::vector<NamedTensor> out;
    std::set<std::string> placed;
    for (const auto& t : tensors) {
        const auto it = replacement.find(t.name);
        if (it == replacement.end()) {
            out.push_back(t);
            continue;
        }
        for (const auto& r : it->second) out.push_back(r);
        placed.insert(t.name);
    }
    for (const auto& [name, parts] : replacement) {
        if (!placed.count(name)) throw Error("quantized weight " + name + " is not a tensor of the model's state dict");
    }
    metadata["tpq_quant_format"] = kQuantFormat;
    metadata["tpq_quant_engine"] = quantizedEngine();
    metadata["tpq_quant_layers"] = layers.dump();
    return out;
}

QuantizedParts takeQuantizedParts(std::vector<NamedTensor>& tensors, const std::map<std::string, std::string>& metadata,
                                  const std::string& source) {
    QuantizedParts parts;
    const nlohmann::json layers =
        readLayoutMetadata(metadata, "tpq_quant_format", kQuantFormat, "tpq_quant_layers", source);
    if (layers.is_null()) return parts;
    const auto engine = metadata.find("tpq_quant_engine");
    if (engine != metadata.end()) parts.engine = engine->second;
    auto take = [&](const std::string& name, const std::string& where) -> at::Tensor {
        const auto it =
            std::find_if(tensors.begin(), tensors.end(), [&](const NamedTensor& t) { return t.name == name; });
        if (it == tensors.end()) {
            throw Error(where + ": tensor " + name + " is missing; the file is incomplete — save the model again");
        }
        at::Tensor t = it->tensor;
        tensors.erase(it);
        return t;
    };
    auto has = [&](const std::string& name) {
        return std::any_of(tensors.begin(), tensors.end(), [&](const NamedTensor& t) { return t.name == name; });
    };
    for (const auto& [name, spec] : layers.items()) {
        const std::string where = source + ": quantized layer " + name;
        try {
            const std::string scheme = spec.at("scheme").get<std::string>();
            if (scheme == "embedding") {
                Int8Table table{take(name + ".__q", where), take(name + ".__scale", where)};
                if (table.values.scalar_type() != torch::kInt8 || table.values.dim() != 2 ||
                    !table.scales.is_floating_point() || table.scales.dim() != 1 ||
                    table.scales.numel() != table.values.size(0) || !(table.scales > 0).all().item<bool>()) {
                    throw Error(where + ": int8 table and scales do not fit; save the model again");
                }
                parts.tables.emplace_back(name, table);
                continue;
            }
            QuantizedParts::Layer layer;
            layer.name = name;
            const std::string precision = spec.at("precision").get<std::string>();
            const auto p = parsePrecision(precision);
            if (!p || *p == Precision::Fp32)
                throw Error(where + ": layer " + name + " has the unknown precision '" + precision +
                            "' (int8, int4, bf16, fp16); save the model again");
            layer.layout.precision = *p;
            const auto s = parseScheme(scheme);
            if (!s)
                throw Error(where + ": layer " + name + " has the unknown scheme '" + scheme +
                            "' (dynamic, static, weight_only)");
            layer.layout.scheme = *s;
            layer.layout.perChannel = spec.value("per_channel", true);
            layer.layout.groupSize = spec.value("group_size", int64_t(0));
            layer.layout.input = {spec.value("input_scale", 1.0), spec.value("input_zero_point", int64_t(0))};
            layer.layout.output = {spec.value("output_scale", 1.0), spec.value("output_zero_point", int64_t(0))};
            const std::string prefix = name + kWeightSuffix + ".__";
            layer.stored.emplace_back("q", take(prefix + "q", where));
            if (has(prefix + "scale")) layer.stored.emplace_back("scale", take(prefix + "scale", where));
            parts.layers.push_back(std::move(layer));
        } catch (const nlohmann::json::exception& e) {
            throw Error(where + ": bad layout in tpq_quant_layers (" + jsonErrorText(e) + ")");
        }
    }
    return parts;
}

std::vector<std::string> installQuantizedParts(Classifier& model, QuantizedParts parts, const std::string& source) {
    torch::NoGradGuard noGrad;
    const bool int8 = std::any_of(parts.layers.begin(), parts.layers.end(),
                                  [](const QuantizedParts::Layer& l) { return l.layout.precision == Precision::Int8; });
    if (int8 && !parts.engine.empty()) {
        try {
            setQuantizedEngine(parts.engine);
        } catch (const Error& e) {
            throw Error(source + ": its int8 layers were packed for the " + parts.engine + " engine: " + e.what());
        }
    }
    std::vector<std::string> filled;
    std::vector<NamedLinear> linears = model.linearLayers();
    for (auto& layer : parts.layers) {
        const auto it =
            std::find_if(linears.begin(), linears.end(), [&](const NamedLinear& l) { return l.name == layer.name; });
        if (it == linears.end() || !it->kernel) {
            throw Error(source + ": quantized layer " + layer.name + " is not a linear layer of this " +
                        model.architecture() + " model");
        }
        const std::string where = source + ": quantized layer " + layer.name;
        QuantizedLinearPtr kernel = restoreQuantizedLinear(layer.layout, layer.stored, it->linear->bias, where);
        const at::Tensor w = kernel->dequantizedWeight();
        if (!w.sizes().equals(it->linear->weight.sizes())) {
            throw Error(where + ": weight shape " + c10::str(w.sizes()) + " but the model's layer is " +
                        c10::str(it->linear->weight.sizes()) + "; config.json and the weights do not match");
        }
        releaseParameter(it->linear->weight);
        *it->kernel = std::move(kernel);
        filled.push_back(layer.name + kWeightSuffix);
    }
    auto tables = model.embeddingTables();
    for (auto& [name, table] : parts.tables) {
        const auto it = std::find_if(tables.begin(), tables.end(), [&](const auto& t) { return t.first == name; });
        if (it == tables.end()) throw Error(source + ": int8 table " + name + " is not an embedding of this model");
        if (!table.values.sizes().equals(it->second.sizes())) {
            throw Error(source + ": int8 table " + name + " has shape " + c10::str(table.values.sizes()) +
                        " but the model's is " + c10::str(it->second.sizes()));
        }
        model.int8Embeddings()[name] = table;
        releaseParameter(it->second);
        filled.push_back(name);
    }
    return filled;
}

}  // namespace tpq
