#include "models/layer_surgery.h"

#include <algorithm>
#include <set>
#include <string>

#include <torch/torch.h>

#include "util/error.h"

namespace tpq {

torch::nn::Linear selectLinear(const torch::nn::Linear& layer, const at::Tensor& index, int64_t dim) {
    const bool hasBias = layer->bias.defined();
    const at::Tensor weight = layer->weight.detach().index_select(dim, index).clone();
    const int64_t out = weight.size(0), in = weight.size(1);
    torch::nn::Linear result = makeLinear(in, out, hasBias);
    torch::NoGradGuard noGrad;
    result->weight.set_data(weight);
    if (hasBias) {
        result->bias.set_data(dim == 0 ? layer->bias.detach().index_select(0, index).clone()
                                       : layer->bias.detach().clone());
    }
    return result;
}

torch::nn::Linear makeLinear(int64_t in, int64_t out, bool bias) {
    if (in > 0 && out > 0) return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
    torch::nn::Linear result(torch::nn::LinearOptions(std::max<int64_t>(in, 1), std::max<int64_t>(out, 1)).bias(bias));
    torch::NoGradGuard noGrad;
    result->weight.set_data(torch::zeros({out, in}));
    if (bias) result->bias.set_data(torch::zeros({out}));
    result->options.in_features(in).out_features(out);
    return result;
}

at::Tensor headRows(const std::vector<int64_t>& heads, int64_t headSize) {
    std::vector<int64_t> rows;
    rows.reserve(heads.size() * size_t(headSize));
    for (int64_t h : heads)
        for (int64_t i = 0; i < headSize; ++i) rows.push_back(h * headSize + i);
    return torch::tensor(rows, torch::kInt64);
}

std::vector<int64_t> presentHeads(const PrunedHeads& pruned, int64_t layer, int64_t numHeads) {
    const auto it = pruned.find(layer);
    std::vector<int64_t> present;
    for (int64_t h = 0; h < numHeads; ++h) {
        if (it == pruned.end() || std::find(it->second.begin(), it->second.end(), h) == it->second.end())
            present.push_back(h);
    }
    return present;
}

std::vector<int64_t> recordHeadRemoval(PrunedHeads& pruned, int64_t layer, int64_t numHeads,
                                       const std::vector<int64_t>& remove) {
    const std::vector<int64_t> present = presentHeads(pruned, layer, numHeads);
    std::set<int64_t> removeSet;
    for (int64_t h : remove) {
        if (h < 0 || h >= int64_t(present.size())) {
            throw Error("cannot prune head " + std::to_string(h) + " of layer " + std::to_string(layer) + ": it has " +
                        std::to_string(present.size()) + " heads (0.." + std::to_string(int64_t(present.size()) - 1) +
                        ")");
        }
        if (!removeSet.insert(h).second) {
            throw Error("head " + std::to_string(h) + " of layer " + std::to_string(layer) + " is listed twice");
        }
    }
    std::vector<int64_t> kept;
    auto& removed = pruned[layer];
    for (int64_t i = 0; i < int64_t(present.size()); ++i) {
        if (removeSet.count(i)) {
            removed.push_back(present[size_t(i)]);
        } else {
            kept.push_back(i);
        }
    }
    std::sort(removed.begin(), removed.end());
    if (removed.empty()) pruned.erase(layer);
    return kept;
}

void checkLayerIndex(int64_t index, size_t layers) {
    if (index < 0 || index >= int64_t(layers)) {
        throw Error("layer " + std::to_string(index) + " does not exist; the model has " + std::to_string(layers) +
                    " layers (0.." + std::to_string(int64_t(layers) - 1) + ")");
    }
}

void checkMaskSize(const at::Tensor& mask, int64_t size, int64_t layer, const char* what, const char* unit) {
    if (mask.defined() && mask.numel() != size) {
        throw Error(std::string(what) + " of layer " + std::to_string(layer) + " has " + std::to_string(mask.numel()) +
                    " entries, the layer has " + std::to_string(size) + " " + unit);
    }
}

void recordWidth(std::vector<int64_t>& widths, int64_t layers, int64_t full, int64_t layer, int64_t width) {
    if (widths.empty()) widths.assign(size_t(layers), full);
    widths[size_t(layer)] = width;
}

at::Tensor neuronIndex(const std::vector<int64_t>& keep, int64_t width, int64_t layer) {
    for (size_t i = 0; i < keep.size(); ++i) {
        if (keep[i] < 0 || keep[i] >= width || (i > 0 && keep[i] <= keep[i - 1])) {
            throw Error("feed-forward neurons to keep in layer " + std::to_string(layer) +
                        " must be ascending positions below its width " + std::to_string(width));
        }
    }
    return torch::tensor(keep, torch::kInt64);
}

}  // namespace tpq
