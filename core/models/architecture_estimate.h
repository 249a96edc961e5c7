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
#include "models/safetensors_header.h"

namespace tpq {

/// Parameters of the model `model` describes (a BERT preset or the custom Transformer)
/// with a vocabulary of `vocabSize` tokens; equal to Classifier::numParameters() of the
/// built model. Throws tpq::Error for an unknown model name.
int64_t estimateParameters(const ModelConfig& model, int64_t vocabSize);

/// True for the name of an embedding table's tensor ("bert.embeddings.word_embeddings.weight",
/// "embedding.weight"): the one rule Classifier::embeddingTables and the estimates share.
bool isEmbeddingTable(const std::string& tensorName);

/// The linear layers among `shapes`: every 2-D "<layer>.weight" that is not an embedding
/// table, as "<layer>", in file order.
std::vector<std::string> linearLayerNames(const std::vector<TensorShape>& shapes);

/// Bytes of an fp32 model's tensors (`shapes`) when each linear layer `L` listed in `plan`
/// ("L" -> fp32, bf16, fp16, int8, int4) stores `L.weight` in that precision (int8: one fp32
/// scale per row; int4: half a byte per weight and one fp32 scale per `int4GroupSize`),
/// and, with `int8Embeddings`, tables named "*embeddings*"/"embedding.weight" as int8 rows
/// with an fp16 scale each. The same rule as MixedPrecisionQuantization::estimateModelSize.
int64_t estimatePlanBytes(const std::vector<TensorShape>& shapes, const std::map<std::string, std::string>& plan,
                          int int4GroupSize = 32, bool int8Embeddings = true);

}  // namespace tpq
