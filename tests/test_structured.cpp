// StructuredPruning: the physically smaller model gives the masked full-size model's
// logits (Transformer and BERT), parameter counts drop by exactly the removed rows and
// columns, folders reload (pruned_heads with original indices), importance scores find
// dead heads and neurons, and bad requests get clear errors.

#include <QTemporaryDir>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "io/model_folder.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "prune/structured_pruning.h"
#include "test_support.h"
#include "text/wordpiece_tokenizer.h"
#include "tiny_models.h"
#include "token_seven_task.h"
#include "util/file_io.h"

using namespace tpq;
using tpqtest::expectError;

namespace {

// The shared tiny Transformer with 4 heads of size 4.
std::shared_ptr<TransformerModel> makeTransformer(uint64_t seed) {
    TransformerConfig c = tpqtest::tinyTransformerConfig();
    c.numHeads = 4;
    return tpqtest::tinyTransformer(seed, c);
}

using tpqtest::tinyBert;  // 2 layers, hidden 128, 2 heads, ffn 512

// Biases are zero after initialization; random ones make the comparison meaningful.
void randomizeBiases(Classifier& model) {
    torch::NoGradGuard g;
    for (auto& p : model.named_parameters()) {
        if (p.key().find("bias") != std::string::npos) p.value().normal_(0.0, 0.1);
    }
}

at::Tensor logitsOn(Classifier& model, const DataLoader& data) {
    return torch::cat(tpqtest::logitsPerBatch(model, data));
}

double maxDiff(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

// Exact parameter change for removing `heads` heads and `neurons` neurons in a model
// of width `hidden` with head size `headSize`.
int64_t expectedRemoved(int64_t heads, int64_t neurons, int64_t hidden, int64_t headSize) {
    const int64_t perHead = 3 * (hidden * headSize + headSize) + hidden * headSize;  // q/k/v rows + bias, out columns
    const int64_t perNeuron = hidden + 1 + hidden;                                   // in row + bias, out column
    return heads * perHead + neurons * perNeuron;
}

void checkSmallerMatchesMasked(Classifier& model, const StructuredPruningOptions& options, int64_t hidden,
                               int64_t headSize) {
    randomizeBiases(model);
    const DataLoader data = tpqtest::tokenSevenTask(21, 40, false);
    const DataLoader calibration = tpqtest::tokenSevenTask(22, 32, true);
    StructuredPruning pruner(model, options);
    const StructuredPlan plan = pruner.plan(&calibration);
    pruner.applyAsMasks(plan);
    const at::Tensor masked = logitsOn(model, data);
    pruner.clearMasks();
    const at::Tensor full = logitsOn(model, data);
    QVERIFY(maxDiff(full, masked) > 1e-4);  // the masks do change the model

    const int64_t before = model.numParameters();
    const StructuredPruningReport report = pruner.apply(plan);
    const at::Tensor smaller = logitsOn(model, data);
    QVERIFY2(maxDiff(masked, smaller) <= 1e-5, std::to_string(maxDiff(masked, smaller)).c_str());
    QCOMPARE(report.headsRemoved, int64_t(options.numHeadsToPrune));
    QCOMPARE(report.parametersBefore, before);
    QCOMPARE(report.parametersAfter, model.numParameters());
    QCOMPARE(before - model.numParameters(),
             expectedRemoved(report.headsRemoved, report.neuronsRemoved, hidden, headSize));
}

}  // namespace

class TestStructured : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void smallerTransformerMatchesTheMaskedModel() {
        for (const std::string criterion : {"importance", "magnitude"}) {
            auto model = makeTransformer(1);
            StructuredPruningOptions o;
            o.numHeadsToPrune = 4;  // of 8, at most 3 from a layer
            o.headCriterion = *parseStructuredCriterion(criterion);
            o.ffnSparsity = 0.3;
            o.ffnCriterion = *parseStructuredCriterion(criterion);
            checkSmallerMatchesMasked(*model, o, 16, 4);
            QCOMPARE(model->ffnWidths(), (std::vector<int64_t>{22, 22}));  // 32 - round(9.6)
            const auto heads = model->headsPerLayer();
            QCOMPARE(heads[0] + heads[1], int64_t(4));
            QVERIFY(heads[0] >= 1 && heads[1] >= 1);
        }
    }

    void smallerBertMatchesTheMaskedModel() {
        for (const std::string criterion : {"importance", "magnitude"}) {
            auto model = tinyBert(2);
            StructuredPruningOptions o;
            o.numHeadsToPrune = 2;  // one from each layer: each keeps one
            o.headCriterion = *parseStructuredCriterion(criterion);
            o.ffnSparsity = 0.5;
            o.ffnCriterion = *parseStructuredCriterion(criterion);
            checkSmallerMatchesMasked(*model, o, 128, 64);
            QCOMPARE(model->headsPerLayer(), (std::vector<int64_t>{1, 1}));
            QCOMPARE(model->ffnWidths(), (std::vector<int64_t>{256, 256}));
        }
    }

    void prunedFoldersReloadWithTheSameLogits() {
        QTemporaryDir dir;
        const DataLoader data = tpqtest::tokenSevenTask(23, 24, false);
        for (int arch = 0; arch < 2; ++arch) {
            ClassifierPtr model = arch == 0 ? ClassifierPtr(makeTransformer(3)) : ClassifierPtr(tinyBert(3));
            const WordPieceTokenizer tok = tpqtest::tokenizerFor(*model);
            randomizeBiases(*model);
            const std::string fullDir = dir.path().toStdString() + "/full" + std::to_string(arch);
            const std::string prunedDir = dir.path().toStdString() + "/pruned" + std::to_string(arch);
            saveModelFolder(fullDir, *model, tok, ModelInfo{});
            StructuredPruningOptions o;
            o.numHeadsToPrune = 1;
            o.headCriterion = StructuredCriterion::Magnitude;
            o.ffnSparsity = 0.25;
            o.ffnCriterion = StructuredCriterion::Magnitude;
            StructuredPruning pruner(*model, o);
            const StructuredPruningReport report = pruner.apply(pruner.plan(nullptr));
            const int64_t removed = report.parametersBefore - report.parametersAfter;
            QVERIFY(removed > 0);
            saveModelFolder(prunedDir, *model, tok, ModelInfo{});
            const at::Tensor expected = logitsOn(*model, data);

            LoadedModel loaded = loadModelFolder(prunedDir);
            QVERIFY(loaded.report.missing.empty() && loaded.report.unexpected.empty());
            QVERIFY(torch::equal(logitsOn(*loaded.model, data), expected));
            QCOMPARE(loaded.model->headsPerLayer(), model->headsPerLayer());
            QCOMPARE(loaded.model->ffnWidths(), model->ffnWidths());
            // The file shrinks by 4 bytes per removed float32 (the header barely changes).
            const auto fullBytes = int64_t(std::filesystem::file_size(fullDir + "/model.safetensors"));
            const auto prunedBytes = int64_t(std::filesystem::file_size(prunedDir + "/model.safetensors"));
            QVERIFY2(
                std::abs((fullBytes - prunedBytes) - 4 * removed) < 256,
                (std::to_string(fullBytes) + " - " + std::to_string(prunedBytes) + " vs 4 x " + std::to_string(removed))
                    .c_str());
            const auto config = nlohmann::json::parse(readFile(prunedDir + "/config.json"));
            QCOMPARE(config["pruned_heads"].size(), size_t(1));
        }
    }

    void headIndicesStayOriginalAcrossRepeatedPruning() {
        auto model = tinyBert(4);
        model->pruneHeads(0, {0});
        QCOMPARE(model->presentHeads(0), (std::vector<int64_t>{1}));
        auto t = makeTransformer(4);
        t->pruneHeads(1, {0});
        t->pruneHeads(1, {1});  // current position 1 = original head 2
        QCOMPARE(t->presentHeads(1), (std::vector<int64_t>{1, 3}));
        QCOMPARE(t->config().prunedHeads.at(1), (std::vector<int64_t>{0, 2}));
        const auto json = nlohmann::json::parse(t->configJson());
        QCOMPARE(json["pruned_heads"]["1"].get<std::vector<int64_t>>(), (std::vector<int64_t>{0, 2}));
        // Hugging Face's config: BERT records original indices the same way.
        QCOMPARE(nlohmann::json::parse(model->configJson())["pruned_heads"]["0"].get<std::vector<int64_t>>(),
                 (std::vector<int64_t>{0}));
    }

    void importanceFindsDeadHeadsAndNeurons() {
        // Head 2 of layer 1 and neuron 5 of layer 0 contribute nothing: every criterion
        // must score them 0 and remove them first.
        for (const std::string criterion : {"importance", "magnitude"}) {
            auto model = makeTransformer(5);
            {
                torch::NoGradGuard g;
                auto linears = model->linearLayers();
                for (int slot = 0; slot < 3; ++slot) linears[6 + slot].linear->weight.narrow(0, 8, 4).zero_();
                for (int slot = 0; slot < 3; ++slot) linears[6 + slot].linear->bias.narrow(0, 8, 4).zero_();
                linears[6 + 3].linear->weight.narrow(1, 8, 4).zero_();
                linears[4].linear->weight[5].zero_();
                linears[4].linear->bias[5] = 0.0;
                linears[5].linear->weight.select(1, 5).zero_();
            }
            StructuredPruningOptions o;
            o.numHeadsToPrune = 1;
            o.headCriterion = *parseStructuredCriterion(criterion);
            o.ffnSparsity = 1.0 / 32.0;  // one neuron per layer
            o.ffnCriterion = *parseStructuredCriterion(criterion);
            const DataLoader calibration = tpqtest::tokenSevenTask(24, 32, true);
            StructuredPruning pruner(*model, o);
            const StructuredPlan plan = pruner.plan(&calibration);
            QCOMPARE(plan.headImportance[1][2], 0.0);
            QCOMPARE(plan.heads.size(), size_t(1));
            QCOMPARE(plan.heads.at(1), (std::vector<int64_t>{2}));
            QCOMPARE(plan.ffnImportance[0][5], 0.0);
            const auto& keep0 = plan.keepNeurons.at(0);
            QCOMPARE(keep0.size(), size_t(31));
            QVERIFY(std::find(keep0.begin(), keep0.end(), 5) == keep0.end());
            const StructuredPruningReport r = pruner.apply(plan);
            QCOMPARE(r.headsKept[1], (std::vector<bool>{true, true, false, true}));
            QCOMPARE(r.headImportance[1][2], 0.0);
            QCOMPARE(r.ffnKept, (std::vector<int64_t>{31, 31}));
        }
    }

    void everyHeadOfALayerWhenAllowed() {
        auto model = makeTransformer(6);
        randomizeBiases(*model);
        StructuredPruningOptions o;
        o.keepOneHeadPerLayer = false;
        StructuredPruning pruner(*model, o);
        const StructuredPlan plan = pruner.planHeads({{0, {0, 1, 2, 3}}});
        const DataLoader data = tpqtest::tokenSevenTask(25, 16, false);
        pruner.applyAsMasks(plan);
        const at::Tensor masked = logitsOn(*model, data);
        pruner.clearMasks();
        pruner.apply(plan);
        QCOMPARE(model->headsPerLayer(), (std::vector<int64_t>{0, 4}));
        QVERIFY(maxDiff(masked, logitsOn(*model, data)) <= 1e-5);
        QTemporaryDir dir;
        const WordPieceTokenizer tok = tpqtest::tokenizerFor(*model);
        saveModelFolder(dir.path().toStdString() + "/m", *model, tok, ModelInfo{});
        QVERIFY(torch::equal(logitsOn(*loadModelFolder(dir.path().toStdString() + "/m").model, data),
                             logitsOn(*model, data)));
    }

    void errorsNameTheProblem() {
        auto model = makeTransformer(7);  // 2 layers x 4 heads
        StructuredPruningOptions o;
        o.numHeadsToPrune = 9;
        expectError([&] { StructuredPruning p(*model, o); }, {"cannot prune 9 heads", "only 8"});
        o.numHeadsToPrune = 7;
        expectError([&] { StructuredPruning p(*model, o); },
                    {"every head of a layer", "at most 6", "keep_one_head_per_layer"});
        o.numHeadsToPrune = 0;
        StructuredPruning pruner(*model, o);
        expectError([&] { pruner.planHeads({{1, {0, 1, 2, 3}}}); }, {"every head of layer 1"});
        expectError([&] { pruner.planHeads({{1, {4}}}); }, {"head 4 of layer 1", "4 heads"});
        expectError([&] { pruner.planHeads({{2, {0}}}); }, {"layer 2", "2 layers"});
        expectError([&] { pruner.planHeads({{0, {1, 1}}}); }, {"listed twice"});
        o.ffnSparsity = 1.0;
        expectError([&] { StructuredPruning p(*model, o); }, {"intermediate_sparsity must be in [0, 1)", "1.0000"});
        o.ffnSparsity = 0.3;
        QVERIFY(!parseStructuredCriterion("taylor"));  // the config's names, read once
        o.ffnCriterion = StructuredCriterion::Importance;
        StructuredPruning needsData(*model, o);
        expectError([&] { needsData.plan(nullptr); }, {"needs calibration data"});
        expectError([&] { model->setHeadMask(0, torch::ones({3})); }, {"3 entries", "4 heads"});
        expectError([&] { model->pruneFfn(0, {3, 1}); }, {"ascending"});
    }
};

QTEST_GUILESS_MAIN(TestStructured)
#include "test_structured.moc"
