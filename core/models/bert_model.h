#pragma once
/// \file bert_model.h
/// Hugging Face's BertForSequenceClassification in LibTorch, with the same parameter
/// names ("bert.encoder.layer.0.attention.self.query.weight", "classifier.weight", ...),
/// so checkpoints move between the two unchanged.

#include <map>
#include <string>
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>

#include "models/classifier.h"

namespace tpq {

/// The fields of a Hugging Face BERT config.json that the architecture needs.
struct BertConfig {
    int64_t vocabSize = 30522;
    int64_t hiddenSize = 768;
    int64_t numHiddenLayers = 12;
    int64_t numAttentionHeads = 12;
    int64_t intermediateSize = 3072;
    std::string hiddenAct = "gelu";  // gelu (exact erf form) is the only one supported
    double hiddenDropoutProb = 0.1;
    double attentionProbsDropoutProb = 0.1;
    int64_t maxPositionEmbeddings = 512;
    int64_t typeVocabSize = 2;
    double layerNormEps = 1e-12;
    int64_t padTokenId = 0;
    std::vector<std::string> labelNames = {"0", "1"};     // id2label; num_labels = its size
    std::map<int64_t, std::vector<int64_t>> prunedHeads;  // layer -> original head indices removed
    std::vector<int64_t> intermediateSizes;  // per layer after FFN pruning; empty = intermediateSize everywhere

    int64_t numLabels() const { return int64_t(labelNames.size()); }
    int64_t headSize() const { return hiddenSize / numAttentionHeads; }
    int64_t headsInLayer(int64_t layer) const;
    int64_t intermediateInLayer(int64_t layer) const;

    /// Presets: bert-base-uncased (12/768/12), bert-medium (8/512/8), bert-small (4/512/8),
    /// bert-mini (4/256/4), bert-tiny (2/128/2); intermediate = 4 x hidden.
    static BertConfig preset(const std::string& name, int64_t numLabels = 2);
    static const std::vector<std::string>& presetNames();

    /// config.json as Hugging Face writes it (model_type, architectures, id2label, ...).
    std::string toJson() const;
    /// Parses a Hugging Face config.json; errors name `source` and the key.
    static BertConfig fromJson(const std::string& json, const std::string& source);

    /// All problems, empty when valid: sizes out of their limits (models/model_limits.h),
    /// a non-positive layer_norm_eps, dropout outside [0, 1), fewer than 2 labels.
    std::vector<std::string> validate() const;
    /// Parameters of the model this config builds (Classifier::numParameters), computed
    /// without building it.
    int64_t parameterCount() const;
};

class BertEmbeddingsImpl : public torch::nn::Module {
public:
    explicit BertEmbeddingsImpl(const BertConfig& config);
    at::Tensor forward(const at::Tensor& inputIds);

    torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
    const Int8Tables* int8Tables = nullptr;   // the model's int8 embedding tables (set by BertModel)
    torch::nn::LayerNorm LayerNorm{nullptr};  // NOLINT: Hugging Face name
    torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

class BertSelfAttentionImpl : public torch::nn::Module {
public:
    BertSelfAttentionImpl(const BertConfig& config, int64_t heads);
    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
    LinearKernelPtr queryKernel, keyKernel, valueKernel;  // quantized kernels; null = float
    int64_t heads;
    int64_t headSize;
};
TORCH_MODULE(BertSelfAttention);

/// attention.output and output: dense + dropout + residual + LayerNorm.
class BertDenseOutputImpl : public torch::nn::Module {
public:
    BertDenseOutputImpl(int64_t in, int64_t out, const BertConfig& config);
    at::Tensor forward(const at::Tensor& hidden, const at::Tensor& residual);
    /// LayerNorm(dropout(y) + residual): the second half of forward(), for a y computed elsewhere.
    at::Tensor addAndNormalize(const at::Tensor& y, const at::Tensor& residual);
    torch::nn::Linear dense{nullptr};
    LinearKernelPtr denseKernel;
    torch::nn::LayerNorm LayerNorm{nullptr};  // NOLINT: Hugging Face name
    torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertDenseOutput);

class BertAttentionImpl : public torch::nn::Module {
public:
    BertAttentionImpl(const BertConfig& config, int64_t heads);
    BertSelfAttention self{nullptr};
    BertDenseOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

class BertIntermediateImpl : public torch::nn::Module {
public:
    BertIntermediateImpl(int64_t hidden, int64_t intermediate);
    torch::nn::Linear dense{nullptr};
    LinearKernelPtr denseKernel;
};
TORCH_MODULE(BertIntermediate);

class BertLayerImpl : public torch::nn::Module {
public:
    BertLayerImpl(const BertConfig& config, int64_t heads, int64_t intermediate);
    at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additiveMask);
    /// Keeps the heads at current positions `kept`, and the intermediate neurons `keep`.
    void keepHeads(const std::vector<int64_t>& kept);
    void keepNeurons(const at::Tensor& keep);
    BertAttention attention{nullptr};
    BertIntermediate intermediate{nullptr};
    BertDenseOutput output{nullptr};
    double attentionDropout;
    at::Tensor headMask, ffnMask;  // undefined = none; see Classifier::setHeadMask
};
TORCH_MODULE(BertLayer);

class BertEncoderImpl : public torch::nn::Module {
public:
    explicit BertEncoderImpl(const BertConfig& config);
    torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(BertEncoder);

class BertPoolerImpl : public torch::nn::Module {
public:
    explicit BertPoolerImpl(int64_t hidden);
    torch::nn::Linear dense{nullptr};
    LinearKernelPtr denseKernel;
};
TORCH_MODULE(BertPooler);

/// The "bert" sub-module: embeddings, encoder, pooler.
class BertCoreImpl : public torch::nn::Module {
public:
    explicit BertCoreImpl(const BertConfig& config);
    BertEmbeddings embeddings{nullptr};
    BertEncoder encoder{nullptr};
    BertPooler pooler{nullptr};
};
TORCH_MODULE(BertCore);

/// BertForSequenceClassification. Weights are initialized as Hugging Face does
/// (normal(0, 0.02), zero biases, LayerNorm 1/0); seed torch first for reproducibility.
class BertModel : public Classifier {
public:
    explicit BertModel(BertConfig config);

    at::Tensor forward(const at::Tensor& inputIds, const at::Tensor& attentionMask) override;
    std::string architecture() const override { return "bert"; }
    int64_t numLabels() const override { return m_config.numLabels(); }
    std::vector<NamedLinear> linearLayers() override;
    std::vector<int64_t> headsPerLayer() const override;
    std::vector<int64_t> ffnWidths() const override;
    std::string configJson() const override { return m_config.toJson(); }
    int64_t configuredHeads() const override { return m_config.numAttentionHeads; }
    int64_t configuredFfnWidth() const override { return m_config.intermediateSize; }
    std::vector<int64_t> presentHeads(int64_t layer) const override;
    void setHeadMask(int64_t layer, const at::Tensor& mask) override;
    void setFfnMask(int64_t layer, const at::Tensor& mask) override;
    void pruneHeads(int64_t layer, const std::vector<int64_t>& heads) override;
    void pruneFfn(int64_t layer, const std::vector<int64_t>& keep) override;

    const BertConfig& config() const { return m_config; }

private:
    BertLayerImpl& layer(int64_t index);

    BertConfig m_config;
    BertCore m_bert{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    torch::nn::Linear m_classifier{nullptr};
    LinearKernelPtr m_classifierKernel;
};

}  // namespace tpq
