#pragma once
/// \file quantized_storage.h
/// Quantized weights in a safetensors file, format "tpq-quant-v1": the float weight
/// "L.weight" of a quantized linear layer L is replaced by the kernel's stored tensors
///   L.weight.__q      I8 (int8), U8 (int4, two per byte), BF16 or F16
///   L.weight.__scale  F32 scales (int8: per row or one; int4: [out, in / group_size])
/// and an int8 embedding table "E.weight" by E.weight.__q (I8) + E.weight.__scale (F16,
/// per row). The file's "__metadata__" gains "tpq_quant_format": "tpq-quant-v1" and
/// "tpq_quant_layers": a JSON object {"L": {"precision", "scheme", "per_channel",
/// "group_size", "input_scale", "input_zero_point", "output_scale", "output_zero_point"},
/// "E.weight": {"precision": "int8", "scheme": "embedding"}} and "tpq_quant_engine" (the
/// quantized engine the int8 layers were packed for, selected again on loading). Biases, layer norms and
/// layers kept in fp32 stay float tensors. Reloading gives the same kernels, hence the
/// same logits.

#include <map>
#include <string>
#include <vector>

#include "models/classifier.h"
#include "models/safetensors.h"
#include "quant/quantized_linear.h"

namespace tpq {

inline constexpr const char* kQuantFormat = "tpq-quant-v1";

/// Replaces the float weights of `model`'s quantized layers and int8 embedding tables in
/// `tensors` (its state dict) by their stored forms and records the layouts in `metadata`.
/// `*quantized` gets the number of quantized weights.
std::vector<NamedTensor> packQuantizedWeights(Classifier& model, const std::vector<NamedTensor>& tensors,
                                              std::map<std::string, std::string>& metadata, int* quantized = nullptr);

/// Quantized parts of a file, taken out of its tensors until the model exists.
struct QuantizedParts {
    struct Layer {
        std::string name;  // linear layer prefix
        QuantizedLayerLayout layout;
        std::vector<std::pair<std::string, at::Tensor>> stored;  // suffix ("q", "scale") -> tensor
    };
    std::vector<Layer> layers;
    std::string engine;  // the quantized engine the int8 layers were packed for ("" = not recorded)
    std::vector<std::pair<std::string, Int8Table>> tables;
};

/// Moves the stored forms listed in `metadata` out of `tensors` (unchanged when the file
/// has none). Throws tpq::Error naming `source` for a bad layout or a missing part.
QuantizedParts takeQuantizedParts(std::vector<NamedTensor>& tensors, const std::map<std::string, std::string>& metadata,
                                  const std::string& source);

/// Puts the parts into `model` (after its float tensors are loaded): each layer gets its
/// kernel, each embedding its int8 table, and their float parameters are released
/// (releaseParameter). Selects the engine the file was written with. Returns the parameter
/// names it filled. Throws tpq::Error for a layer the model does not have or an engine
/// this LibTorch lacks.
std::vector<std::string> installQuantizedParts(Classifier& model, QuantizedParts parts, const std::string& source);

}  // namespace tpq
