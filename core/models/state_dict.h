#pragma once
/// \file state_dict.h
/// Moving named weights between files and a Classifier: Hugging Face checkpoints in
/// safetensors or pytorch_model.bin (torch.save pickles), with or without the "bert."
/// prefix, legacy LayerNorm gamma/beta names, missing and unexpected keys reported.

#include <string>
#include <vector>

#include "models/classifier.h"
#include "models/safetensors.h"

namespace tpq {

/// What loadStateDict matched.
struct StateDictReport {
    std::vector<std::string> missing;     // model parameters the file did not provide (left as initialized)
    std::vector<std::string> unexpected;  // file tensors the model has no place for (ignored)
    size_t loaded = 0;
};

/// Reads a pytorch_model.bin written by Python's torch.save(state_dict) (zip or legacy
/// pickle) through torch::pickle_load. Throws tpq::Error naming the file when it is not a
/// dictionary of tensors.
std::vector<NamedTensor> loadPytorchBin(const std::string& path);

/// Copies `tensors` into the parameters and buffers of `model` by name. A name missing the
/// model's top-level prefix ("embeddings.x" for "bert.embeddings.x") is matched with it;
/// "LayerNorm.gamma"/"beta" map to "weight"/"bias". A shape mismatch throws tpq::Error
/// naming the tensor, both shapes and `source`.
StateDictReport loadStateDict(torch::nn::Module& model, const std::vector<NamedTensor>& tensors,
                              const std::string& source);

/// All parameters and buffers of `model`, by name, as CPU tensors (for saving).
std::vector<NamedTensor> stateDict(const torch::nn::Module& model);

}  // namespace tpq
