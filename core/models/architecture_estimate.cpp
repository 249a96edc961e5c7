#include "models/architecture_estimate.h"

#include <algorithm>

#include "models/bert_presets.h"
#include "models/precision.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {

namespace {

int64_t linear(int64_t in, int64_t out) {
    return in * out + out;
}

}  // namespace

int64_t estimateParameters(const ModelConfig& m, int64_t vocabSize) {
    const int64_t labels = m.numLabels;
    if (m.name == "transformer") {
        const int64_t d = m.dModel, f = m.dFf;
        const int64_t layer =
            4 * linear(d, d) + linear(d, f) + linear(f, d) + 2 * 2 * d;  // q,k,v,out; FFN; 2 LayerNorms
        return vocabSize * d + m.numLayers * layer + linear(d, labels);  // positions are sinusoidal, not parameters
    }
    const BertPreset* preset = findBertPreset(m.name);
    if (!preset) throw Error("unknown model '" + m.name + "'");
    const int64_t h = preset->hidden, inter = 4 * preset->hidden, layers = preset->layers;
    const int64_t embeddings = (vocabSize + 512 + 2) * h + 2 * h;  // words, positions, token types, LayerNorm
    const int64_t layer = 4 * linear(h, h) + 2 * h + linear(h, inter) + linear(inter, h) + 2 * h;
    return embeddings + layers * layer + linear(h, h) + linear(h, labels);  // pooler, classifier
}

bool isEmbeddingTable(const std::string& name) {
    return name.find("embedding") != std::string::npos;
}

namespace {

/// "<layer>" of a 2-D "<layer>.weight", else "".
std::string weightLayer(const TensorShape& t) {
    const std::string suffix = ".weight";
    if (t.shape.size() != 2 || !endsWith(t.name, suffix) || t.name.size() == suffix.size()) return {};
    return t.name.substr(0, t.name.size() - suffix.size());
}

}  // namespace

std::vector<std::string> linearLayerNames(const std::vector<TensorShape>& shapes) {
    std::vector<std::string> out;
    for (const auto& t : shapes) {
        const std::string layer = weightLayer(t);
        if (!layer.empty() && !isEmbeddingTable(t.name)) out.push_back(layer);
    }
    return out;
}

int64_t estimatePlanBytes(const std::vector<TensorShape>& shapes, const std::map<std::string, std::string>& plan,
                          int int4GroupSize, bool int8Embeddings) {
    int64_t total = 0;
    for (const auto& t : shapes) {
        const int64_t n = t.numel();
        int64_t bytes = n * safetensorsDtypeSize(t.dtype);
        const std::string layer = weightLayer(t);
        const auto it = layer.empty() ? plan.end() : plan.find(layer);
        if (it != plan.end()) {
            switch (parsePrecision(it->second).value_or(Precision::Fp32)) {  // an unknown name: as stored
                case Precision::Int8:
                    bytes = n + t.shape[0] * 4;
                    break;
                case Precision::Int4:
                    bytes = n / 2 + (n / std::max(1, int4GroupSize)) * 4;
                    break;
                case Precision::Bf16:
                case Precision::Fp16:
                    bytes = n * 2;
                    break;
                case Precision::Fp32:
                    break;
            }
        } else if (!layer.empty() && isEmbeddingTable(t.name) && int8Embeddings) {
            bytes = n + t.shape[0] * 2;
        }
        total += bytes;
    }
    return total;
}

}  // namespace tpq
