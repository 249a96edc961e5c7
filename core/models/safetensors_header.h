#pragma once
/// \file safetensors_header.h
/// What a .safetensors file holds, read from its header alone (no torch here, so the GUI
/// can show layer shapes and size estimates without loading a model).

#include <cstdint>
#include <string>
#include <vector>

namespace tpq {

struct TensorShape {
    std::string name;
    std::string dtype;  // safetensors dtype: F32, I8, ...
    std::vector<int64_t> shape;
    int64_t numel() const;
};

/// The tensors a .safetensors file lists, in file order. Only the header is read, and it is
/// validated as loadSafetensors validates it; throws tpq::Error naming the file.
std::vector<TensorShape> readSafetensorsShapes(const std::string& path);

/// Bytes per element of a safetensors dtype ("F32" -> 4, "I64" -> 8); 0 when unknown.
int64_t safetensorsDtypeSize(const std::string& dtype);

}  // namespace tpq
