#pragma once
/// \file layer_surgery.h
/// Making layers physically smaller, shared by BertModel and TransformerModel: a linear
/// layer keeps only some of its output rows or input columns (Hugging Face's
/// prune_linear_layer), and head indices are tracked the Hugging Face way — pruned_heads
/// holds original head indices, and the heads still present keep their original order.

#include <cstdint>
#include <map>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/modules/linear.h>

namespace tpq {

using PrunedHeads = std::map<int64_t, std::vector<int64_t>>;  // layer -> original head indices removed

/// A new Linear holding only the entries `index` (int64, ascending) of `layer` along
/// `dim`: 0 keeps output features (weight rows and bias), 1 keeps input features
/// (weight columns; the bias is unchanged). Values are copied exactly.
torch::nn::Linear selectLinear(const torch::nn::Linear& layer, const at::Tensor& index, int64_t dim);

/// torch::nn::Linear(in, out), also when `in` or `out` is 0 (a layer whose heads or
/// neurons were all pruned), where LibTorch's own initialization would divide by zero.
torch::nn::Linear makeLinear(int64_t in, int64_t out, bool bias = true);

/// The row indices of `heads` (current head positions) in a [heads * headSize] projection.
at::Tensor headRows(const std::vector<int64_t>& heads, int64_t headSize);

/// Original indices of the heads present in `layer`, in their current order.
std::vector<int64_t> presentHeads(const PrunedHeads& pruned, int64_t layer, int64_t numHeads);

/// Records the removal of `remove` (current positions in `layer`) in `pruned` and returns
/// the current positions that stay. Throws tpq::Error for a position out of range or
/// given twice.
std::vector<int64_t> recordHeadRemoval(PrunedHeads& pruned, int64_t layer, int64_t numHeads,
                                       const std::vector<int64_t>& remove);

/// Throws tpq::Error unless 0 <= index < layers.
void checkLayerIndex(int64_t index, size_t layers);

/// Throws tpq::Error unless `mask` is undefined or has `size` entries; `what` names the
/// mask ("head mask") and `unit` what it masks ("heads").
void checkMaskSize(const at::Tensor& mask, int64_t size, int64_t layer, const char* what, const char* unit);

/// Records that `layer` now has `width` feed-forward neurons in per-layer `widths`
/// (filled with `full` for every one of `layers` layers when still empty).
void recordWidth(std::vector<int64_t>& widths, int64_t layers, int64_t full, int64_t layer, int64_t width);

/// Checks a list of feed-forward neurons to keep (current positions, ascending, unique,
/// below `width`) and returns it as an int64 index tensor.
at::Tensor neuronIndex(const std::vector<int64_t>& keep, int64_t width, int64_t layer);

}  // namespace tpq
