#pragma once
/// \file layout_metadata.h
/// How a storage format that rewrites tensors of a safetensors file (sparse_storage,
/// quantized_storage) records itself in the file's "__metadata__": a format key naming the
/// format and version, and a layout key holding a JSON object. Internal to core/models.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace tpq {

/// The JSON object under `layoutKey` when `metadata` has `formatKey` (an empty object when
/// the layout key is absent); null when the file has no `formatKey` at all. Throws
/// tpq::Error naming `source` for another format than `format` or a layout that is not a
/// JSON object.
nlohmann::json readLayoutMetadata(const std::map<std::string, std::string>& metadata, const std::string& formatKey,
                                  const std::string& format, const std::string& layoutKey, const std::string& source);

}  // namespace tpq
