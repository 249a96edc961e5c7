#pragma once
/// \file safetensors.h
/// Reading and writing Hugging Face `.safetensors` checkpoints: an 8-byte little-endian
/// header length N, N bytes of JSON describing every tensor (dtype, shape, byte offsets)
/// plus optional string metadata, then the raw little-endian tensor data.

#include <map>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace tpq {

/// One tensor of a checkpoint with its key ("bert.encoder.layer.0.output.dense.weight").
struct NamedTensor {
    std::string name;  ///< checkpoint key; unique and non-empty within a file
    at::Tensor tensor;
};

/// Reads a .safetensors file. Supported dtypes: F64, F32, F16, BF16, I64, I32, I16, I8, U8,
/// BOOL. Validates the whole layout (header length, JSON, dtypes, shapes, offsets, no
/// overlaps, holes or truncation, unique names) and throws tpq::Error naming the file, the
/// tensor and what to do. Returned tensors are CPU tensors owning their memory, in the order
/// of their data in the file. Stores the "__metadata__" strings in `*metadata` when given
/// (cleared first; left empty when the file has none).
std::vector<NamedTensor> loadSafetensors(const std::string& path,
                                         std::map<std::string, std::string>* metadata = nullptr);

/// The same for the bytes of a file already in memory; `path` names it in messages.
std::vector<NamedTensor> parseSafetensors(const std::string& bytes, const std::string& path,
                                          std::map<std::string, std::string>* metadata = nullptr);

/// The safetensors name of a dtype ("F32" for float); throws tpq::Error for one the format
/// has no name for.
std::string safetensorsDtypeName(at::ScalarType type);

/// Writes `tensors` (copied to CPU and made contiguous) in the given order plus optional
/// string `metadata` ("__metadata__"), atomically via tpq::writeFileAtomic. The header is
/// padded with spaces so the data starts 8-byte aligned. Names must be unique, non-empty,
/// valid UTF-8 and not "__metadata__"; throws tpq::Error otherwise or for an unsupported
/// dtype, layout or undefined tensor.
void saveSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                     const std::map<std::string, std::string>& metadata = {});

}  // namespace tpq
