#include "io/weights_check.h"

#include <torch/torch.h>

#include "util/error.h"

namespace tpq {
namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

/// What a config.json says, in the terms the checks need.
struct Sizes {
    int64_t vocab = 0, width = 0, positions = 0, layers = 0, labels = 0, parameters = 0;
    const char *vocabKey, *widthKey, *layersKey, *labelsKey;
    std::string embedding, positionTable, layerPrefix;  // tensor names ("" = none to check)
};

Sizes sizesOf(const ArchitectureConfig& config) {
    if (const auto* c = std::get_if<BertConfig>(&config))
        return {c->vocabSize,
                c->hiddenSize,
                c->maxPositionEmbeddings,
                c->numHiddenLayers,
                c->numLabels(),
                c->parameterCount(),
                "vocab_size",
                "hidden_size",
                "num_hidden_layers",
                "id2label / num_labels",
                "bert.embeddings.word_embeddings.weight",
                "bert.embeddings.position_embeddings.weight",
                "bert.encoder.layer."};
    const auto& c = std::get<TransformerConfig>(config);
    return {c.vocabSize,        c.dModel,     0,         c.numLayers,  c.numClasses(),
            c.parameterCount(), "vocab_size", "d_model", "num_layers", "label_names",
            "embedding.weight", "",           "layers."};
}

/// The shape of `name`, also under the names Hugging Face checkpoints use (no "bert." prefix).
const std::vector<int64_t>* find(const Shapes& shapes, const std::string& name) {
    auto it = shapes.find(name);
    if (it == shapes.end() && name.rfind("bert.", 0) == 0) it = shapes.find(name.substr(5));
    return it == shapes.end() ? nullptr : &it->second;
}

/// 1 + the largest N of "<prefix>N." among the names (with or without "bert.").
int64_t layerCount(const Shapes& shapes, const std::string& prefix) {
    const std::string bare = prefix.rfind("bert.", 0) == 0 ? prefix.substr(5) : prefix;
    int64_t count = 0;
    for (const auto& [name, shape] : shapes) {
        for (const std::string& p : {prefix, bare}) {
            if (name.rfind(p, 0) != 0) continue;
            const size_t dot = name.find('.', p.size());
            const std::string index = name.substr(p.size(), dot - p.size());
            if (!index.empty() && index.size() < 6 && index.find_first_not_of("0123456789") == std::string::npos)
                count = std::max<int64_t>(count, std::stoll(index) + 1);
            break;
        }
    }
    return count;
}

std::string dims(const std::vector<int64_t>& shape) {
    return c10::str(c10::IntArrayRef(shape));
}

}  // namespace

Shapes providedShapes(const std::vector<NamedTensor>& tensors, const QuantizedParts& parts) {
    Shapes out;
    for (const auto& t : tensors) out[t.name] = t.tensor.sizes().vec();
    for (const auto& layer : parts.layers) {
        for (const auto& [suffix, stored] : layer.stored) {
            if (suffix != "q" || stored.dim() != 2) continue;
            std::vector<int64_t> shape = stored.sizes().vec();
            if (layer.layout.precision == Precision::Int4) shape[1] *= 2;  // two weights per byte
            out[layer.name + ".weight"] = shape;
        }
    }
    for (const auto& [name, table] : parts.tables) out[name] = table.values.sizes().vec();
    return out;
}

void checkConfigAgainstWeights(const ArchitectureConfig& config, const std::string& configPath, const Shapes& shapes,
                               const std::string& weightsFile, bool headMayBeMissing) {
    const Sizes s = sizesOf(config);
    const std::string mismatch =
        "; config.json and the weights do not belong together: restore the folder's "
        "config.json or save the model again";
    auto expect = [&](bool ok, const std::string& what) {
        if (!ok) throw Error(configPath + ": " + what + mismatch);
    };
    if (const auto* e = find(shapes, s.embedding)) {
        expect(e->size() == 2 && (*e)[0] == s.vocab, std::string(s.vocabKey) + " is " + std::to_string(s.vocab) +
                                                         " but " + weightsFile + "'s " + s.embedding + " has shape " +
                                                         dims(*e));
        expect((*e)[1] == s.width, std::string(s.widthKey) + " is " + std::to_string(s.width) + " but " + weightsFile +
                                       "'s " + s.embedding + " has shape " + dims(*e));
    }
    if (!s.positionTable.empty())
        if (const auto* p = find(shapes, s.positionTable))
            expect(p->size() == 2 && (*p)[0] == s.positions, "max_position_embeddings is " +
                                                                 std::to_string(s.positions) + " but " + weightsFile +
                                                                 "'s " + s.positionTable + " has shape " + dims(*p));
    const int64_t layers = layerCount(shapes, s.layerPrefix);
    expect(layers == 0 || layers == s.layers, std::string(s.layersKey) + " is " + std::to_string(s.layers) + " but " +
                                                  weightsFile + " holds " + std::to_string(layers) + " layers");
    if (const auto* c = find(shapes, "classifier.weight"))
        expect(c->size() == 2 && (*c)[0] == s.labels,
               std::string(s.labelsKey) + " names " + std::to_string(s.labels) + " labels but " + weightsFile +
                   "'s classifier.weight has shape " + dims(*c) + " (one row per label)");
    // A backstop for sizes no tensor above shows (intermediate widths, heads): the model may
    // not be much larger than the file (beyond a missing classifier head), so building it
    // never allocates far beyond the weights. Smaller differences are the missing weights
    // the load then names.
    int64_t provided = 0;
    for (const auto& [name, shape] : shapes) {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        provided += n;
    }
    const int64_t head = headMayBeMissing ? s.width * s.labels + s.labels + s.width * s.width + s.width : 0;
    expect(s.parameters <= 2 * provided + head + (int64_t(1) << 24),
           "the config describes a model of " + std::to_string(s.parameters) + " parameters but " + weightsFile +
               " holds only " + std::to_string(provided) + " values");
}

void checkFiniteWeights(const std::vector<NamedTensor>& tensors, const QuantizedParts& parts,
                        const std::string& source) {
    auto check = [&](const at::Tensor& t, const std::string& name) {
        if (!t.defined() || !t.is_floating_point() || t.numel() == 0) return;
        if (torch::isfinite(t).all().item<bool>()) return;
        const at::Tensor bad = (~torch::isfinite(t)).reshape({-1}).nonzero();
        const int64_t at = bad.numel() ? bad[0][0].item<int64_t>() : 0;
        throw Error(source + ": tensor '" + name + "' holds NaN or infinite values (" + std::to_string(bad.numel()) +
                    " of " + std::to_string(t.numel()) + ", the first at flat index " + std::to_string(at) +
                    "); the weights are damaged: train or save the model again");
    };
    for (const auto& t : tensors) check(t.tensor, t.name);
    for (const auto& layer : parts.layers)
        for (const auto& [suffix, stored] : layer.stored) check(stored, layer.name + ".weight.__" + suffix);
    for (const auto& [name, table] : parts.tables) check(table.scales, name + ".__scale");
}

std::string listNames(const std::vector<std::string>& names, size_t shown) {
    std::string out;
    for (size_t i = 0; i < names.size() && i < shown; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
    return out;
}

}  // namespace tpq
