// BertModel and TransformerModel: Hugging Face parameter names, preset sizes, output
// shapes, padding invariance; the DataLoader's batches.

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include "data/data_loader.h"
#include "io/model_folder.h"
#include "models/attention.h"
#include "models/bert_model.h"
#include "models/state_dict.h"
#include "models/transformer_model.h"
#include "test_support.h"
#include "text/wordpiece_tokenizer.h"
#include "util/file_io.h"
#include "util/strings.h"

using namespace tpq;
using tpqtest::expectError;

namespace {

BertConfig tinyBert() {
    BertConfig c = BertConfig::preset("bert-tiny", 3);
    c.vocabSize = 200;
    c.maxPositionEmbeddings = 64;
    return c;
}

TransformerConfig tinyTransformer(const std::string& pooling) {
    TransformerConfig c;
    c.vocabSize = 200;
    c.dModel = 32;
    c.numHeads = 4;
    c.numLayers = 2;
    c.dFf = 64;
    c.maxLen = 64;
    c.pooling = pooling;
    c.labelNames = {"a", "b", "c"};
    return c;
}

// Max |logit change| when `extra` padding tokens are appended to every row.
double paddingEffect(Classifier& model) {
    model.eval();
    torch::NoGradGuard g;
    const auto ids = torch::tensor({{101, 5, 6, 7, 102}, {101, 8, 9, 102, 0}}, torch::kInt64);
    const auto mask = torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}}, torch::kInt64);
    const auto base = model.forward(ids, mask);
    const auto paddedIds = torch::cat({ids, torch::zeros({2, 7}, torch::kInt64)}, 1);
    const auto paddedMask = torch::cat({mask, torch::zeros({2, 7}, torch::kInt64)}, 1);
    const auto padded = model.forward(paddedIds, paddedMask);
    return (base - padded).abs().max().item<double>();
}

}  // namespace

class TestModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void bertParameterNamesFollowHuggingFace() {
        BertModel model(tinyBert());
        std::set<std::string> names;
        for (const auto& p : model.named_parameters()) names.insert(p.key());
        for (const char* n :
             {"bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
              "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight",
              "bert.embeddings.LayerNorm.bias", "bert.encoder.layer.0.attention.self.query.weight",
              "bert.encoder.layer.0.attention.self.key.bias", "bert.encoder.layer.1.attention.self.value.weight",
              "bert.encoder.layer.0.attention.output.dense.weight",
              "bert.encoder.layer.0.attention.output.LayerNorm.bias", "bert.encoder.layer.1.intermediate.dense.weight",
              "bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.1.output.LayerNorm.weight",
              "bert.pooler.dense.weight", "classifier.weight", "classifier.bias"}) {
            QVERIFY2(names.count(n), n);
        }
        // 5 embedding tensors + 16 per layer x 2 + pooler 2 + classifier 2.
        QCOMPARE(names.size(), size_t(5 + 16 * 2 + 2 + 2));
    }

    void presetSizes() {
        // BertForSequenceClassification(bert-base-uncased, 2 labels) has 109,483,778 parameters.
        QCOMPARE(BertModel(BertConfig::preset("bert-base-uncased")).numParameters(), int64_t(109483778));
        // bert-mini: 4 layers, hidden 256, 4 heads; 11,171,074 with a 2-label head.
        QCOMPARE(BertModel(BertConfig::preset("bert-mini")).numParameters(), int64_t(11171074));
        const auto tiny = BertConfig::preset("bert-tiny");
        QCOMPARE(tiny.numHiddenLayers, int64_t(2));
        QCOMPARE(tiny.intermediateSize, int64_t(512));
        expectError([] { BertConfig::preset("bert-mimi"); },
                    {"unknown BERT preset 'bert-mimi'", "did you mean 'bert-mini'"});
    }

    void forwardShapesAndStructure() {
        BertModel bert(tinyBert());
        bert.eval();
        const auto ids = torch::randint(1, 100, {4, 10}, torch::kInt64);
        const auto mask = torch::ones({4, 10}, torch::kInt64);
        QCOMPARE(bert.forward(ids, mask).sizes().vec(), (std::vector<int64_t>{4, 3}));
        QCOMPARE(bert.headsPerLayer(), (std::vector<int64_t>{2, 2}));
        QCOMPARE(bert.ffnWidths(), (std::vector<int64_t>{512, 512}));
        QCOMPARE(bert.linearLayers().size(), size_t(6 * 2 + 2));
        TransformerModel tr(tinyTransformer("cls"));
        tr.eval();
        QCOMPARE(tr.forward(ids, mask).sizes().vec(), (std::vector<int64_t>{4, 3}));
        QCOMPARE(tr.linearLayers().size(), size_t(6 * 2 + 1));
        QCOMPARE(tr.headsPerLayer(), (std::vector<int64_t>{4, 4}));
        const auto tooLong = torch::ones({1, 65}, torch::kInt64);
        expectError([&] { bert.forward(tooLong, tooLong); }, {"65 tokens", "max_position_embeddings"});
        const auto outside = torch::tensor({{101, 250, 102}}, torch::kInt64);
        expectError([&] { bert.forward(outside, torch::ones_like(outside)); },
                    {"token id 250", "vocab_size 200", "tokenizer does not match"});
        expectError([&] { tr.forward(outside, torch::ones_like(outside)); }, {"token id 250", "vocab_size 200"});
    }

    void paddingDoesNotChangeLogits() {
        BertModel bert(tinyBert());
        QVERIFY2(paddingEffect(bert) <= 1e-5, std::to_string(paddingEffect(bert)).c_str());
        TransformerModel cls(tinyTransformer("cls"));
        QVERIFY(paddingEffect(cls) <= 1e-5);
        TransformerModel mean(tinyTransformer("mean"));
        QVERIFY(paddingEffect(mean) <= 1e-5);
        TransformerModel maxPool(tinyTransformer("max"));
        QVERIFY(paddingEffect(maxPool) <= 1e-5);
    }

    // Inference (no gradients) spreads (batch, head) pairs over threads with single-threaded
    // BLAS; it must give what the batched autograd path gives, padding included.
    void inferenceAttentionMatchesBatchedPath() {
        torch::manual_seed(3);
        const int64_t batch = 3, length = 9, heads = 5, headSize = 8;
        const auto q = torch::randn({batch, length, heads * headSize});
        const auto k = torch::randn({batch, length, heads * headSize});
        const auto v = torch::randn({batch, length, heads * headSize});
        auto mask = torch::ones({batch, length}, torch::kInt64);
        mask.index_put_({1, torch::indexing::Slice(6)}, 0);
        mask.index_put_({2, torch::indexing::Slice(2)}, 0);
        const auto additive = additiveAttentionMask(mask, torch::kFloat);
        const auto batched = multiHeadAttention(q, k, v, additive, heads, headSize, 0.0, false, at::Tensor());
        at::Tensor parallel;
        {
            torch::NoGradGuard g;
            parallel = multiHeadAttention(q, k, v, additive, heads, headSize, 0.0, false, at::Tensor());
        }
        QCOMPARE(parallel.sizes(), batched.sizes());
        const double diff = (parallel - batched).abs().max().item<double>();
        QVERIFY2(diff < 1e-5, std::to_string(diff).c_str());
        QVERIFY(batched.abs().sum().item<double>() > 1.0);  // a real output, not zeros
    }

    void prunedHeadsShrinkLayers() {
        BertConfig c = tinyBert();
        c.prunedHeads[1] = {0};
        c.intermediateSizes = {512, 100};
        BertModel model(c);
        QCOMPARE(model.headsPerLayer(), (std::vector<int64_t>{2, 1}));
        QCOMPARE(model.ffnWidths(), (std::vector<int64_t>{512, 100}));
        model.eval();
        const auto ids = torch::randint(1, 100, {2, 6}, torch::kInt64);
        QCOMPARE(model.forward(ids, torch::ones_like(ids)).size(1), int64_t(3));
        // The config round-trips through Hugging Face JSON, pruned heads included.
        const BertConfig back = BertConfig::fromJson(c.toJson(), "config.json");
        QCOMPARE(back.prunedHeads.at(1), (std::vector<int64_t>{0}));
        QCOMPARE(back.intermediateSizes, c.intermediateSizes);
        QCOMPARE(back.labelNames, c.labelNames);
        const TransformerConfig t = TransformerConfig::fromJson(tinyTransformer("mean").toJson(), "t.json");
        TPQ_COMPARE_STR(t.pooling, "mean");
        QCOMPARE(t.numClasses(), int64_t(3));
    }

    void configErrors() {
        expectError([] { BertConfig::fromJson("{\"model_type\": \"bert\"}", "cfg/config.json"); },
                    {"cfg/config.json: missing key \"vocab_size\""});
        expectError([] { BertConfig::fromJson("{\"model_type\": \"gpt2\"}", "c.json"); }, {"expected \"bert\""});
        BertConfig bad = tinyBert();
        bad.numAttentionHeads = 3;
        expectError([&] { BertModel m(bad); }, {"divisible by num_attention_heads (3)"});
    }

    // tests/data/tiny_bert was written by make_reference.py (PyTorch, float64 forward pass
    // written independently); both weight files must give its logits within 1e-4.
    void tinyBertMatchesPyTorchReference() {
        const std::string dir = tpqtest::dataPath("tiny_bert");
        const BertConfig config = BertConfig::fromJson(readFile(dir + "/config.json"), dir + "/config.json");
        QCOMPARE(config.labelNames, (std::vector<std::string>{"negative", "neutral", "positive"}));
        const auto ref = nlohmann::json::parse(readFile(dir + "/reference.json"));
        auto toTensor = [](const nlohmann::json& rows, at::ScalarType type) {
            std::vector<at::Tensor> out;
            for (const auto& r : rows) out.push_back(torch::tensor(r.get<std::vector<double>>()).to(type));
            return torch::stack(out);
        };
        const auto ids = toTensor(ref["input_ids"], torch::kInt64);
        const auto mask = toTensor(ref["attention_mask"], torch::kInt64);
        const auto expected = toTensor(ref["logits"], torch::kFloat32);
        for (const char* file : {"model.safetensors", "pytorch_model.bin"}) {
            torch::manual_seed(99);  // different from the reference's weights
            BertModel model(config);
            model.eval();
            const std::string path = dir + "/" + file;
            const auto tensors =
                std::string(file) == "model.safetensors" ? loadSafetensors(path) : loadPytorchBin(path);
            const StateDictReport report = loadStateDict(model, tensors, path);
            QVERIFY2(report.missing.empty(),
                     (std::string(file) + " missing " + tpq::join(report.missing, ",")).c_str());
            QVERIFY(report.unexpected.empty());
            QCOMPARE(report.loaded, size_t(5 + 16 * 2 + 2 + 2));
            torch::NoGradGuard g;
            const double diff = (model.forward(ids, mask) - expected).abs().max().item<double>();
            QVERIFY2(diff <= 1e-4, (std::string(file) + ": max |logit diff| = " + std::to_string(diff)).c_str());
        }
    }

    void stateDictErrorsAndReports() {
        BertModel model(tinyBert());
        std::vector<NamedTensor> tensors = {{"classifier.weight", torch::zeros({5, 5})}};
        expectError(
            [&] { loadStateDict(model, tensors, "w.safetensors"); },
            {"w.safetensors: tensor 'classifier.weight' has shape [5, 5]", "[3, 128]", "config.json does not match"});
        tensors = {{"classifier.bias", torch::ones({3})},
                   {"cls.predictions.bias", torch::ones({3})},
                   {"embeddings.LayerNorm.gamma", torch::full({128}, 2.0)}};
        const auto report = loadStateDict(model, tensors, "w");
        QCOMPARE(report.loaded, size_t(2));
        QCOMPARE(report.unexpected, (std::vector<std::string>{"cls.predictions.bias"}));
        QCOMPARE(report.missing.size(), size_t(5 + 16 * 2 + 2 + 2 - 2));
        QCOMPARE(model.named_parameters()["bert.embeddings.LayerNorm.weight"][0].item<float>(), 2.0f);
        QTemporaryDir dir;
        const std::string notDict = tpqtest::writeFile(dir, "bad.bin", "not a pickle at all");
        expectError([&] { loadPytorchBin(notDict); }, {"bad.bin could not be read as a torch.save() file"});
    }

    void modelFolderRoundTripIsBitExact() {
        QTemporaryDir dir;
        const WordPieceTokenizer tok = WordPieceTokenizer::fromFile(tpqtest::dataPath("tiny_bert/vocab.txt"));
        const auto ids = torch::tensor({{101, 110, 111, 102, 0}}, torch::kInt64);
        const auto mask = torch::tensor({{1, 1, 1, 1, 0}}, torch::kInt64);
        BertConfig bc = BertConfig::fromJson(readFile(tpqtest::dataPath("tiny_bert/config.json")), "config.json");
        bc.prunedHeads[0] = {1};  // a pruned shape must survive the round trip too
        std::vector<std::shared_ptr<Classifier>> models = {std::make_shared<BertModel>(bc),
                                                           std::make_shared<TransformerModel>(tinyTransformer("mean"))};
        for (auto& model : models) {
            const std::string folder = dir.path().toStdString() + "/" + model->architecture();
            saveModelFolder(folder, *model, tok,
                            ModelInfo::fromJson("{\"label_names\": [\"a\", \"b\", \"c\"]}\n", "test"));
            saveModelFolder(folder, *model, tok, ModelInfo{});  // overwriting an existing folder works
            LoadedModel loaded = loadModelFolder(folder);
            QVERIFY(loaded.report.missing.empty() && loaded.report.unexpected.empty());
            const auto a = model->named_parameters(), b = loaded.model->named_parameters();
            QCOMPARE(a.size(), b.size());
            for (const auto& p : a) QVERIFY2(torch::equal(p.value(), b[p.key()]), p.key().c_str());
            model->eval();
            loaded.model->eval();
            torch::NoGradGuard g;
            QVERIFY(torch::equal(model->forward(ids, mask), loaded.model->forward(ids, mask)));
            QCOMPARE(loaded.model->headsPerLayer(), model->headsPerLayer());
            QCOMPARE(loaded.tokenizer->vocabSize(), tok.vocabSize());
        }
        QVERIFY(!QFile::exists(dir.path() + "/bert.tmp-" + QString::number(::getpid())));
    }

    void modelFolderErrors() {
        QTemporaryDir dir;
        expectError([] { loadModelFolder("/no/such/model"); }, {"model folder not found: /no/such/model"});
        const std::string empty = dir.path().toStdString();
        expectError([&] { loadModelFolder(empty); }, {"has no config.json", "model.safetensors or pytorch_model.bin"});
        tpqtest::writeFile(dir, "config.json", readFile(tpqtest::dataPath("tiny_bert/config.json")));
        expectError([&] { loadModelFolder(empty); }, {"has no weights", "model.safetensors or pytorch_model.bin"});
        // A truncated weights file is reported, not loaded.
        const std::string weights = readFile(tpqtest::dataPath("tiny_bert/model.safetensors"));
        tpqtest::writeFile(dir, "model.safetensors", weights.substr(0, weights.size() - 100));
        expectError([&] { loadModelFolder(empty); }, {"model.safetensors", "truncated"});
    }

    void dataLoaderBatchesWithDynamicPadding() {
        DataLoader loader({{101, 5, 102}, {101, 6, 7, 8, 102}, {101, 102}}, {0, 1, 0}, 0, 2, false, 1);
        QCOMPARE(loader.numBatches(), size_t(2));
        const Batch b0 = loader.batch(0);
        QCOMPARE(b0.inputIds.sizes().vec(), (std::vector<int64_t>{2, 5}));
        QVERIFY(torch::equal(b0.inputIds[0], torch::tensor({101, 5, 102, 0, 0}, torch::kInt64)));
        QVERIFY(torch::equal(b0.attentionMask[0], torch::tensor({1, 1, 1, 0, 0}, torch::kInt64)));
        QVERIFY(torch::equal(b0.labels, torch::tensor({0, 1}, torch::kInt64)));
        const Batch b1 = loader.batch(1);
        QCOMPARE(b1.inputIds.sizes().vec(), (std::vector<int64_t>{1, 2}));
        expectError([&] { loader.batch(2); }, {"out of range"});
    }

    void dataLoaderShufflesPerEpochDeterministically() {
        std::vector<std::vector<int64_t>> seqs;
        std::vector<int64_t> labels;
        for (int64_t i = 0; i < 50; ++i) {
            seqs.push_back({101, i + 1, 102});
            labels.push_back(i % 2);
        }
        DataLoader a(seqs, labels, 0, 10, true, 7), b(seqs, labels, 0, 10, true, 7);
        a.setEpoch(3);
        b.setEpoch(3);
        QVERIFY(torch::equal(a.batch(0).inputIds, b.batch(0).inputIds));
        b.setEpoch(4);
        QVERIFY(!torch::equal(a.batch(0).inputIds, b.batch(0).inputIds));
        std::set<size_t> seen;
        for (size_t k = 0; k < a.numBatches(); ++k) {
            for (size_t i : a.batch(k).indices) seen.insert(i);
        }
        QCOMPARE(seen.size(), size_t(50));
    }

    void dataLoaderGroupsByLength() {
        // 103 examples of lengths 3..12 in a repeating pattern, batches of 4: a random
        // batch almost always spans many lengths; grouped batches span at most two.
        std::vector<std::vector<int64_t>> seqs;
        std::vector<int64_t> labels;
        for (int64_t i = 0; i < 103; ++i) {
            seqs.emplace_back(size_t(3 + i % 10), i + 1);
            labels.push_back(i % 2);
        }
        DataLoader plain(seqs, labels, 0, 4, true, 7), grouped(seqs, labels, 0, 4, true, 7),
            again(seqs, labels, 0, 4, true, 7);
        grouped.setGroupByLength(true);
        again.setGroupByLength(true);
        int64_t plainPadding = 0, groupedPadding = 0;
        for (size_t epoch = 1; epoch <= 2; ++epoch) {
            plain.setEpoch(epoch);
            grouped.setEpoch(epoch);
            again.setEpoch(epoch);
            std::set<size_t> seen;
            for (size_t k = 0; k < grouped.numBatches(); ++k) {
                const Batch g = grouped.batch(k);
                const Batch p = plain.batch(k);
                QVERIFY(torch::equal(g.inputIds, again.batch(k).inputIds));  // deterministic
                QCOMPARE(g.labels.size(0), k + 1 < grouped.numBatches() ? int64_t(4) : int64_t(3));
                groupedPadding += (1 - g.attentionMask).sum().item<int64_t>();
                plainPadding += (1 - p.attentionMask).sum().item<int64_t>();
                for (size_t r = 0; r < g.indices.size(); ++r) {
                    QCOMPARE(g.labels[int64_t(r)].item<int64_t>(), labels[g.indices[r]]);
                    seen.insert(g.indices[r]);
                }
            }
            QCOMPARE(seen.size(), size_t(103));  // every example exactly once per epoch
        }
        QVERIFY2(groupedPadding * 5 < plainPadding,
                 (std::to_string(groupedPadding) + " vs " + std::to_string(plainPadding)).c_str());
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "test_models.moc"
