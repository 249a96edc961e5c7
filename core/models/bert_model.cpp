#include "models/bert_model.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "kernels/layer_norm.h"
#include "models/attention.h"
#include "models/bert_presets.h"
#include "models/layer_surgery.h"
#include "models/model_limits.h"
#include "util/error.h"
#include "util/json_support.h"
#include "util/strings.h"

namespace tpq {
namespace {

void initLinear(torch::nn::Linear& l) {
    torch::NoGradGuard g;
    l->weight.normal_(0.0, 0.02);
    if (l->bias.defined()) l->bias.zero_();
}

torch::nn::LayerNorm makeLayerNorm(int64_t size, double eps) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({size}).eps(eps).elementwise_affine(true));
}

}  // namespace

// ---- BertConfig ----------------------------------------------------------------------

int64_t BertConfig::headsInLayer(int64_t layer) const {
    auto it = prunedHeads.find(layer);
    return numAttentionHeads - (it == prunedHeads.end() ? 0 : int64_t(it->second.size()));
}

int64_t BertConfig::intermediateInLayer(int64_t layer) const {
    return intermediateSizes.empty() ? intermediateSize : intermediateSizes.at(size_t(layer));
}

const std::vector<std::string>& BertConfig::presetNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& p : bertPresets()) out.push_back(p.name);
        return out;
    }();
    return names;
}

BertConfig BertConfig::preset(const std::string& name, int64_t numLabels) {
    BertConfig c;
    if (const BertPreset* p = findBertPreset(name)) {
        c.numHiddenLayers = p->layers;
        c.hiddenSize = p->hidden;
        c.numAttentionHeads = p->heads;
        c.intermediateSize = 4 * p->hidden;
    } else {
        std::string msg = "unknown BERT preset '" + name + "' (use " + join(presetNames(), ", ") + ")";
        const std::string near = nearestMatch(name, presetNames());
        if (!near.empty()) msg += "; did you mean '" + near + "'?";
        throw Error(msg);
    }
    c.labelNames.clear();
    for (int64_t i = 0; i < numLabels; ++i) c.labelNames.push_back(std::to_string(i));
    return c;
}

std::vector<std::string> BertConfig::validate() const {
    std::vector<std::string> p;
    checkSize(p, "vocab_size", vocabSize, kMaxVocabSize);
    checkSize(p, "hidden_size", hiddenSize, kMaxHiddenSize);
    checkSize(p, "num_hidden_layers", numHiddenLayers, kMaxLayers);
    checkSize(p, "num_attention_heads", numAttentionHeads, kMaxHeads);
    if (numAttentionHeads > 0 && hiddenSize > 0 && hiddenSize % numAttentionHeads != 0) {
        p.push_back("hidden_size (" + std::to_string(hiddenSize) + ") must be divisible by num_attention_heads (" +
                    std::to_string(numAttentionHeads) + ")");
    }
    checkSize(p, "intermediate_size", intermediateSize, kMaxFfnSize);
    if (hiddenAct != "gelu") p.push_back("hidden_act '" + hiddenAct + "' is not supported (only gelu)");
    checkSize(p, "max_position_embeddings", maxPositionEmbeddings, kMaxPositions);
    checkSize(p, "type_vocab_size", typeVocabSize, kMaxTypeVocab);
    if (!(layerNormEps > 0 && layerNormEps < 1)) p.push_back("layer_norm_eps must be in (0, 1)");
    if (!(hiddenDropoutProb >= 0 && hiddenDropoutProb < 1)) p.push_back("hidden_dropout_prob must be in [0, 1)");
    if (!(attentionProbsDropoutProb >= 0 && attentionProbsDropoutProb < 1))
        p.push_back("attention_probs_dropout_prob must be in [0, 1)");
    if (labelNames.size() < 2) p.push_back("a classifier needs at least 2 labels (id2label / num_labels)");
    if (int64_t(labelNames.size()) > kMaxLabels)
        p.push_back("at most " + std::to_string(kMaxLabels) + " labels (id2label / num_labels)");
    if (!intermediateSizes.empty() && int64_t(intermediateSizes.size()) != numHiddenLayers) {
        p.push_back("intermediate sizes are given for " + std::to_string(intermediateSizes.size()) +
                    " layers, expected " + std::to_string(numHiddenLayers));
    }
    for (int64_t w : intermediateSizes)
        if (w < 0 || w > intermediateSize)
            p.push_back("tpq_intermediate_sizes entries must be in [0, intermediate_size]");
    for (const auto& [layer, heads] : prunedHeads) {
        if (layer < 0 || layer >= numHiddenLayers) p.push_back("pruned_heads names layer " + std::to_string(layer));
        for (int64_t h : heads) {
            if (h < 0 || h >= numAttentionHeads) {
                p.push_back("pruned_heads of layer " + std::to_string(layer) + " names head " + std::to_string(h));
            }
        }
    }
    if (p.empty() && parameterCount() > kMaxParameters)
        p.push_back("the model would hold " + std::to_string(parameterCount()) + " parameters, more than the " +
                    std::to_string(kMaxParameters) + " tpq loads");
    return p;
}

int64_t BertConfig::parameterCount() const {
    const int64_t h = hiddenSize;
    int64_t n = (vocabSize + maxPositionEmbeddings + typeVocabSize) * h + 2 * h;  // embeddings + LayerNorm
    for (int64_t i = 0; i < numHiddenLayers; ++i) {
        const int64_t a = headsInLayer(i) * headSize(), f = intermediateInLayer(i);
        n += 3 * (h * a + a) + (a * h + h) + 2 * h;  // query, key, value, attention output, LayerNorm
        n += (h * f + f) + (f * h + h) + 2 * h;      // intermediate, output, LayerNorm
    }
    return n + (h * h + h) + (h * numLabels() + numLabels());  // pooler, classifier
}

std::string BertConfig::toJson() const {
    nlohmann::ordered_json j;
    j["architectures"] = {"BertForSequenceClassification"};
    j["model_type"] = "bert";
    j["vocab_size"] = vocabSize;
    j["hidden_size"] = hiddenSize;
    j["num_hidden_layers"] = numHiddenLayers;
    j["num_attention_heads"] = numAttentionHeads;
    j["intermediate_size"] = intermediateSize;
    j["hidden_act"] = hiddenAct;
    j["hidden_dropout_prob"] = hiddenDropoutProb;
    j["attention_probs_dropout_prob"] = attentionProbsDropoutProb;
    j["max_position_embeddings"] = maxPositionEmbeddings;
    j["type_vocab_size"] = typeVocabSize;
    j["layer_norm_eps"] = layerNormEps;
    j["initializer_range"] = 0.02;
    j["pad_token_id"] = padTokenId;
    j["position_embedding_type"] = "absolute";
    j["problem_type"] = "single_label_classification";
    nlohmann::ordered_json id2label = nlohmann::ordered_json::object(), label2id = nlohmann::ordered_json::object();
    for (size_t i = 0; i < labelNames.size(); ++i) {
        id2label[std::to_string(i)] = labelNames[i];
        label2id[labelNames[i]] = i;
    }
    j["id2label"] = id2label;
    j["label2id"] = label2id;
    nlohmann::ordered_json pruned = nlohmann::ordered_json::object();
    for (const auto& [layer, heads] : prunedHeads) pruned[std::to_string(layer)] = heads;
    j["pruned_heads"] = pruned;
    if (!intermediateSizes.empty()) j["tpq_intermediate_sizes"] = intermediateSizes;
    return j.dump(2) + "\n";
}

namespace {

std::vector<std::string> readLabelNames(const nlohmann::json& j, const std::string& source) {
    std::vector<std::string> names;
    if (j.contains("id2label")) {
        const auto& map = j["id2label"];
        if (!map.is_object()) throw Error(source + ": \"id2label\" must be an object {\"0\": \"name\", ...}");
        if (int64_t(map.size()) > kMaxLabels)
            throw Error(source + ": \"id2label\" has " + std::to_string(map.size()) + " labels, at most " +
                        std::to_string(kMaxLabels));
        names.assign(map.size(), "");
        std::vector<bool> seen(map.size(), false);
        for (auto it = map.begin(); it != map.end(); ++it) {
            const int64_t idx = jsonIndexKey(it.key(), "id2label", source);
            if (idx >= int64_t(names.size()) || seen[size_t(idx)])
                throw Error(source + ": id2label key \"" + it.key() + "\" is out of range: the keys must be 0 to " +
                            std::to_string(map.size() - 1));
            if (!it.value().is_string())
                throw Error(source + ": id2label[\"" + it.key() + "\"] must be a string, got " +
                            jsonTypeName(it.value()));
            names[size_t(idx)] = it.value().get<std::string>();
            seen[size_t(idx)] = true;
        }
    }
    if (j.contains("num_labels")) {
        const int64_t n = jsonInteger(j, "num_labels", source);
        if (n < 2 || n > kMaxLabels)
            throw Error(source + ": \"num_labels\" must be in [2, " + std::to_string(kMaxLabels) + "], got " +
                        std::to_string(n));
        if (!names.empty() && int64_t(names.size()) != n)
            throw Error(source + ": \"num_labels\" is " + std::to_string(n) + " but id2label names " +
                        std::to_string(names.size()) + " labels");
        if (names.empty())
            for (int64_t i = 0; i < n; ++i) names.push_back(std::to_string(i));
    }
    return names;
}

}  // namespace

BertConfig BertConfig::fromJson(const std::string& text, const std::string& source) {
    const nlohmann::json j = parseJsonObject(text, source);
    BertConfig c;
    if (j.contains("model_type") && j["model_type"] != "bert") {
        throw Error(source + ": model_type is " + j["model_type"].dump() + ", expected \"bert\"");
    }
    c.vocabSize = jsonInteger(j, "vocab_size", source);
    c.hiddenSize = jsonInteger(j, "hidden_size", source);
    c.numHiddenLayers = jsonInteger(j, "num_hidden_layers", source);
    c.numAttentionHeads = jsonInteger(j, "num_attention_heads", source);
    c.intermediateSize = jsonInteger(j, "intermediate_size", source);
    c.maxPositionEmbeddings = jsonInteger(j, "max_position_embeddings", source, c.maxPositionEmbeddings);
    c.typeVocabSize = jsonInteger(j, "type_vocab_size", source, c.typeVocabSize);
    if (j.contains("pad_token_id") && !j["pad_token_id"].is_null())
        c.padTokenId = jsonInteger(j, "pad_token_id", source);
    c.hiddenDropoutProb = jsonNumber(j, "hidden_dropout_prob", source, c.hiddenDropoutProb);
    c.attentionProbsDropoutProb = jsonNumber(j, "attention_probs_dropout_prob", source, c.attentionProbsDropoutProb);
    c.layerNormEps = jsonNumber(j, "layer_norm_eps", source, c.layerNormEps);
    c.hiddenAct = jsonString(j, "hidden_act", source, c.hiddenAct);
    if (auto names = readLabelNames(j, source); !names.empty()) c.labelNames = std::move(names);
    c.prunedHeads = jsonIndexedLists(j, "pruned_heads", source);
    if (j.contains("tpq_intermediate_sizes"))
        c.intermediateSizes = jsonIntegerList(j, "tpq_intermediate_sizes", source);
    const auto problems = c.validate();
    if (!problems.empty()) throw Error(source + ": " + join(problems, "; "));
    return c;
}

// ---- modules ---------------------------------------------------------------------------

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& c) {
    word_embeddings = register_module("word_embeddings", torch::nn::Embedding(c.vocabSize, c.hiddenSize));
    position_embeddings =
        register_module("position_embeddings", torch::nn::Embedding(c.maxPositionEmbeddings, c.hiddenSize));
    token_type_embeddings =
        register_module("token_type_embeddings", torch::nn::Embedding(c.typeVocabSize, c.hiddenSize));
    LayerNorm = register_module("LayerNorm", makeLayerNorm(c.hiddenSize, c.layerNormEps));
    dropout = register_module("dropout", torch::nn::Dropout(c.hiddenDropoutProb));
    torch::NoGradGuard g;
    for (auto* e : {&word_embeddings, &position_embeddings, &token_type_embeddings}) (*e)->weight.normal_(0.0, 0.02);
    if (c.padTokenId >= 0 && c.padTokenId < c.vocabSize) word_embeddings->weight[c.padTokenId].zero_();
}

at::Tensor BertEmbeddingsImpl::forward(const at::Tensor& inputIds) {
    const int64_t length = inputIds.size(1);
    if (length > position_embeddings->weight.size(0)) {
        throw Error("sequence of " + std::to_string(length) + " tokens is longer than the model's " +
                    std::to_string(position_embeddings->weight.size(0)) +
                    " positions (max_position_embeddings); lower data.max_length");
    }
    checkTokenIds(inputIds, word_embeddings->weight.size(0));
    const auto positions = torch::arange(length, inputIds.options()).unsqueeze(0);
    const std::string prefix = "bert.embeddings.";
    const auto typeZero = torch::zeros({1, 1}, inputIds.options());  // token type 0 everywhere
    auto x = embeddingLookup(word_embeddings, int8Tables, prefix + "word_embeddings.weight", inputIds) +
             embeddingLookup(position_embeddings, int8Tables, prefix + "position_embeddings.weight", positions) +
             embeddingLookup(token_type_embeddings, int8Tables, prefix + "token_type_embeddings.weight", typeZero);
    return dropout(LayerNorm(x));
}

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& c, int64_t h) : heads(h), headSize(c.headSize()) {
    query = register_module("query", makeLinear(c.hiddenSize, heads * headSize));
    key = register_module("key", makeLinear(c.hiddenSize, heads * headSize));
    value = register_module("value", makeLinear(c.hiddenSize, heads * headSize));
    for (auto* l : {&query, &key, &value}) initLinear(*l);
}

BertDenseOutputImpl::BertDenseOutputImpl(int64_t in, int64_t out, const BertConfig& c) {
    dense = register_module("dense", makeLinear(in, out));
    LayerNorm = register_module("LayerNorm", makeLayerNorm(out, c.layerNormEps));
    dropout = register_module("dropout", torch::nn::Dropout(c.hiddenDropoutProb));
    initLinear(dense);
}

at::Tensor BertDenseOutputImpl::forward(const at::Tensor& hidden, const at::Tensor& residual) {
    return addAndNormalize(runLinear(dense, denseKernel, hidden), residual);
}

at::Tensor BertDenseOutputImpl::addAndNormalize(const at::Tensor& y, const at::Tensor& residual) {
    // Inference: the residual add and the layer norm in one pass (kernels/layer_norm.h).
    if (!is_training() && !at::GradMode::is_enabled() && y.scalar_type() == at::kFloat &&
        residual.scalar_type() == at::kFloat && kernels::addLayerNormAvailable())
        return kernels::addLayerNorm(y, residual, LayerNorm->weight, LayerNorm->bias, LayerNorm->options.eps());
    return LayerNorm(dropout(y) + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& c, int64_t heads) {
    self = register_module("self", BertSelfAttention(c, heads));
    output = register_module("output", BertDenseOutput(heads * c.headSize(), c.hiddenSize, c));
}

BertIntermediateImpl::BertIntermediateImpl(int64_t hidden, int64_t intermediate) {
    dense = register_module("dense", makeLinear(hidden, intermediate));
    initLinear(dense);
}

BertLayerImpl::BertLayerImpl(const BertConfig& c, int64_t heads, int64_t inter)
    : attentionDropout(c.attentionProbsDropoutProb) {
    attention = register_module("attention", BertAttention(c, heads));
    intermediate = register_module("intermediate", BertIntermediate(c.hiddenSize, inter));
    output = register_module("output", BertDenseOutput(inter, c.hiddenSize, c));
}

at::Tensor BertLayerImpl::forward(const at::Tensor& hidden, const at::Tensor& additiveMask) {
    auto& self = attention->self;
    const auto qkv = runLinears(
        {{&self->query, &self->queryKernel}, {&self->key, &self->keyKernel}, {&self->value, &self->valueKernel}},
        hidden);
    const auto context = multiHeadAttention(qkv[0], qkv[1], qkv[2], additiveMask, self->heads, self->headSize,
                                            attentionDropout, is_training(), headMask,
                                            int8Attention(self->queryKernel, self->keyKernel, self->valueKernel));
    const auto attended = attention->output(context, hidden);
    // Inference on a sparse int8 feed-forward pair: both products in one pass.
    if (!ffnMask.defined() && intermediate->denseKernel && output->denseKernel) {
        const at::Tensor y = intermediate->denseKernel->forwardGeluThen(*output->denseKernel, attended);
        if (y.defined()) return output->addAndNormalize(y, attended);
    }
    auto inner = runLinearGelu(intermediate->dense, intermediate->denseKernel, attended);
    if (ffnMask.defined()) inner = inner * ffnMask.to(inner.scalar_type());
    return output(inner, attended);
}

void BertLayerImpl::keepHeads(const std::vector<int64_t>& kept) {
    auto& self = *attention->self;
    if (self.queryKernel || self.keyKernel || self.valueKernel || attention->output->denseKernel)
        throw Error("cannot prune heads of a quantized layer; prune first");
    const at::Tensor rows = headRows(kept, self.headSize);
    self.query = torch::nn::Linear(self.replace_module("query", selectLinear(self.query, rows, 0)));
    self.key = torch::nn::Linear(self.replace_module("key", selectLinear(self.key, rows, 0)));
    self.value = torch::nn::Linear(self.replace_module("value", selectLinear(self.value, rows, 0)));
    auto& out = *attention->output;
    out.dense = torch::nn::Linear(out.replace_module("dense", selectLinear(out.dense, rows, 1)));
    self.heads = int64_t(kept.size());
    headMask = at::Tensor();
}

void BertLayerImpl::keepNeurons(const at::Tensor& keep) {
    if (intermediate->denseKernel || output->denseKernel)
        throw Error("cannot prune neurons of a quantized layer; prune first");
    auto& in = *intermediate;
    in.dense = torch::nn::Linear(in.replace_module("dense", selectLinear(in.dense, keep, 0)));
    auto& out = *output;
    out.dense = torch::nn::Linear(out.replace_module("dense", selectLinear(out.dense, keep, 1)));
    ffnMask = at::Tensor();
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& c) {
    layer = register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.numHiddenLayers; ++i)
        layer->push_back(BertLayer(c, c.headsInLayer(i), c.intermediateInLayer(i)));
}

BertPoolerImpl::BertPoolerImpl(int64_t hidden) {
    dense = register_module("dense", torch::nn::Linear(hidden, hidden));
    initLinear(dense);
}

BertCoreImpl::BertCoreImpl(const BertConfig& c) {
    embeddings = register_module("embeddings", BertEmbeddings(c));
    encoder = register_module("encoder", BertEncoder(c));
    pooler = register_module("pooler", BertPooler(c.hiddenSize));
}

BertModel::BertModel(BertConfig config) : m_config(std::move(config)) {
    const auto problems = m_config.validate();
    if (!problems.empty()) throw Error("invalid BERT config: " + join(problems, "; "));
    m_bert = register_module("bert", BertCore(m_config));
    m_bert->embeddings->int8Tables = &int8Embeddings();
    m_dropout = register_module("dropout", torch::nn::Dropout(m_config.hiddenDropoutProb));
    m_classifier = register_module("classifier", torch::nn::Linear(m_config.hiddenSize, m_config.numLabels()));
    initLinear(m_classifier);
}

at::Tensor BertModel::forward(const at::Tensor& inputIds, const at::Tensor& attentionMask) {
    auto hidden = m_bert->embeddings(inputIds);
    const auto mask = additiveAttentionMask(attentionMask, hidden.scalar_type());
    for (const auto& layer : *m_bert->encoder->layer) {
        throwIfCancelled();
        hidden = layer->as<BertLayer>()->forward(hidden, mask);
    }
    auto& pooler = *m_bert->pooler;
    const auto pooled = torch::tanh(runLinear(pooler.dense, pooler.denseKernel, hidden.select(1, 0)));
    return runLinear(m_classifier, m_classifierKernel, m_dropout(pooled));
}

std::vector<NamedLinear> BertModel::linearLayers() {
    std::vector<NamedLinear> out;
    int64_t i = 0;
    for (const auto& module : *m_bert->encoder->layer) {
        auto layer = module->as<BertLayer>();
        const std::string p = "bert.encoder.layer." + std::to_string(i++) + ".";
        auto& self = *layer->attention->self;
        out.push_back({p + "attention.self.query", self.query, &self.queryKernel});
        out.push_back({p + "attention.self.key", self.key, &self.keyKernel});
        out.push_back({p + "attention.self.value", self.value, &self.valueKernel});
        auto& attnOut = *layer->attention->output;
        out.push_back({p + "attention.output.dense", attnOut.dense, &attnOut.denseKernel});
        out.push_back({p + "intermediate.dense", layer->intermediate->dense, &layer->intermediate->denseKernel});
        out.push_back({p + "output.dense", layer->output->dense, &layer->output->denseKernel});
    }
    out.push_back({"bert.pooler.dense", m_bert->pooler->dense, &m_bert->pooler->denseKernel});
    out.push_back({"classifier", m_classifier, &m_classifierKernel});
    return out;
}

BertLayerImpl& BertModel::layer(int64_t index) {
    const auto& layers = *m_bert->encoder->layer;
    checkLayerIndex(index, layers.size());
    return *layers[size_t(index)]->as<BertLayer>();
}

std::vector<int64_t> BertModel::presentHeads(int64_t index) const {
    return tpq::presentHeads(m_config.prunedHeads, index, m_config.numAttentionHeads);
}

void BertModel::setHeadMask(int64_t index, const at::Tensor& mask) {
    auto& l = layer(index);
    checkMaskSize(mask, l.attention->self->heads, index, "head mask", "heads");
    l.headMask = mask;
}

void BertModel::setFfnMask(int64_t index, const at::Tensor& mask) {
    auto& l = layer(index);
    checkMaskSize(mask, l.intermediate->dense->weight.size(0), index, "feed-forward mask", "neurons");
    l.ffnMask = mask;
}

void BertModel::pruneHeads(int64_t index, const std::vector<int64_t>& heads) {
    auto& l = layer(index);
    if (heads.empty()) return;
    auto pruned = m_config.prunedHeads;
    const auto kept = recordHeadRemoval(pruned, index, m_config.numAttentionHeads, heads);
    l.keepHeads(kept);
    m_config.prunedHeads = std::move(pruned);
}

void BertModel::pruneFfn(int64_t index, const std::vector<int64_t>& keep) {
    auto& l = layer(index);
    const at::Tensor idx = neuronIndex(keep, l.intermediate->dense->weight.size(0), index);
    l.keepNeurons(idx);
    recordWidth(m_config.intermediateSizes, m_config.numHiddenLayers, m_config.intermediateSize, index,
                int64_t(keep.size()));
}

std::vector<int64_t> BertModel::headsPerLayer() const {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < m_config.numHiddenLayers; ++i) out.push_back(m_config.headsInLayer(i));
    return out;
}

std::vector<int64_t> BertModel::ffnWidths() const {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < m_config.numHiddenLayers; ++i) out.push_back(m_config.intermediateInLayer(i));
    return out;
}

}  // namespace tpq
