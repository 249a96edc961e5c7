#pragma once
// Small seeded models shared by the tests: a 2-layer custom Transformer (vocabulary 50,
// width 16, 2 heads, feed-forward 32, 16 positions, mean pooling) and bert-tiny (2 layers,
// hidden 128, 2 heads, feed-forward 512) with a small vocabulary. Tests change the config
// where they need another shape.

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "data/data_loader.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "text/wordpiece_tokenizer.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace tpqtest {

inline tpq::TransformerConfig tinyTransformerConfig() {
    tpq::TransformerConfig c;
    c.vocabSize = 50;
    c.dModel = 16;
    c.numHeads = 2;
    c.numLayers = 2;
    c.dFf = 32;
    c.maxLen = 16;
    c.pooling = "mean";
    return c;
}

/// Seeds torch with `seed`, then builds the model, so equal seeds give equal weights.
inline std::shared_ptr<tpq::TransformerModel> tinyTransformer(
    uint64_t seed, const tpq::TransformerConfig& c = tinyTransformerConfig()) {
    torch::manual_seed(seed);
    return std::make_shared<tpq::TransformerModel>(c);
}

inline std::shared_ptr<tpq::BertModel> tinyBert(uint64_t seed, int64_t vocabSize = 120, int64_t maxPositions = 32) {
    torch::manual_seed(seed);
    tpq::BertConfig c = tpq::BertConfig::preset("bert-tiny", 2);
    c.vocabSize = vocabSize;
    c.maxPositionEmbeddings = maxPositions;
    return std::make_shared<tpq::BertModel>(c);
}

/// tests/data/tiny_bert/vocab.txt without its [unused] tokens, cut to the rows of `model`'s embedding table, so a saved
/// folder's vocabulary fits its model (a longer one is refused on loading).
inline tpq::WordPieceTokenizer tokenizerFor(tpq::Classifier& model) {
    const std::string text = tpq::readFile(std::string(TPQ_TEST_DATA) + "/tiny_bert/vocab.txt");
    std::vector<std::string> tokens;
    for (const auto& line : tpq::split(text, '\n'))
        if (!line.empty() && line.rfind("[unused", 0) != 0) tokens.push_back(line);  // specials first
    const auto tables = model.embeddingTables();
    if (!tables.empty() && int64_t(tokens.size()) > tables.front().second.size(0))
        tokens.resize(size_t(tables.front().second.size(0)));
    return tpq::WordPieceTokenizer(tpq::Vocabulary(tokens));
}

/// The model's logits for each batch of `data`, in eval mode without gradients.
inline std::vector<at::Tensor> logitsPerBatch(tpq::Classifier& model, const tpq::DataLoader& data) {
    torch::NoGradGuard g;
    model.eval();
    std::vector<at::Tensor> out;
    for (size_t b = 0; b < data.numBatches(); ++b) {
        const tpq::Batch batch = data.batch(b);
        out.push_back(model.forward(batch.inputIds, batch.attentionMask));
    }
    return out;
}

/// max |a - ref| / max |ref|.
inline double relativeError(const at::Tensor& a, const at::Tensor& ref) {
    return (a - ref).abs().max().item<double>() / ref.abs().max().item<double>();
}

}  // namespace tpqtest
