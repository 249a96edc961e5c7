#pragma once
/// \file sparse_storage.h
/// Compact storage of pruned (mostly zero) weights in a safetensors file, format
/// "tpq-bitmask-v1": a tensor W whose zeros make it worth it is stored as
///   W.__bitmask  U8, one bit per element in row-major order, least significant bit
///                first, 1 = stored value (the last byte is padded with zero bits)
///   W.__values   the non-zero elements in row-major order, W's dtype
/// and the file's "__metadata__" gains "tpq_sparse_format": "tpq-bitmask-v1" and
/// "tpq_sparse_tensors": a JSON object {"W": {"shape": [...]}}. Other tensors stay dense.
/// A value counts as zero only when all its bits are zero, so -0.0 is kept and the round
/// trip is bit-exact. At 90% zeros a float32 matrix takes 1/32 + 10% of its dense bytes.

#include <map>
#include <string>
#include <vector>

#include "models/safetensors.h"

namespace tpq {

inline constexpr const char* kSparseFormat = "tpq-bitmask-v1";

/// Replaces each floating-point tensor of at least `minElements` elements whose compact
/// form is at most `maxRatio` of its dense bytes by its bitmask and values, and records
/// them in `metadata`. Returns the tensors to write; `*compressed` gets how many were.
std::vector<NamedTensor> compressSparseTensors(const std::vector<NamedTensor>& tensors,
                                               std::map<std::string, std::string>& metadata, double maxRatio = 0.9,
                                               int64_t minElements = 256, int* compressed = nullptr);

/// The inverse: rebuilds the dense tensors listed in `metadata` (unchanged when the file
/// has no sparse tensors). Throws tpq::Error naming `source` and the tensor for a missing
/// part, a wrong bitmask length or a value count that does not match the bitmask.
std::vector<NamedTensor> expandSparseTensors(std::vector<NamedTensor> tensors,
                                             const std::map<std::string, std::string>& metadata,
                                             const std::string& source);

}  // namespace tpq
