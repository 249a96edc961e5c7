#include "models/transformer_model.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "models/attention.h"
#include "models/layer_surgery.h"
#include "models/model_limits.h"
#include "util/error.h"
#include "util/json_support.h"
#include "util/strings.h"

namespace tpq {

int64_t TransformerConfig::headsInLayer(int64_t layer) const {
    auto it = prunedHeads.find(layer);
    return numHeads - (it == prunedHeads.end() ? 0 : int64_t(it->second.size()));
}

int64_t TransformerConfig::ffnInLayer(int64_t layer) const {
    return ffnSizes.empty() ? dFf : ffnSizes.at(size_t(layer));
}

std::vector<std::string> TransformerConfig::validate() const {
    std::vector<std::string> p;
    checkSize(p, "vocab_size", vocabSize, kMaxVocabSize);
    checkSize(p, "d_model", dModel, kMaxHiddenSize);
    checkSize(p, "num_heads", numHeads, kMaxHeads);
    if (numHeads > 0 && dModel > 0 && dModel % numHeads != 0) {
        p.push_back("d_model (" + std::to_string(dModel) + ") must be divisible by num_heads (" +
                    std::to_string(numHeads) + ")");
    }
    checkSize(p, "num_layers", numLayers, kMaxLayers);
    checkSize(p, "d_ff", dFf, kMaxFfnSize);
    checkSize(p, "max_len", maxLen, kMaxPositions);
    if (!(dropout >= 0 && dropout < 1)) p.push_back("dropout must be in [0, 1)");
    if (pooling != "cls" && pooling != "mean" && pooling != "max")
        p.push_back("pooling must be cls, mean or max, got '" + pooling + "'");
    if (labelNames.size() < 2) p.push_back("a classifier needs at least 2 classes");
    if (int64_t(labelNames.size()) > kMaxLabels) p.push_back("at most " + std::to_string(kMaxLabels) + " classes");
    if (!ffnSizes.empty() && int64_t(ffnSizes.size()) != numLayers) p.push_back("ffn sizes must be given per layer");
    for (int64_t w : ffnSizes) {
        if (w < 0 || w > dFf) p.push_back("ffn_sizes entries must be in [0, d_ff], got " + std::to_string(w));
    }
    for (const auto& [layer, heads] : prunedHeads) {
        if (layer < 0 || layer >= numLayers) p.push_back("pruned_heads names layer " + std::to_string(layer));
        for (int64_t h : heads) {
            if (h < 0 || h >= numHeads)
                p.push_back("pruned_heads of layer " + std::to_string(layer) + " names head " + std::to_string(h));
        }
    }
    if (p.empty() && parameterCount() + maxLen * dModel > kMaxParameters)
        p.push_back("the model would hold " + std::to_string(parameterCount()) + " parameters and " +
                    std::to_string(maxLen * dModel) + " position values, more than the " +
                    std::to_string(kMaxParameters) + " tpq loads");
    return p;
}

int64_t TransformerConfig::parameterCount() const {
    const int64_t d = dModel;
    int64_t n = vocabSize * d;
    for (int64_t i = 0; i < numLayers; ++i) {
        const int64_t a = headsInLayer(i) * headSize(), f = ffnInLayer(i);
        n += 3 * (d * a + a) + (a * d + d) + (d * f + f) + (f * d + d) + 4 * d;  // projections, FFN, 2 norms
    }
    return n + d * numClasses() + numClasses();
}

std::string TransformerConfig::toJson() const {
    nlohmann::ordered_json j;
    j["model_type"] = "tpq-transformer";
    j["vocab_size"] = vocabSize;
    j["d_model"] = dModel;
    j["num_heads"] = numHeads;
    j["num_layers"] = numLayers;
    j["d_ff"] = dFf;
    j["max_len"] = maxLen;
    j["dropout"] = dropout;
    j["pooling"] = pooling;
    j["pad_token_id"] = padTokenId;
    j["num_classes"] = numClasses();
    j["label_names"] = labelNames;
    nlohmann::ordered_json pruned = nlohmann::ordered_json::object();
    for (const auto& [layer, heads] : prunedHeads) pruned[std::to_string(layer)] = heads;
    j["pruned_heads"] = pruned;
    if (!ffnSizes.empty()) j["ffn_sizes"] = ffnSizes;
    return j.dump(2) + "\n";
}

TransformerConfig TransformerConfig::fromJson(const std::string& text, const std::string& source) {
    const nlohmann::json j = parseJsonObject(text, source);
    if (!j.contains("model_type") || j["model_type"] != "tpq-transformer") {
        throw Error(source + ": not a TPQ Transformer config (expected \"model_type\": \"tpq-transformer\")");
    }
    TransformerConfig c;
    c.vocabSize = jsonInteger(j, "vocab_size", source);
    c.dModel = jsonInteger(j, "d_model", source);
    c.numHeads = jsonInteger(j, "num_heads", source);
    c.numLayers = jsonInteger(j, "num_layers", source);
    c.dFf = jsonInteger(j, "d_ff", source);
    c.maxLen = jsonInteger(j, "max_len", source, c.maxLen);
    c.dropout = jsonNumber(j, "dropout", source, c.dropout);
    c.pooling = jsonString(j, "pooling", source, c.pooling);
    c.padTokenId = jsonInteger(j, "pad_token_id", source, c.padTokenId);
    c.labelNames = jsonStringList(j, "label_names", source);
    if (j.contains("num_classes")) {
        const int64_t n = jsonInteger(j, "num_classes", source);
        if (n < 2 || n > kMaxLabels)
            throw Error(source + ": \"num_classes\" must be in [2, " + std::to_string(kMaxLabels) + "], got " +
                        std::to_string(n));
        if (n != int64_t(c.labelNames.size()))
            throw Error(source + ": \"num_classes\" is " + std::to_string(n) + " but \"label_names\" has " +
                        std::to_string(c.labelNames.size()) + " names");
    }
    c.prunedHeads = jsonIndexedLists(j, "pruned_heads", source);
    if (j.contains("ffn_sizes")) c.ffnSizes = jsonIntegerList(j, "ffn_sizes", source);
    const auto problems = c.validate();
    if (!problems.empty()) throw Error(source + ": " + join(problems, "; "));
    return c;
}

namespace {
torch::nn::Linear xavierLinear(int64_t in, int64_t out) {
    torch::nn::Linear l = makeLinear(in, out);
    torch::NoGradGuard g;
    torch::nn::init::xavier_uniform_(l->weight);
    l->bias.zero_();
    return l;
}
}  // namespace

TransformerLayerImpl::TransformerLayerImpl(const TransformerConfig& c, int64_t h, int64_t ffn)
    : heads(h), headSize(c.headSize()), dropoutProb(c.dropout) {
    q_proj = register_module("q_proj", xavierLinear(c.dModel, heads * headSize));
    k_proj = register_module("k_proj", xavierLinear(c.dModel, heads * headSize));
    v_proj = register_module("v_proj", xavierLinear(c.dModel, heads * headSize));
    out_proj = register_module("out_proj", xavierLinear(heads * headSize, c.dModel));
    linear1 = register_module("linear1", xavierLinear(c.dModel, ffn));
    linear2 = register_module("linear2", xavierLinear(ffn, c.dModel));
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel}).eps(1e-5)));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dModel}).eps(1e-5)));
    dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
}

at::Tensor TransformerLayerImpl::forward(const at::Tensor& x, const at::Tensor& additiveMask) {
    const auto qkv = runLinears({{&q_proj, &qKernel}, {&k_proj, &kKernel}, {&v_proj, &vKernel}}, x);
    const auto context = multiHeadAttention(qkv[0], qkv[1], qkv[2], additiveMask, heads, headSize, dropoutProb,
                                            is_training(), headMask, int8Attention(qKernel, kKernel, vKernel));
    const auto a = norm1(x + dropout(runLinear(out_proj, outKernel, context)));
    auto inner = torch::relu(runLinear(linear1, kernel1, a));
    if (ffnMask.defined()) inner = inner * ffnMask.to(inner.scalar_type());
    return norm2(a + dropout(runLinear(linear2, kernel2, dropout(inner))));
}

void TransformerLayerImpl::keepHeads(const std::vector<int64_t>& kept) {
    if (qKernel || kKernel || vKernel || outKernel) throw Error("cannot prune heads of a quantized layer; prune first");
    const at::Tensor rows = headRows(kept, headSize);
    q_proj = torch::nn::Linear(replace_module("q_proj", selectLinear(q_proj, rows, 0)));
    k_proj = torch::nn::Linear(replace_module("k_proj", selectLinear(k_proj, rows, 0)));
    v_proj = torch::nn::Linear(replace_module("v_proj", selectLinear(v_proj, rows, 0)));
    out_proj = torch::nn::Linear(replace_module("out_proj", selectLinear(out_proj, rows, 1)));
    heads = int64_t(kept.size());
    headMask = at::Tensor();
}

void TransformerLayerImpl::keepNeurons(const at::Tensor& keep) {
    if (kernel1 || kernel2) throw Error("cannot prune neurons of a quantized layer; prune first");
    linear1 = torch::nn::Linear(replace_module("linear1", selectLinear(linear1, keep, 0)));
    linear2 = torch::nn::Linear(replace_module("linear2", selectLinear(linear2, keep, 1)));
    ffnMask = at::Tensor();
}

TransformerModel::TransformerModel(TransformerConfig config) : m_config(std::move(config)) {
    const auto problems = m_config.validate();
    if (!problems.empty()) throw Error("invalid Transformer config: " + join(problems, "; "));
    const auto& c = m_config;
    m_embedding = register_module("embedding", torch::nn::Embedding(c.vocabSize, c.dModel));
    {
        torch::NoGradGuard g;
        m_embedding->weight.normal_(0.0, 1.0 / std::sqrt(double(c.dModel)));
        if (c.padTokenId >= 0 && c.padTokenId < c.vocabSize) m_embedding->weight[c.padTokenId].zero_();
    }
    m_layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.numLayers; ++i)
        m_layers->push_back(TransformerLayer(c, c.headsInLayer(i), c.ffnInLayer(i)));
    m_dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
    m_classifier = register_module("classifier", xavierLinear(c.dModel, c.numClasses()));
    // Sinusoidal positions (Vaswani et al. 2017).
    const auto position = torch::arange(c.maxLen, torch::kFloat32).unsqueeze(1);
    const auto divTerm =
        torch::exp(torch::arange(0, c.dModel, 2, torch::kFloat32) * (-std::log(10000.0) / double(c.dModel)));
    m_positions = torch::zeros({c.maxLen, c.dModel});
    m_positions.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)},
                           torch::sin(position * divTerm));
    m_positions.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                           torch::cos(position * divTerm).narrow(1, 0, c.dModel / 2));
}

at::Tensor TransformerModel::forward(const at::Tensor& inputIds, const at::Tensor& attentionMask) {
    const int64_t length = inputIds.size(1);
    if (length > m_config.maxLen) {
        throw Error("sequence of " + std::to_string(length) + " tokens is longer than model.max_len " +
                    std::to_string(m_config.maxLen) + "; lower data.max_length");
    }
    checkTokenIds(inputIds, m_config.vocabSize);
    auto x = embeddingLookup(m_embedding, &int8Embeddings(), "embedding.weight", inputIds) *
                 std::sqrt(double(m_config.dModel)) +
             m_positions.narrow(0, 0, length).unsqueeze(0);
    x = m_dropout(x);
    const auto mask = additiveAttentionMask(attentionMask, x.scalar_type());
    for (const auto& layer : *m_layers) {
        throwIfCancelled();
        x = layer->as<TransformerLayer>()->forward(x, mask);
    }
    at::Tensor pooled;
    if (m_config.pooling == "mean") {
        const auto m = attentionMask.to(x.scalar_type()).unsqueeze(-1);
        pooled = (x * m).sum(1) / m.sum(1).clamp_min(1.0);
    } else if (m_config.pooling == "max") {
        // Max over real tokens only: a spam phrase anywhere counts as much in a long
        // message as in a short one (mean pooling dilutes it).
        pooled = x.masked_fill(attentionMask.eq(0).unsqueeze(-1), -std::numeric_limits<float>::infinity()).amax(1);
    } else {
        pooled = x.select(1, 0);
    }
    return runLinear(m_classifier, m_classifierKernel, m_dropout(pooled));
}

std::vector<NamedLinear> TransformerModel::linearLayers() {
    std::vector<NamedLinear> out;
    int64_t i = 0;
    for (const auto& module : *m_layers) {
        auto l = module->as<TransformerLayer>();
        const std::string p = "layers." + std::to_string(i++) + ".";
        out.push_back({p + "q_proj", l->q_proj, &l->qKernel});
        out.push_back({p + "k_proj", l->k_proj, &l->kKernel});
        out.push_back({p + "v_proj", l->v_proj, &l->vKernel});
        out.push_back({p + "out_proj", l->out_proj, &l->outKernel});
        out.push_back({p + "linear1", l->linear1, &l->kernel1});
        out.push_back({p + "linear2", l->linear2, &l->kernel2});
    }
    out.push_back({"classifier", m_classifier, &m_classifierKernel});
    return out;
}

TransformerLayerImpl& TransformerModel::layer(int64_t index) {
    checkLayerIndex(index, m_layers->size());
    return *m_layers[size_t(index)]->as<TransformerLayer>();
}

std::vector<int64_t> TransformerModel::presentHeads(int64_t index) const {
    return tpq::presentHeads(m_config.prunedHeads, index, m_config.numHeads);
}

void TransformerModel::setHeadMask(int64_t index, const at::Tensor& mask) {
    auto& l = layer(index);
    checkMaskSize(mask, l.heads, index, "head mask", "heads");
    l.headMask = mask;
}

void TransformerModel::setFfnMask(int64_t index, const at::Tensor& mask) {
    auto& l = layer(index);
    checkMaskSize(mask, l.linear1->weight.size(0), index, "feed-forward mask", "neurons");
    l.ffnMask = mask;
}

void TransformerModel::pruneHeads(int64_t index, const std::vector<int64_t>& heads) {
    auto& l = layer(index);
    if (heads.empty()) return;
    auto pruned = m_config.prunedHeads;
    const auto kept = recordHeadRemoval(pruned, index, m_config.numHeads, heads);
    l.keepHeads(kept);
    m_config.prunedHeads = std::move(pruned);
}

void TransformerModel::pruneFfn(int64_t index, const std::vector<int64_t>& keep) {
    auto& l = layer(index);
    const at::Tensor idx = neuronIndex(keep, l.linear1->weight.size(0), index);
    l.keepNeurons(idx);
    recordWidth(m_config.ffnSizes, m_config.numLayers, m_config.dFf, index, int64_t(keep.size()));
}

std::vector<int64_t> TransformerModel::headsPerLayer() const {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < m_config.numLayers; ++i) out.push_back(m_config.headsInLayer(i));
    return out;
}

std::vector<int64_t> TransformerModel::ffnWidths() const {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < m_config.numLayers; ++i) out.push_back(m_config.ffnInLayer(i));
    return out;
}

}  // namespace tpq
