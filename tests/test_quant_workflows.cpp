// Quantization workflows on whole models: int4 weights, observers, static PTQ, QAT with
// convert, mixed precision, quantized model folders that reload to identical logits and
// store each precision at its width, pruned zeros kept, and the error paths.

#include <QTemporaryDir>
#include <cmath>

#include <torch/torch.h>

#include "io/model_folder.h"
#include "models/safetensors.h"
#include "prune/unstructured_pruning.h"
#include "quant/mixed_precision_quantization.h"
#include "quant/observers.h"
#include "quant/post_training_quantization.h"
#include "quant/quantization_aware_training.h"
#include "quant/quantized_linear.h"
#include "test_support.h"
#include "text/wordpiece_tokenizer.h"
#include "tiny_models.h"
#include "token_seven_task.h"
#include "train/evaluator.h"
#include "train/model_size.h"

using namespace tpq;
using tpqtest::expectError;

namespace {

using tpqtest::relativeError;
constexpr auto logitsOf = tpqtest::logitsPerBatch;

bool allEqual(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (!torch::equal(a[i], b[i])) return false;
    }
    return true;
}

TransformerConfig transformerConfig() {
    TransformerConfig c = tpqtest::tinyTransformerConfig();
    c.dModel = 32;
    c.numHeads = 4;
    c.dFf = 64;
    c.pooling = "cls";
    return c;
}

std::shared_ptr<TransformerModel> smallTransformer(uint64_t seed) {
    return tpqtest::tinyTransformer(seed, transformerConfig());
}

// Saves `model`, reloads it and checks the logits are identical; returns the folder.
std::string roundTrip(Classifier& model, const DataLoader& data, const QTemporaryDir& dir, const std::string& name) {
    const WordPieceTokenizer tok = tpqtest::tokenizerFor(model);
    const std::string path = dir.path().toStdString() + "/" + name;
    saveModelFolder(path, model, tok, ModelInfo{});
    const auto before = logitsOf(model, data);
    LoadedModel loaded = loadModelFolder(path);
    if (!loaded.report.missing.empty()) qWarning("missing: %s", loaded.report.missing.front().c_str());
    const auto after = logitsOf(*loaded.model, data);
    if (!allEqual(before, after)) qWarning("%s: logits differ after reload", name.c_str());
    return allEqual(before, after) && loaded.report.missing.empty() ? path : std::string();
}

// Map of stored tensor name -> tensor in a folder's model.safetensors.
std::map<std::string, at::Tensor> storedTensors(const std::string& folder) {
    std::map<std::string, at::Tensor> out;
    for (auto& t : loadSafetensors(folder + "/model.safetensors")) out[t.name] = t.tensor;
    return out;
}

}  // namespace

class TestQuantWorkflows : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        at::set_num_threads(1);
        setQuantizedEngine("onednn");
    }

    void int4WeightsArePackedTwoPerByte() {
        torch::manual_seed(1);
        at::Tensor w = torch::randn({6, 64});
        w.masked_fill_(torch::rand({6, 64}) < 0.5, 0.0);
        const Int4Weight q = quantizeWeightInt4(w, 32);
        QCOMPARE(q.packed.scalar_type(), torch::kUInt8);
        QCOMPARE(q.packed.sizes().vec(), (std::vector<int64_t>{6, 32}));
        QCOMPARE(q.scales.sizes().vec(), (std::vector<int64_t>{6, 2}));
        const at::Tensor d = dequantize(q);
        // Zeros stay zero, non-zeros stay non-zero.
        QVERIFY(torch::equal(d.eq(0), w.eq(0)));
        // Error at most one step (max|w| / 7 of its group) — half a step except for tiny weights.
        const at::Tensor step = q.scales.repeat_interleave(32, 1);
        QVERIFY(((d - w).abs() <= step + 1e-6).all().item<bool>());
        const at::Tensor big = w.abs() >= step / 2;
        QVERIFY(((d - w).abs().masked_select(big) <= (step / 2 + 1e-6).masked_select(big)).all().item<bool>());
        expectError(
            [&] {
                quantizeWeightInt4(torch::randn({4, 48}), 32);
            },
            {"group size 32 does not divide the layer's 48 inputs", "16"});
        expectError([&] { quantizeWeightInt4(w, 3); }, {"positive even number"});
    }

    void observersChooseRanges() {
        const at::Tensor a = torch::linspace(-1.0, 3.0, 10001);
        at::Tensor b = a.clone();
        b[0] = -50.0;  // one outlier
        for (const auto& name : Observer::names()) {
            auto o = Observer::create(name);
            QVERIFY(o->empty());
            expectError([&] { o->range(); }, {"has seen no data", "at least one batch"});
            o->observe(a);
            o->observe(b);
            const auto [lo, hi] = o->range();
            QVERIFY2(lo <= 0 && hi >= 2.9, name.c_str());
            if (name == "minmax") QCOMPARE(lo, -50.0);
            if (name == "moving_average") QVERIFY(std::abs(lo - (-1.0 + 0.01 * (-50.0 + 1.0))) < 1e-6);
            if (name == "percentile") QVERIFY2(lo > -1.1, std::to_string(lo).c_str());  // the outlier is clipped
            if (name == "mse") QVERIFY2(lo > -50.0, std::to_string(lo).c_str());
            const QParams q = o->qparams();
            QVERIFY(q.scale > 0 && q.zeroPoint >= 0 && q.zeroPoint <= 255);
        }
        const QParams q = qparamsForRange(-1.0, 3.0);
        QVERIFY(std::abs(q.scale - 4.0 / 255.0) < 1e-12);
        QCOMPARE(q.zeroPoint, int64_t(64));
        expectError([] { Observer::create("histogram"); },
                    {"unknown observer 'histogram'", "minmax, moving_average, percentile, mse"});
    }

    void staticQuantizationCalibratesEveryLayer() {
        const DataLoader data = tpqtest::tokenSevenTask(31, 64, false);
        DataLoader calibration = tpqtest::tokenSevenTask(32, 64, false);
        for (const std::string observer : {"minmax", "moving_average", "percentile", "mse"}) {
            const auto model = smallTransformer(5);
            const auto before = logitsOf(*model, data);
            StaticQuantizationOptions o;
            o.observer = observer;
            o.calibrationBatches = 4;
            int64_t lastStep = 0;
            const QuantizationReport r = PostTrainingQuantization::applyStaticQuantization(
                *model, calibration, o, nullptr, [&](const Progress& p) { lastStep = p.step; });
            QCOMPARE(lastStep, int64_t(4));
            QCOMPARE(r.quantizedLayers, int64_t(model->linearLayers().size() - 1));
            for (const auto& l : model->linearLayers()) {
                const std::string want = l.name == "classifier" ? "" : "int8";
                QCOMPARE(*l.kernel ? (*l.kernel)->label() : std::string(), want);
            }
            const auto after = logitsOf(*model, data);
            for (size_t i = 0; i < after.size(); ++i) {
                const double err = relativeError(after[i], before[i]);
                QVERIFY2(err > 0 && err < 0.15, (observer + " " + std::to_string(err)).c_str());
            }
        }
        const auto model = smallTransformer(5);
        StaticQuantizationOptions o;
        o.calibrationBatches = 0;
        expectError([&] { PostTrainingQuantization::applyStaticQuantization(*model, calibration, o); },
                    {"at least one calibration batch", "calibration_batches = 0"});
        o = {};
        o.observer = "kl";
        expectError([&] { PostTrainingQuantization::applyStaticQuantization(*model, calibration, o); },
                    {"unknown observer 'kl'"});
        QVERIFY(!model->isQuantized());  // the failed calls left it float
    }

    void everyQuantizedFormReloadsWithIdenticalLogits() {
        QTemporaryDir dir;
        const DataLoader data = tpqtest::tokenSevenTask(31, 40, false);
        DataLoader calibration = tpqtest::tokenSevenTask(32, 40, false);
        // Dynamic int8 (per channel, per tensor) and fp16, both architectures.
        for (int arch = 0; arch < 2; ++arch) {
            for (const std::string form : {"int8", "int8_tensor", "fp16"}) {
                const ClassifierPtr model =
                    arch == 0 ? ClassifierPtr(smallTransformer(5)) : ClassifierPtr(tpqtest::tinyBert(5, 60, 16));
                DynamicQuantizationOptions o;
                o.perChannel = form != "int8_tensor";
                if (form == "fp16") o.weights = Precision::Fp16;
                PostTrainingQuantization::applyDynamicQuantization(*model, o);
                const std::string path = roundTrip(*model, data, dir, form + std::to_string(arch));
                QVERIFY2(!path.empty(), form.c_str());
                const auto stored = storedTensors(path);
                const std::string q =
                    arch == 0 ? "layers.0.linear1.weight.__q" : "bert.encoder.layer.0.intermediate.dense.weight.__q";
                QVERIFY(stored.count(q));
                QCOMPARE(stored.at(q).scalar_type(), form == "fp16" ? torch::kFloat16 : torch::kInt8);
                QVERIFY(!stored.count(q.substr(0, q.size() - 4)));  // no float copy
                const std::string emb = arch == 0 ? "embedding.weight" : "bert.embeddings.word_embeddings.weight";
                QCOMPARE(stored.at(emb + ".__q").scalar_type(), torch::kInt8);
                QVERIFY(stored.count("classifier.weight"));  // fp32 layer stays float
            }
        }
        // The engine the int8 layers were packed for is recorded and selected again on loading.
        {
            const auto model = smallTransformer(5);
            PostTrainingQuantization::applyDynamicQuantization(*model);
            const WordPieceTokenizer tok = tpqtest::tokenizerFor(*model);
            const std::string path = dir.path().toStdString() + "/engine";
            saveModelFolder(path, *model, tok, ModelInfo{});
            std::map<std::string, std::string> metadata;
            loadSafetensors(path + "/model.safetensors", &metadata);
            QCOMPARE(metadata.at("tpq_quant_engine"), std::string("onednn"));
            setQuantizedEngine("qnnpack");
            const auto before = logitsOf(*model, data);  // packed for ONEDNN: runs as packed
            LoadedModel loaded = loadModelFolder(path);
            QCOMPARE(quantizedEngine(), std::string("onednn"));
            QVERIFY(allEqual(before, logitsOf(*loaded.model, data)));
        }
        // Static int8.
        {
            const auto model = smallTransformer(6);
            PostTrainingQuantization::applyStaticQuantization(*model, calibration);
            QVERIFY(!roundTrip(*model, data, dir, "static").empty());
        }
        // Mixed: bf16, int4, int8 and fp32 in one model.
        {
            const auto model = smallTransformer(7);
            MixedPrecisionQuantization mp(*model, {});
            const PrecisionPlan plan = {{"layers.0.q_proj", "bf16"},
                                        {"layers.0.k_proj", "int4"},
                                        {"layers.1.linear2", "int4"},
                                        {"layers.1.v_proj", "fp32"}};
            const int64_t estimate = mp.estimateModelSize(plan);
            mp.applyMixedPrecision(plan);
            const std::string path = roundTrip(*model, data, dir, "mixed");
            QVERIFY(!path.empty());
            const auto stored = storedTensors(path);
            QCOMPARE(stored.at("layers.0.q_proj.weight.__q").scalar_type(), torch::kBFloat16);
            // int4 really in 4 bits: 32x32 weights in 512 bytes, 64 inputs of linear2 in 32-wide groups.
            QCOMPARE(stored.at("layers.0.k_proj.weight.__q").numel(), int64_t(32 * 32 / 2));
            QCOMPARE(stored.at("layers.0.k_proj.weight.__q").scalar_type(), torch::kUInt8);
            QCOMPARE(stored.at("layers.1.linear2.weight.__scale").sizes().vec(), (std::vector<int64_t>{32, 2}));
            QVERIFY(stored.count("layers.1.v_proj.weight"));
            QCOMPARE(stored.at("layers.0.linear1.weight.__q").scalar_type(), torch::kInt8);  // not in the plan: int8
            int64_t bytes = 0;
            for (const auto& [name, t] : stored) bytes += t.numel() * int64_t(t.element_size());
            QCOMPARE(bytes, estimate);
        }
        // QAT, converted.
        {
            const auto model = smallTransformer(8);
            QuantizationAwareTraining::prepare(*model);
            logitsOf(*model, calibration);  // ranges from one pass
            QuantizationAwareTraining::convert(*model);
            QVERIFY(!roundTrip(*model, data, dir, "qat").empty());
        }
    }

    void quantizingAPrunedModelKeepsItsZeros() {
        QTemporaryDir dir;
        DataLoader calibration = tpqtest::tokenSevenTask(32, 40, false);
        for (const std::string method : {"dynamic", "static", "int4", "qat"}) {
            const auto model = smallTransformer(9);
            UnstructuredPruningOptions po;
            UnstructuredPruning pruner(*model, po);
            pruner.applyPruning(0.5);
            std::map<std::string, at::Tensor> zeros;
            int64_t nonzeroBefore = 0;
            for (const auto& l : model->linearLayers()) {
                zeros[l.name] = l.linear->weight.eq(0).clone();
                nonzeroBefore += l.linear->weight.ne(0).sum().item<int64_t>();
            }
            if (method == "dynamic") PostTrainingQuantization::applyDynamicQuantization(*model);
            if (method == "static") PostTrainingQuantization::applyStaticQuantization(*model, calibration);
            if (method == "int4") {
                MixedPrecisionQuantization mp(*model, {});
                PrecisionPlan plan;
                for (const auto& l : model->linearLayers()) plan[l.name] = l.name == "classifier" ? "fp32" : "int4";
                mp.applyMixedPrecision(plan);
            }
            if (method == "qat") {
                QuantizationAwareTraining::prepare(*model);
                logitsOf(*model, calibration);
                QuantizationAwareTraining::convert(*model);
            }
            int64_t nonzeroAfter = 0;
            for (const auto& l : model->linearLayers()) {
                const at::Tensor w =
                    *l.kernel ? dynamic_cast<const QuantizedLinear&>(**l.kernel).dequantizedWeight() : l.linear->weight;
                QVERIFY2(torch::equal(w.eq(0), zeros[l.name]), (method + " " + l.name).c_str());
                nonzeroAfter += w.ne(0).sum().item<int64_t>();
            }
            QCOMPARE(nonzeroAfter, nonzeroBefore);
            // The saved int8 values have exactly the same zeros.
            const std::string path = roundTrip(*model, calibration, dir, method);
            QVERIFY(!path.empty());
            if (method != "int4") {
                const auto stored = storedTensors(path);
                QVERIFY(torch::equal(stored.at("layers.0.linear1.weight.__q").eq(0), zeros["layers.0.linear1"]));
            }
            expectError([&] { UnstructuredPruning again(*model, po); }, {"cannot prune a quantized model"});
        }
    }

    void qatTrainsThroughFakeQuantizationAndConverts() {
        DataLoader train = tpqtest::tokenSevenTask(41, 96, true);
        DataLoader validation = tpqtest::tokenSevenTask(42, 48, false);
        const auto model = smallTransformer(10);
        const QuantizationReport prepared = QuantizationAwareTraining::prepare(*model);
        QCOMPARE(prepared.quantizedLayers, int64_t(model->linearLayers().size() - 1));
        QVERIFY(QuantizationAwareTraining::isPrepared(*model));
        // Straight-through gradients reach the float weights under fake quantization.
        {
            model->train();
            const Batch b = train.batch(0);
            const at::Tensor loss =
                torch::nn::functional::cross_entropy(model->forward(b.inputIds, b.attentionMask), b.labels);
            loss.backward();
            const auto l = model->linearLayers()[0];
            QVERIFY(l.linear->weight.grad().defined());
            QVERIFY(l.linear->weight.grad().abs().sum().item<double>() > 0);
            QVERIFY(!model->embeddingTables()[0].second.requires_grad());  // int8 tables are frozen
            model->zero_grad();
        }
        TrainerOptions t;
        t.epochs = 3;
        t.learningRate = 3e-3;
        t.warmupRatio = 0;
        const auto fakeBefore = logitsOf(*model, validation);
        Trainer trainer(*model, t);
        trainer.train(train, validation, {}, nullptr, {});
        const auto fake = logitsOf(*model, validation);
        QVERIFY(relativeError(fake[0], fakeBefore[0]) > 0.01);  // it trained
        const double fakeAccuracy = Evaluator(*model).evaluate(validation).accuracy;
        const QuantizationReport converted = QuantizationAwareTraining::convert(*model);
        QCOMPARE(converted.quantizedLayers, prepared.quantizedLayers);
        QVERIFY(!QuantizationAwareTraining::isPrepared(*model));
        const auto real = logitsOf(*model, validation);
        for (size_t i = 0; i < real.size(); ++i) {
            const double err = relativeError(real[i], fake[i]);
            QVERIFY2(err < 0.05, std::to_string(err).c_str());
        }
        const double realAccuracy = Evaluator(*model).evaluate(validation).accuracy;
        QVERIFY2(std::abs(realAccuracy - fakeAccuracy) <= 1.0 / 48 + 1e-9,
                 (std::to_string(fakeAccuracy) + " vs " + std::to_string(realAccuracy)).c_str());
        expectError([&] { QuantizationAwareTraining::convert(*model); }, {"no fake-quantization layers"});
        // Fine-tuning that only hurts (a huge learning rate) is not kept: the start is epoch 0.
        {
            const auto fresh = smallTransformer(10);
            Trainer(*fresh, t).train(train, validation, {}, nullptr, {});  // a good float model first
            TrainerOptions bad = t;
            bad.epochs = 1;
            bad.learningRate = 50.0;
            bad.maxGradNorm = 0;
            const QatResult r = QuantizationAwareTraining::train(*fresh, train, validation, bad, {}, 2, {}, nullptr);
            QCOMPARE(r.keptEpoch, 0);
            QCOMPARE(Evaluator(*fresh).evaluate(validation).accuracy, r.startValAccuracy);
            QVERIFY(r.history.epochs.at(0).valAccuracy <= r.startValAccuracy);
            QVERIFY(QuantizationAwareTraining::isPrepared(*fresh));
        }
        expectError([&] { QuantizationAwareTraining::prepare(*model); }, {"already quantized"});
    }

    void mixedPrecisionSensitivityAndPlans() {
        DataLoader validation = tpqtest::tokenSevenTask(42, 48, false);
        const auto model = smallTransformer(11);
        const auto before = logitsOf(*model, validation);
        MixedPrecisionOptions o;
        o.numSamples = 20;
        MixedPrecisionQuantization mp(*model, o);
        expectError([&] { mp.selectSensitiveLayers(2); }, {"run analyzeLayerSensitivity first"});
        const auto& table = mp.analyzeLayerSensitivity(validation);
        QCOMPARE(table.size(), model->linearLayers().size() - 1);  // all but the classifier
        for (size_t i = 1; i < table.size(); ++i) QVERIFY(table[i - 1].lossDeltaInt8 >= table[i].lossDeltaInt8);
        for (const auto& s : table) QVERIFY(!std::isnan(s.lossDeltaInt4));
        QVERIFY(allEqual(before, logitsOf(*model, validation)));  // the analysis left the model float
        QVERIFY(!model->isQuantized());
        const auto top = mp.selectSensitiveLayers(2);
        QCOMPARE(top.size(), size_t(2));
        QCOMPARE(top[0], table[0].layer);
        const PrecisionPlan plan = mp.planFor(top, "bf16", 3);
        int bf16 = 0, int4 = 0, int8 = 0;
        for (const auto& [layer, p] : plan) bf16 += p == "bf16", int4 += p == "int4", int8 += p == "int8";
        QCOMPARE(bf16, 2);
        QCOMPARE(int4, 3);
        QCOMPARE(plan.at("classifier"), std::string("fp32"));
        QVERIFY(mp.estimateModelSize(plan) < mp.estimateModelSize(mp.planFor({}, "int8", 0)) +
                                                 2 * 32 * 32 /* two bf16 layers cost more than int8 */);
        QVERIFY(mp.estimateModelSize(mp.planFor({}, "int8", 8)) < mp.estimateModelSize(mp.planFor({}, "int8", 0)));
        // Budget: with a generous budget more layers go int4 than with none.
        const PrecisionPlan loose = mp.searchBudget(validation, 1.0);
        const PrecisionPlan strict = mp.searchBudget(validation, 0.0);
        auto countInt4 = [](const PrecisionPlan& p) {
            int n = 0;
            for (const auto& [l, v] : p) n += v == "int4";
            return n;
        };
        QCOMPARE(countInt4(loose), int(table.size()));
        QVERIFY(countInt4(strict) <= countInt4(loose));
        QVERIFY(!model->isQuantized());
        // Errors: unknown precision, unknown layer, int4 on a width the group does not divide.
        expectError(
            [&] {
                mp.applyMixedPrecision({{"layers.0.q_proj", "int2"}});
            },
            {"unknown precision 'int2'", "fp32, bf16, fp16, int8, int4"});
        expectError([&] { mp.applyMixedPrecision({{"layers.9.q_proj", "int8"}}); }, {"does not have"});
        MixedPrecisionOptions wide;
        wide.int4GroupSize = 128;
        MixedPrecisionQuantization mpWide(*model, wide);
        expectError(
            [&] {
                mpWide.applyMixedPrecision({{"layers.0.q_proj", "int4"}});
            },
            {"layers.0.q_proj", "group size 128 does not divide the layer's 32 inputs"});
        QVERIFY(!model->isQuantized());  // nothing applied on error
        const QuantizationReport r = mp.applyMixedPrecision(plan);
        QVERIFY(model->isQuantized());
        expectError([&] { mp.applyMixedPrecision(plan); }, {"already quantized"});
        QCOMPARE(r.quantizedLayers, int64_t(model->linearLayers().size() - 1));
    }

    void compareWithFp32ReportsSizes() {
        QTemporaryDir dir;
        const WordPieceTokenizer tok = WordPieceTokenizer::fromFile(tpqtest::dataPath("tiny_bert/vocab.txt"));
        const auto fp32 = tpqtest::tinyBert(12, 1000, 64);
        const auto quantized = tpqtest::tinyBert(12, 1000, 64);
        const std::string a = dir.path().toStdString() + "/fp32", b = dir.path().toStdString() + "/int8";
        saveModelFolder(a, *fp32, tok, ModelInfo{});
        PostTrainingQuantization::applyDynamicQuantization(*quantized);
        saveModelFolder(b, *quantized, tok, ModelInfo{});
        const Fp32Comparison c = PostTrainingQuantization::compareWithFp32(*fp32, *quantized, a, b);
        QCOMPARE(c.fp32DiskBytes, ModelSizeCalculator::folderBytes(a));
        QCOMPARE(c.quantizedDiskBytes, ModelSizeCalculator::folderBytes(b));
        // Everything but biases/norms/the classifier is int8: close to 4x (vocab.txt and headers cost a little).
        QVERIFY2(c.diskRatio > 3.3 && c.diskRatio < 4.0, std::to_string(c.diskRatio).c_str());
        // In memory the float copies are gone: embeddings in int8 (1 byte per weight), linear
        // layers as ONEDNN packed parameters (the int8 weight and its reordered copy: 2 bytes).
        QVERIFY2(c.memoryRatio > 2.0 && c.memoryRatio < 4.0, std::to_string(c.memoryRatio).c_str());
        const ModelSize sa = ModelSizeCalculator::measure(*fp32), q = ModelSizeCalculator::measure(*quantized);
        QCOMPARE(q.totalParameters, sa.totalParameters);
        int64_t expected = 0;
        for (const auto& p : quantized->parameters()) {
            if (!isReleased(p)) expected += p.numel() * 4;
        }
        for (const auto& b : quantized->buffers()) expected += b.numel() * int64_t(b.element_size());
        int64_t released = 0;
        for (const auto& l : quantized->linearLayers()) {
            if (*l.kernel) expected += (*l.kernel)->memoryBytes(), ++released;
        }
        for (const auto& [name, t] : quantized->int8Embeddings())
            expected += t.values.numel() + t.scales.numel() * 2, ++released;
        QCOMPARE(released, int64_t(quantized->linearLayers().size() - 1 + 3));
        QCOMPARE(q.memoryBytes, expected + 4 * released);                       // each released weight keeps one float
        QVERIFY(!isReleased(quantized->linearLayers().back().linear->weight));  // the fp32 classifier
    }
};

QTEST_GUILESS_MAIN(TestQuantWorkflows)
#include "test_quant_workflows.moc"
