// UnstructuredPruning: exact sparsity in scope (global and per layer, magnitude and
// random), magnitude order, excluded layers untouched, masks that survive fine-tuning and
// a save/load round trip, pruning that accumulates, and the error messages.

#include <QTemporaryDir>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "io/model_folder.h"
#include "io/sparse_storage.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "prune/progressive_pruning.h"
#include "prune/unstructured_pruning.h"
#include "test_support.h"
#include "text/wordpiece_tokenizer.h"
#include "tiny_models.h"
#include "token_seven_task.h"
#include "train/evaluator.h"
#include "train/sparsity.h"
#include "train/trainer.h"

using namespace tpq;
using tpqtest::expectError;
using tpqtest::tinyBert;
using tpqtest::tinyTransformer;

namespace {

at::Tensor weightOf(Classifier& model, const std::string& layer) {
    for (const auto& l : model.linearLayers()) {
        if (l.name == layer) return l.linear->weight;
    }
    throw std::runtime_error("no layer " + layer);
}

}  // namespace

class TestPrune : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void globalMagnitudeHitsTheTargetExactly() {
        for (double s : {0.1, 0.3, 0.5, 0.7, 0.9}) {
            auto model = tinyBert(1);
            const at::Tensor classifierBefore = weightOf(*model, "classifier").clone();
            UnstructuredPruning pruner(*model);
            const PruningStats stats = pruner.applyPruning(s);
            QVERIFY2(std::abs(stats.sparsity - s) <= 0.005, std::to_string(stats.sparsity).c_str());
            QCOMPARE(stats.targetSparsity, s);
            QCOMPARE(pruner.sparsity(), stats.sparsity);
            // The scope: encoder layers only; classifier and pooler untouched.
            for (const auto& name : pruner.layerNames()) QVERIFY(name.find("encoder") != std::string::npos);
            QCOMPARE(pruner.layerNames().size(), size_t(2 * 6));
            QVERIFY(torch::equal(weightOf(*model, "classifier"), classifierBefore));
            QCOMPARE(weightOf(*model, "bert.pooler.dense").eq(0).sum().item<int64_t>(), int64_t(0));
        }
    }

    void magnitudeKeepsTheLargestWeights() {
        auto model = tinyTransformer(2);
        std::vector<at::Tensor> before;
        for (const auto& l : model->linearLayers()) before.push_back(l.linear->weight.detach().clone());
        UnstructuredPruning pruner(*model);
        pruner.applyPruning(0.6);
        double maxPruned = 0, minKept = 1e9;
        const auto layers = model->linearLayers();
        for (size_t i = 0; i + 1 < layers.size(); ++i) {  // the last one is the classifier (excluded)
            const at::Tensor pruned = layers[i].linear->weight.eq(0);
            const at::Tensor mag = before[i].abs();
            if (pruned.any().item<bool>())
                maxPruned = std::max(maxPruned, mag.masked_select(pruned).max().item<double>());
            if (pruned.logical_not().any().item<bool>())
                minKept = std::min(minKept, mag.masked_select(pruned.logical_not()).min().item<double>());
        }
        QVERIFY2(maxPruned <= minKept, (std::to_string(maxPruned) + " > " + std::to_string(minKept)).c_str());
    }

    void perLayerPrunesEveryLayerEqually() {
        auto model = tinyTransformer(3);
        UnstructuredPruning pruner(*model);
        const PruningStats stats = pruner.applyPruning(0.5, /*global=*/false);
        QCOMPARE(stats.perLayer.size(), size_t(2 * 6));
        for (const auto& [name, s] : stats.perLayer) QVERIFY2(std::abs(s - 0.5) <= 0.01, name.c_str());
    }

    void randomCriterionIsExactAndReproducible() {
        UnstructuredPruningOptions o;
        o.criterion = UnstructuredCriterion::Random;
        o.seed = 5;
        auto a = tinyTransformer(4), b = tinyTransformer(4), m = tinyTransformer(4);
        UnstructuredPruning pa(*a, o), pb(*b, o), pm(*m);
        QVERIFY(std::abs(pa.applyPruning(0.4).sparsity - 0.4) <= 0.005);
        pb.applyPruning(0.4);
        pm.applyPruning(0.4);
        const at::Tensor wa = weightOf(*a, "layers.0.linear1"), wb = weightOf(*b, "layers.0.linear1");
        QVERIFY(torch::equal(wa, wb));                                             // same seed, same weights pruned
        QVERIFY(!torch::equal(wa.eq(0), weightOf(*m, "layers.0.linear1").eq(0)));  // not the magnitude choice
    }

    void pruningAccumulates() {
        auto model = tinyTransformer(5);
        UnstructuredPruning pruner(*model);
        pruner.applyPruning(0.3);
        const at::Tensor first = weightOf(*model, "layers.1.q_proj").eq(0).clone();
        QVERIFY(std::abs(pruner.applyPruning(0.6).sparsity - 0.6) <= 0.005);
        const at::Tensor second = weightOf(*model, "layers.1.q_proj").eq(0);
        QVERIFY(second.logical_or(first.logical_not()).all().item<bool>());  // pruned stays pruned
        // Asking for less than what is pruned removes nothing more and restores nothing.
        QVERIFY(std::abs(pruner.applyPruning(0.2).sparsity - 0.6) <= 0.005);
    }

    void masksSurviveFineTuningAndSaving() {
        auto model = tinyTransformer(6);
        UnstructuredPruning pruner(*model);
        const PruningStats pruned = pruner.applyPruning(0.5);
        const at::Tensor zerosBefore = weightOf(*model, "layers.0.linear2").eq(0).clone();
        const at::Tensor keptBefore = weightOf(*model, "layers.0.linear2").clone();

        DataLoader train = tpqtest::tokenSevenTask(11, 64, true), val = tpqtest::tokenSevenTask(12, 16, true);
        TrainerOptions o;
        o.epochs = 1;
        o.learningRate = 5e-3;
        Trainer trainer(*model, o);
        int steps = 0;
        trainer.setAfterOptimizerStep([&] {
            pruner.applyMasks();
            ++steps;
        });
        trainer.train(train, val, nullptr, nullptr, nullptr);
        QCOMPARE(steps, 8);
        QCOMPARE(pruner.sparsity(), pruned.sparsity);  // unchanged after a fine-tuning epoch
        QVERIFY(torch::equal(weightOf(*model, "layers.0.linear2").eq(0), zerosBefore));
        QVERIFY(!torch::equal(weightOf(*model, "layers.0.linear2"), keptBefore));  // the rest did train

        // The saved weights hold the same zeros.
        QTemporaryDir dir;
        const WordPieceTokenizer tok = tpqtest::tokenizerFor(*model);
        const std::string folder = dir.path().toStdString() + "/pruned";
        saveModelFolder(folder, *model, tok, ModelInfo{});
        LoadedModel loaded = loadModelFolder(folder);
        const SparsityStats s = calculateSparsity(*loaded.model);
        int64_t zeros = 0, total = 0;
        for (const auto& l : loaded.model->linearLayers()) {
            if (l.name == "classifier") continue;
            zeros += l.linear->weight.eq(0).sum().item<int64_t>();
            total += l.linear->weight.numel();
        }
        QCOMPARE(double(zeros) / double(total), pruned.sparsity);
        QVERIFY(s.overall > 0.45);
    }

    // Blocks of rows x cols go whole: every block of a pruned layer is all zero or all kept.
    static bool wholeBlocks(const at::Tensor& w, int rows, int cols) {
        const int64_t R = (w.size(0) + rows - 1) / rows, C = (w.size(1) + cols - 1) / cols;
        const std::vector<int64_t> pad = {0, C * cols - w.size(1), 0, R * rows - w.size(0)};
        const at::Tensor zero = w.eq(0).to(torch::kInt32);
        // The padding past the edges is neutral: 1 for "all zero", 0 for "any zero".
        const at::Tensor all = torch::constant_pad_nd(zero, pad, 1).view({R, rows, C, cols}).amin({1, 3});
        const at::Tensor any = torch::constant_pad_nd(zero, pad, 0).view({R, rows, C, cols}).amax({1, 3});
        return torch::equal(all, any);
    }

    void blocksArePrunedWhole_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<bool>("global");
        QTest::newRow("1x4 global") << 1 << 4 << true;
        QTest::newRow("1x4 per layer") << 1 << 4 << false;
        QTest::newRow("4x1") << 4 << 1 << true;
        QTest::newRow("16x1") << 16 << 1 << true;
        QTest::newRow("32x1 (taller than some layers)") << 32 << 1 << false;
    }

    void blocksArePrunedWhole() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(bool, global);
        // d_ff 30: linear2 has 30 inputs, so a 1x4 block at its edge holds 2 weights.
        TransformerConfig c = tpqtest::tinyTransformerConfig();
        c.dFf = 30;
        auto model = tinyTransformer(13, c);
        UnstructuredPruningOptions o;
        o.block = {rows, cols};
        o.global = global;
        UnstructuredPruning pruner(*model, o);
        const PruningStats s = pruner.applyPruning(0.7);
        // To the nearest whole block: within one block of the largest size per layer in scope.
        const double slack = double(rows * cols) * (global ? 1.0 : double(s.perLayer.size())) / double(s.total);
        QVERIFY2(std::abs(s.sparsity - 0.7) <= slack + 1e-12, qPrintable(QString::number(s.sparsity)));
        for (const auto& l : model->linearLayers()) {
            if (l.name == "classifier") continue;
            QVERIFY2(wholeBlocks(l.linear->weight, rows, cols), l.name.c_str());
        }
        if (!global)
            for (const auto& [layer, sparsity] : s.perLayer) QVERIFY(sparsity > 0.5 && sparsity < 0.9);
    }

    void blocksGoByTheirNorm() {
        // Per layer, every pruned 1x4 block has an L2 norm no larger than every kept one.
        auto model = tinyTransformer(14);
        const at::Tensor before = weightOf(*model, "layers.0.linear1").clone();
        UnstructuredPruningOptions o;
        o.block = {1, 4};
        o.global = false;
        UnstructuredPruning(*model, o).applyPruning(0.5);
        const at::Tensor after = weightOf(*model, "layers.0.linear1");
        const at::Tensor norms = before.view({before.size(0), -1, 4}).square().sum(2).sqrt();
        const at::Tensor pruned = after.view({after.size(0), -1, 4}).eq(0).all(2);
        QVERIFY(pruned.any().item<bool>() && !pruned.all().item<bool>());
        QVERIFY(norms.masked_select(pruned).max().item<float>() <=
                norms.masked_select(pruned.logical_not()).min().item<float>());
        // Random: the same block structure, a different choice.
        auto r = tinyTransformer(14);
        o.criterion = UnstructuredCriterion::Random;
        UnstructuredPruning(*r, o).applyPruning(0.5);
        QVERIFY(wholeBlocks(weightOf(*r, "layers.0.linear1"), 1, 4));
        QVERIFY(!torch::equal(weightOf(*r, "layers.0.linear1").eq(0), after.eq(0)));
    }

    void blockMasksSurviveFineTuning() {
        auto model = tinyTransformer(15);
        UnstructuredPruningOptions o;
        o.block = {1, 4};
        UnstructuredPruning pruner(*model, o);
        pruner.applyPruning(0.6);
        const at::Tensor zeros = weightOf(*model, "layers.1.linear2").eq(0).clone();
        DataLoader train = tpqtest::tokenSevenTask(11, 64, true), val = tpqtest::tokenSevenTask(12, 16, true);
        TrainerOptions t;
        t.epochs = 1;
        t.learningRate = 5e-3;
        Trainer trainer(*model, t);
        trainer.setAfterOptimizerStep([&] { pruner.applyMasks(); });
        trainer.train(train, val, nullptr, nullptr, nullptr);
        QVERIFY(torch::equal(weightOf(*model, "layers.1.linear2").eq(0), zeros));
        QVERIFY(wholeBlocks(weightOf(*model, "layers.1.linear2"), 1, 4));
    }

    void progressiveBlocksReachTheTarget() {
        auto model = tinyTransformer(16);
        DataLoader train = tpqtest::tokenSevenTask(21, 96, true), val = tpqtest::tokenSevenTask(22, 32, true);
        ProgressivePruningOptions o;
        o.finalSparsity = 0.75;
        o.numIterations = 3;
        o.fineTuneEpochs = 1;
        UnstructuredPruningOptions scope;
        scope.block = {1, 4};
        ProgressivePruning pruner(*model, o, scope);
        TrainerOptions t;
        t.learningRate = 5e-3;
        const ProgressiveResult r = pruner.apply(train, val, t);
        QCOMPARE(r.history.size(), size_t(3));
        QVERIFY(std::abs(r.sparsity - 0.75) <= 0.01);
        for (const auto& l : model->linearLayers())
            if (l.name != "classifier") QVERIFY2(wholeBlocks(l.linear->weight, 1, 4), l.name.c_str());
    }

    void progressiveSchedules() {
        auto model = tinyTransformer(8);
        ProgressivePruningOptions o;
        o.finalSparsity = 0.9;
        const auto cubic = ProgressivePruning(*model, o).pruningSchedule();  // 0.9 - 0.9 (1 - t/5)^3
        const std::vector<double> expected = {0.4392, 0.7056, 0.8424, 0.8928, 0.9};
        QCOMPARE(cubic.size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i) QVERIFY(std::abs(cubic[i] - expected[i]) < 1e-12);
        o.schedule = "linear";
        o.initialSparsity = 0.1;
        o.finalSparsity = 0.5;
        o.numIterations = 4;
        const auto linear = ProgressivePruning(*model, o).pruningSchedule();
        const std::vector<double> steps = {0.2, 0.3, 0.4, 0.5};
        for (size_t i = 0; i < steps.size(); ++i) QVERIFY(std::abs(linear[i] - steps[i]) < 1e-12);
    }

    void progressiveReachesTheTargetWithFineTuning() {
        auto model = tinyTransformer(9);
        DataLoader train = tpqtest::tokenSevenTask(21, 96, true), val = tpqtest::tokenSevenTask(22, 32, true);
        ProgressivePruningOptions o;
        o.finalSparsity = 0.8;
        o.numIterations = 3;
        o.fineTuneEpochs = 1;
        ProgressivePruning pruner(*model, o);
        TrainerOptions t;
        t.learningRate = 5e-3;
        int steps = 0;
        ProgressiveCallbacks callbacks;
        callbacks.step = [&](const ProgressiveStep&) { ++steps; };
        const ProgressiveResult r = pruner.apply(train, val, t, callbacks);
        QCOMPARE(steps, 3);
        QCOMPARE(r.history.size(), size_t(3));
        QCOMPARE(r.keptIteration, 3);
        QVERIFY(!r.stoppedByBudget);
        for (size_t i = 0; i < r.history.size(); ++i) {
            QVERIFY(std::abs(r.history[i].sparsity - pruner.pruningSchedule()[i]) <= 0.005);
        }
        QVERIFY(std::abs(r.sparsity - 0.8) <= 0.005);  // the zeros survived the last fine-tuning
        QCOMPARE(r.history.back().valAccuracy, Evaluator(*model).evaluate(val).accuracy);
    }

    void progressiveStopsAtTheBudgetAndKeepsTheLastGoodStep() {
        auto model = tinyTransformer(10);
        DataLoader train = tpqtest::tokenSevenTask(31, 128, true), val = tpqtest::tokenSevenTask(32, 64, true);
        TrainerOptions t;
        t.epochs = 6;
        t.learningRate = 5e-3;
        Trainer(*model, t).train(train, val, nullptr, nullptr, nullptr);  // learn the task first
        ProgressivePruningOptions o;
        o.initialSparsity = 0.0;
        o.finalSparsity = 0.99;
        o.numIterations = 3;
        o.schedule = "linear";  // 0.33, 0.66, 0.99
        o.fineTuneEpochs = 0;
        o.maxAccuracyDrop = 0.05;
        ProgressivePruning pruner(*model, o);
        const ProgressiveResult r = pruner.apply(train, val, t);
        QVERIFY2(r.baselineValAccuracy >= 0.9, std::to_string(r.baselineValAccuracy).c_str());
        QVERIFY(r.stoppedByBudget);
        QVERIFY(!r.history.back().withinBudget);
        QCOMPARE(r.keptIteration, int(r.history.size()) - 1);
        // The model holds the kept step's weights: its sparsity and accuracy.
        const double keptSparsity = r.keptIteration > 0 ? r.history[size_t(r.keptIteration - 1)].sparsity : 0.0;
        QVERIFY(std::abs(r.sparsity - keptSparsity) < 1e-9);
        const double keptAccuracy =
            r.keptIteration > 0 ? r.history[size_t(r.keptIteration - 1)].valAccuracy : r.baselineValAccuracy;
        QCOMPARE(Evaluator(*model).evaluate(val).accuracy, keptAccuracy);
    }

    void compactStorageOfANinetyPercentSparseModel() {
        TransformerConfig c = tpqtest::tinyTransformerConfig();
        c.vocabSize = 400;
        c.dModel = 32;
        c.dFf = 64;
        c.pooling = "cls";
        auto model = tinyTransformer(8, c);
        UnstructuredPruningOptions o;
        o.include = {"layers", "embedding"};  // the embedding table is most of this model
        UnstructuredPruning pruner(*model, o);
        QCOMPARE(pruner.layerNames().back(), std::string("embedding"));
        const PruningStats stats = pruner.applyPruning(0.9, /*global=*/false);  // every matrix 90% zero
        QVERIFY(std::abs(stats.sparsity - 0.9) < 1e-3);
        {
            torch::NoGradGuard g;  // a negative zero must come back as one: the round trip is bitwise
            auto w = weightOf(*model, "layers.1.linear1");
            const auto nz = w.view(-1).ne(0).nonzero().view(-1);
            w.view(-1)[nz[0].item<int64_t>()] = -0.0;
        }
        QTemporaryDir dir;
        const WordPieceTokenizer tok = tpqtest::tokenizerFor(*model);
        const std::string dense = dir.path().toStdString() + "/dense", compact = dir.path().toStdString() + "/compact";
        saveModelFolder(dense, *model, tok, ModelInfo{});
        ModelSaveOptions so;
        so.compactSparse = true;
        saveModelFolder(compact, *model, tok, ModelInfo::fromJson("{\"name\": \"x\"}\n", "test"), so);
        const double denseBytes = double(std::filesystem::file_size(dense + "/model.safetensors"));
        const double compactBytes = double(std::filesystem::file_size(compact + "/model.safetensors"));
        QVERIFY2(compactBytes <= 0.25 * denseBytes, (std::to_string(compactBytes / denseBytes)).c_str());
        LoadedModel loaded = loadModelFolder(compact);
        QVERIFY(loaded.report.missing.empty() && loaded.report.unexpected.empty());
        const auto original = model->named_parameters();
        for (const auto& p : loaded.model->named_parameters()) {
            const at::Tensor& a = p.value();
            const at::Tensor& b = original[p.key()];
            QVERIFY2(torch::equal(a.view(torch::kInt32), b.view(torch::kInt32)), p.key().c_str());
        }
        const auto& info = loaded.info;
        QCOMPARE(info.weightsStorage["format"].get<std::string>(), std::string(kSparseFormat));
        QCOMPARE(info.other["name"].get<std::string>(), std::string("x"));

        // A damaged file: a values tensor that does not match its bitmask.
        std::map<std::string, std::string> meta;
        auto tensors = compressSparseTensors({{"w", torch::zeros({40, 40})}}, meta);
        QCOMPARE(tensors.size(), size_t(2));
        tensors[1].tensor = torch::ones({3});
        expectError([&] { expandSparseTensors(tensors, meta, "m.safetensors"); },
                    {"m.safetensors: sparse tensor 'w'", "3 stored values", "marks 0"});
        tensors.pop_back();
        expectError([&] { expandSparseTensors(tensors, meta, "m.safetensors"); }, {"lacks its values"});
        meta["tpq_sparse_format"] = "tpq-bitmask-v9";
        expectError([&] { expandSparseTensors(tensors, meta, "m.safetensors"); },
                    {"'tpq-bitmask-v9' is not supported"});
    }

    void errorsNameTheProblem() {
        auto model = tinyTransformer(7);
        UnstructuredPruning pruner(*model);
        expectError([&] { pruner.applyPruning(1.0); }, {"sparsity must be in [0, 1), got 1.0000"});
        expectError([&] { pruner.applyPruning(-0.1); }, {"sparsity must be in [0, 1), got -0.1000"});
        UnstructuredPruningOptions o;
        o.exclude = {"classifier", "attention.self"};
        expectError([&] { UnstructuredPruning p(*model, o); },
                    {"exclude entry 'attention.self' matches no layer", "layers.0.q_proj"});
        o = {};
        o.include = {"encoder"};
        expectError([&] { UnstructuredPruning p(*model, o); }, {"include entry 'encoder' matches no layer"});
        o = {};
        QVERIFY(!parseUnstructuredCriterion("l3"));  // the config's names, read once
        QVERIFY(parseUnstructuredCriterion("random") == UnstructuredCriterion::Random);
        o = {};
        o.include = {"classifier"};
        expectError([&] { UnstructuredPruning p(*model, o); }, {"no layer is left to prune"});
        ProgressivePruningOptions po;
        po.finalSparsity = 1.0;
        po.initialSparsity = 0.2;
        po.numIterations = 0;
        po.schedule = "exp";
        expectError([&] { ProgressivePruning p(*model, po); },
                    {"final_sparsity must be in [0, 1), got 1.0000", "num_iterations must be >= 1, got 0",
                     "schedule must be cubic or linear, got 'exp'"});
        // include selects: only the feed-forward layers.
        o = {};
        o.include = {"linear1", "linear2"};
        UnstructuredPruning ffn(*model, o);
        QCOMPARE(ffn.layerNames(), (std::vector<std::string>{"layers.0.linear1", "layers.0.linear2", "layers.1.linear1",
                                                             "layers.1.linear2"}));
    }
};

QTEST_GUILESS_MAIN(TestPrune)
#include "test_prune.moc"
