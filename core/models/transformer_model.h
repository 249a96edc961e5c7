#pragma once
/// \file transformer_model.h
/// The original project's custom Transformer classifier, trained from scratch:
/// token embedding (scaled by sqrt(d_model)) + sinusoidal positions, post-norm encoder
/// layers (self-attention, then a ReLU feed-forward network, each with residual and
/// LayerNorm, as torch.nn.TransformerEncoderLayer), [CLS]/mean pooling, a linear head.
/// Attention uses separate q/k/v projections so heads can be pruned.

#include <map>
#include <string>
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>

#include "models/classifier.h"

namespace tpq {

struct TransformerConfig {
    int64_t vocabSize = 30522;    // tokenizer vocabulary size
    int64_t dModel = 256;         // embedding width
    int64_t numHeads = 4;         // heads per layer; must divide d_model
    int64_t numLayers = 4;        // encoder layers
    int64_t dFf = 1024;           // feed-forward width
    int64_t maxLen = 512;         // longest sequence
    double dropout = 0.1;         // dropout probability
    std::string pooling = "cls";  // cls (first token), mean or max (over real tokens)
    int64_t padTokenId = 0;
    std::vector<std::string> labelNames = {"0", "1"};     // num_classes = its size
    std::map<int64_t, std::vector<int64_t>> prunedHeads;  // layer -> original head indices removed
    std::vector<int64_t> ffnSizes;                        // per layer after pruning; empty = d_ff

    int64_t numClasses() const { return int64_t(labelNames.size()); }
    int64_t headSize() const { return dModel / numHeads; }
    int64_t headsInLayer(int64_t layer) const;
    int64_t ffnInLayer(int64_t layer) const;

    std::string toJson() const;  // config.json with "model_type": "tpq-transformer"
    static TransformerConfig fromJson(const std::string& json, const std::string& source);
    std::vector<std::string> validate() const;  // sizes within models/model_limits.h, ...
    int64_t parameterCount() const;             // Classifier::numParameters of the built model
};

class TransformerLayerImpl : public torch::nn::Module {
public:
    TransformerLayerImpl(const TransformerConfig& config, int64_t heads, int64_t ffn);
    at::Tensor forward(const at::Tensor& x, const at::Tensor& additiveMask);
    /// Keeps the heads at current positions `kept`, and the feed-forward neurons `keep`.
    void keepHeads(const std::vector<int64_t>& kept);
    void keepNeurons(const at::Tensor& keep);

    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
    torch::nn::Linear linear1{nullptr}, linear2{nullptr};
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::Dropout dropout{nullptr};
    int64_t heads, headSize;
    double dropoutProb;
    at::Tensor headMask, ffnMask;  // undefined = none; see Classifier::setHeadMask
    // Quantized kernels of q, k, v, out, linear1, linear2 (null = float).
    LinearKernelPtr qKernel, kKernel, vKernel, outKernel, kernel1, kernel2;
};
TORCH_MODULE(TransformerLayer);

class TransformerModel : public Classifier {
public:
    explicit TransformerModel(TransformerConfig config);

    at::Tensor forward(const at::Tensor& inputIds, const at::Tensor& attentionMask) override;
    std::string architecture() const override { return "transformer"; }
    int64_t numLabels() const override { return m_config.numClasses(); }
    std::vector<NamedLinear> linearLayers() override;
    std::vector<int64_t> headsPerLayer() const override;
    std::vector<int64_t> ffnWidths() const override;
    std::string configJson() const override { return m_config.toJson(); }
    int64_t configuredHeads() const override { return m_config.numHeads; }
    int64_t configuredFfnWidth() const override { return m_config.dFf; }
    std::vector<int64_t> presentHeads(int64_t layer) const override;
    void setHeadMask(int64_t layer, const at::Tensor& mask) override;
    void setFfnMask(int64_t layer, const at::Tensor& mask) override;
    void pruneHeads(int64_t layer, const std::vector<int64_t>& heads) override;
    void pruneFfn(int64_t layer, const std::vector<int64_t>& keep) override;

    const TransformerConfig& config() const { return m_config; }
    /// The sinusoidal position table [maxLen, dModel] added to the scaled embeddings.
    const at::Tensor& positionTable() const { return m_positions; }

private:
    TransformerLayerImpl& layer(int64_t index);

    TransformerConfig m_config;
    torch::nn::Embedding m_embedding{nullptr};
    torch::nn::ModuleList m_layers{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    torch::nn::Linear m_classifier{nullptr};
    LinearKernelPtr m_classifierKernel;
    at::Tensor m_positions;  // [maxLen, dModel] sinusoidal table, not a parameter
};

}  // namespace tpq
