#pragma once
/// \file architecture_estimate.h
/// What a model will weigh before it exists: parameter counts from a ModelConfig, tensor
/// shapes from a safetensors header, and the size of a per-layer precision plan. No torch
/// here, so the GUI can update these as the user types.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/experiment_config.h"

namespace tpq {

/// Parameters of the model `model` describes (a BERT preset or the custom Transformer)
/// with a vocabulary of `vocabSize` tokens; equal to Classifier::numParameters() of the
/// built model. Throws tpq::Error for an unknown model name.
int64_t estimateParameters(const ModelConfig& model, int64_t vocabSize);

struct TensorShape {
    std::string name;
    std::string dtype;  // safetensors dtype: F32, I8, ...
    std::vector<int64_t> shape;
    int64_t numel() const;
};

/// The tensors listed in a .safetensors file's header (the data is not read). Throws
/// tpq::Error naming the file when it is missing or its header is not valid.
std::vector<TensorShape> readSafetensorsShapes(const std::string& path);

/// Bytes of an fp32 model's tensors (`shapes`) when each linear layer `L` listed in `plan`
/// ("L" -> fp32, bf16, fp16, int8, int4) stores `L.weight` in that precision (int8: one fp32
/// scale per row; int4: half a byte per weight and one fp32 scale per `int4GroupSize`),
/// and, with `int8Embeddings`, tables named "*embeddings*"/"embedding.weight" as int8 rows
/// with an fp16 scale each. The same rule as MixedPrecisionQuantization::estimateModelSize.
int64_t estimatePlanBytes(const std::vector<TensorShape>& shapes, const std::map<std::string, std::string>& plan,
                          int int4GroupSize = 32, bool int8Embeddings = true);

}  // namespace tpq
