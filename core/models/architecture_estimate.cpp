#include "models/architecture_estimate.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace tpq {

namespace {

int64_t linear(int64_t in, int64_t out) { return in * out + out; }

}  // namespace

int64_t estimateParameters(const ModelConfig& m, int64_t vocabSize) {
    const int64_t labels = m.numLabels;
    if (m.name == "transformer") {
        const int64_t d = m.dModel, f = m.dFf;
        const int64_t layer = 4 * linear(d, d) + linear(d, f) + linear(f, d) + 2 * 2 * d;  // q,k,v,out; FFN; 2 LayerNorms
        return vocabSize * d + m.numLayers * layer + linear(d, labels);  // positions are sinusoidal, not parameters
    }
    int64_t layers = 0, hidden = 0;
    if (m.name == "bert-base-uncased") layers = 12, hidden = 768;
    else if (m.name == "bert-medium") layers = 8, hidden = 512;
    else if (m.name == "bert-small") layers = 4, hidden = 512;
    else if (m.name == "bert-mini") layers = 4, hidden = 256;
    else if (m.name == "bert-tiny") layers = 2, hidden = 128;
    else throw Error("unknown model '" + m.name + "'");
    const int64_t h = hidden, inter = 4 * hidden;
    const int64_t embeddings = (vocabSize + 512 + 2) * h + 2 * h;  // words, positions, token types, LayerNorm
    const int64_t layer = 4 * linear(h, h) + 2 * h + linear(h, inter) + linear(inter, h) + 2 * h;
    return embeddings + layers * layer + linear(h, h) + linear(h, labels);  // pooler, classifier
}

int64_t TensorShape::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::vector<TensorShape> readSafetensorsShapes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the weights file");
    unsigned char lengthBytes[8];
    if (!in.read(reinterpret_cast<char*>(lengthBytes), 8)) throw Error(path + ": too short for a safetensors file");
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | lengthBytes[i];
    if (length == 0 || length > (uint64_t(100) << 20)) throw Error(path + ": not a safetensors file (header length " + std::to_string(length) + ")");
    std::string header(length, '\0');
    if (!in.read(header.data(), std::streamsize(length))) throw Error(path + ": the header is truncated");
    std::vector<TensorShape> out;
    try {
        const auto j = nlohmann::json::parse(header);
        for (const auto& [name, value] : j.items()) {
            if (name == "__metadata__") continue;
            TensorShape t;
            t.name = name;
            t.dtype = value.at("dtype").get<std::string>();
            t.shape = value.at("shape").get<std::vector<int64_t>>();
            out.push_back(std::move(t));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": the safetensors header is not valid (" + std::string(e.what()) + ")");
    }
    return out;
}

int64_t estimatePlanBytes(const std::vector<TensorShape>& shapes, const std::map<std::string, std::string>& plan,
                          int int4GroupSize, bool int8Embeddings) {
    int64_t total = 0;
    for (const auto& t : shapes) {
        const int64_t n = t.numel();
        int64_t bytes = n * (t.dtype == "F16" || t.dtype == "BF16" ? 2 : t.dtype == "I8" || t.dtype == "U8" ? 1 : 4);
        const std::string suffix = ".weight";
        if (t.shape.size() == 2 && t.name.size() > suffix.size() &&
            t.name.compare(t.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            const std::string layer = t.name.substr(0, t.name.size() - suffix.size());
            const auto it = plan.find(layer);
            const bool embedding = t.name.find("embeddings") != std::string::npos || t.name == "embedding.weight";
            if (it != plan.end()) {
                const std::string& p = it->second;
                if (p == "int8") bytes = n + t.shape[0] * 4;
                else if (p == "int4") bytes = n / 2 + (n / std::max(1, int4GroupSize)) * 4;
                else if (p == "bf16" || p == "fp16") bytes = n * 2;
            } else if (embedding && int8Embeddings) {
                bytes = n + t.shape[0] * 2;
            }
        }
        total += bytes;
    }
    return total;
}

}  // namespace tpq
