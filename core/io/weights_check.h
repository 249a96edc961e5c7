#pragma once
/// \file weights_check.h
/// The checks a model folder passes before tpq answers with it (README "Reliability"):
/// config.json's sizes against the tensors the weights file holds (before the model is
/// built, so a damaged size never allocates), every weight present, no NaN or infinity in
/// any weight or scale.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/quantized_storage.h"
#include "models/architecture_config.h"
#include "models/safetensors.h"

namespace tpq {

/// The tensors a weights file provides as the model will see them: name -> shape. Dense
/// tensors as stored (after sparse expansion), a quantized layer L as "L.weight" at its
/// float shape, an int8 table at its rows x width.
std::map<std::string, std::vector<int64_t>> providedShapes(const std::vector<NamedTensor>& tensors,
                                                           const QuantizedParts& parts);

/// Compares the sizes of `config` (read from `configPath`) with `shapes` from `weightsFile`: vocabulary and width
/// against the word embedding table, positions, the number of layers, the labels against the classifier's rows, and the
/// parameter count against the values the file holds. Throws tpq::Error naming both files, the key and the tensor.
/// `headMayBeMissing`: a Hugging Face folder, whose classifier may be absent.
void checkConfigAgainstWeights(const ArchitectureConfig& config, const std::string& configPath,
                               const std::map<std::string, std::vector<int64_t>>& shapes,
                               const std::string& weightsFile, bool headMayBeMissing);

/// Throws tpq::Error naming `source` and the tensor when a floating-point tensor or a
/// stored weight scale holds NaN or an infinity (static activation scales are checked where
/// the layer is restored).
void checkFiniteWeights(const std::vector<NamedTensor>& tensors, const QuantizedParts& parts,
                        const std::string& source);

/// "a, b, c and 4 more": at most `shown` names of `names`.
std::string listNames(const std::vector<std::string>& names, size_t shown = 8);

}  // namespace tpq
