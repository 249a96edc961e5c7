#include "io/sparse_storage.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "models/layout_metadata.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

constexpr const char* kBitmaskSuffix = ".__bitmask";
constexpr const char* kValuesSuffix = ".__values";

// The integer type of the same width, to test "all bits zero".
at::ScalarType bitsType(at::ScalarType t) {
    switch (t) {
        case at::kFloat:
            return at::kInt;
        case at::kDouble:
            return at::kLong;
        case at::kHalf:
        case at::kBFloat16:
            return at::kShort;
        default:
            return at::kByte;
    }
}

at::Tensor bitWeights() {
    return torch::tensor({1, 2, 4, 8, 16, 32, 64, 128}, torch::kUInt8);
}

}  // namespace

std::vector<NamedTensor> compressSparseTensors(const std::vector<NamedTensor>& tensors,
                                               std::map<std::string, std::string>& metadata, double maxRatio,
                                               int64_t minElements, int* compressed) {
    std::vector<NamedTensor> out;
    nlohmann::ordered_json listed = nlohmann::ordered_json::object();
    for (const auto& nt : tensors) {
        const at::Tensor& t = nt.tensor;
        if (!t.is_floating_point() || t.numel() < minElements) {
            out.push_back(nt);
            continue;
        }
        const at::Tensor flat = t.contiguous().view(-1);
        const at::Tensor keep = flat.view(bitsType(t.scalar_type())).ne(0);
        const int64_t n = flat.numel();
        const int64_t nonzero = keep.sum().item<int64_t>();
        const int64_t denseBytes = n * int64_t(t.element_size());
        const int64_t compactBytes = (n + 7) / 8 + nonzero * int64_t(t.element_size());
        if (double(compactBytes) > maxRatio * double(denseBytes)) {
            out.push_back(nt);
            continue;
        }
        const int64_t padded = (n + 7) / 8 * 8;
        const at::Tensor bits = torch::constant_pad_nd(keep.to(torch::kUInt8), {0, padded - n}, 0).view({-1, 8});
        const at::Tensor packed = (bits * bitWeights()).sum(1, false, torch::kUInt8);
        out.push_back({nt.name + kBitmaskSuffix, packed});
        out.push_back({nt.name + kValuesSuffix, flat.masked_select(keep)});
        listed[nt.name] = {{"shape", t.sizes().vec()}};
    }
    if (!listed.empty()) {
        metadata["tpq_sparse_format"] = kSparseFormat;
        metadata["tpq_sparse_tensors"] = listed.dump();
    }
    if (compressed) *compressed = int(listed.size());
    return out;
}

std::vector<NamedTensor> expandSparseTensors(std::vector<NamedTensor> tensors,
                                             const std::map<std::string, std::string>& metadata,
                                             const std::string& source) {
    const nlohmann::json listed =
        readLayoutMetadata(metadata, "tpq_sparse_format", kSparseFormat, "tpq_sparse_tensors", source);
    if (listed.is_null()) return tensors;
    std::map<std::string, at::Tensor> parts;
    std::vector<NamedTensor> out;
    for (auto& nt : tensors) {
        const auto& name = nt.name;
        if (endsWith(name, kBitmaskSuffix) || endsWith(name, kValuesSuffix)) {
            parts[name] = nt.tensor;
        } else {
            out.push_back(std::move(nt));
        }
    }
    for (auto it = listed.begin(); it != listed.end(); ++it) {
        const std::string name = it.key();
        const std::string where = source + ": sparse tensor '" + name + "'";
        const auto bitmask = parts.find(name + kBitmaskSuffix);
        const auto values = parts.find(name + kValuesSuffix);
        if (bitmask == parts.end() || values == parts.end()) {
            throw Error(where + " lacks its " + (bitmask == parts.end() ? "bitmask" : "values") +
                        "; the file is damaged: save the model again");
        }
        std::vector<int64_t> shape;
        try {
            shape = it.value().at("shape").get<std::vector<int64_t>>();
        } catch (const nlohmann::json::exception&) {
            throw Error(where + " has no valid shape in tpq_sparse_tensors");
        }
        int64_t n = 1;
        for (int64_t d : shape) {
            if (d < 0) throw Error(where + " has a negative dimension");
            if (d > 0 && n > (int64_t(1) << 50) / d) throw Error(where + " has a shape too large for the file");
            n *= d;
        }
        const at::Tensor& packed = bitmask->second;
        if (packed.scalar_type() != at::kByte || packed.dim() != 1 || packed.numel() != (n + 7) / 8) {
            throw Error(where + ": its bitmask has " + std::to_string(packed.numel()) + " bytes, expected " +
                        std::to_string((n + 7) / 8) + " for " + std::to_string(n) + " elements");
        }
        const at::Tensor keep = packed.unsqueeze(1).bitwise_and(bitWeights()).ne(0).view(-1).narrow(0, 0, n);
        const at::Tensor& vals = values->second;
        const int64_t expected = keep.sum().item<int64_t>();
        if (vals.dim() != 1 || vals.numel() != expected) {
            throw Error(where + ": " + std::to_string(vals.numel()) + " stored values, but its bitmask marks " +
                        std::to_string(expected) + "; the file is damaged: save the model again");
        }
        at::Tensor dense = torch::zeros({n}, vals.options());
        dense.masked_scatter_(keep, vals);
        out.push_back({name, dense.view(shape)});
        parts.erase(bitmask);
        parts.erase(values);
    }
    if (!parts.empty()) {
        throw Error(source + ": tensor '" + parts.begin()->first +
                    "' is part of a sparse tensor not listed in tpq_sparse_tensors; the file is damaged");
    }
    return out;
}

}  // namespace tpq
