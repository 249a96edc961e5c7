#pragma once
/// \file classifier.h
/// What pruning and quantization work through, for BERT and the custom Transformer
/// alike: logits from (inputIds, attentionMask), the named linear layers, heads and FFN
/// width per layer, parameter counts, and the model's config.json.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace tpq {

/// A linear layer and its parameter prefix ("bert.encoder.layer.0.attention.self.query").
struct NamedLinear {
    std::string name;
    torch::nn::Linear linear{nullptr};
};

class Classifier : public torch::nn::Module {
public:
    ~Classifier() override = default;

    /// `inputIds` and `attentionMask` are int64 [batch, length] (mask 1 = token, 0 = padding).
    /// Returns float logits [batch, numLabels()].
    virtual at::Tensor forward(const at::Tensor& inputIds, const at::Tensor& attentionMask) = 0;

    /// "bert" or "transformer".
    virtual std::string architecture() const = 0;
    virtual int64_t numLabels() const = 0;
    /// Every nn::Linear with its parameter prefix, in a stable order (encoder first).
    virtual std::vector<NamedLinear> linearLayers() = 0;
    /// Attention heads in each encoder layer (differs per layer after head pruning).
    virtual std::vector<int64_t> headsPerLayer() const = 0;
    /// Feed-forward (intermediate) width of each encoder layer.
    virtual std::vector<int64_t> ffnWidths() const = 0;
    /// The model's config.json (Hugging Face format for BERT).
    virtual std::string configJson() const = 0;

    /// Number of parameter elements (all, or only those with requires_grad).
    int64_t numParameters(bool trainableOnly = false) const;
};

using ClassifierPtr = std::shared_ptr<Classifier>;

}  // namespace tpq
