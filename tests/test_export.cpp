// tpq export: Hugging Face folders of pruned and quantized BERT models that reload to the
// same logits — in our loader, and in an independent plain-PyTorch reader that follows
// transformers' rules (tests/data/hf_export/check_export.py, whose logits for the exported
// folder are checked in); ONNX files that ONNX Runtime (onnxruntime-node, through
// tests/ort/run_onnx.js) runs to our logits (fp32: within 1e-4) and our predictions (int8
// dynamic, static, QAT: >= 99% agreement); and the errors: the custom Transformer as hf, an
// unknown format, an existing output, an opset too low for int8.

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "cli_runner.h"
#include "export/model_export.h"
#include "io/model_folder.h"
#include "models/bert_model.h"
#include "quant/mixed_precision_quantization.h"
#include "quant/post_training_quantization.h"
#include "quant/quantization_aware_training.h"
#include "test_support.h"
#include "tiny_models.h"
#include "token_seven_task.h"
#include "train/trainer.h"
#include "util/file_io.h"
#include "util/strings.h"

using namespace tpq;
using tpqtest::CliRun;
using tpqtest::expectError;

namespace {

nlohmann::json readJson(const std::string& path) {
    return nlohmann::json::parse(readFile(path));
}

// The logits of `model` on tests/data/tiny_bert/reference.json's inputs.
at::Tensor referenceLogits(Classifier& model, const nlohmann::json& inputs) {
    torch::NoGradGuard noGrad;
    model.eval();
    const auto ids = inputs["input_ids"].get<std::vector<std::vector<int64_t>>>();
    const auto mask = inputs["attention_mask"].get<std::vector<std::vector<int64_t>>>();
    std::vector<at::Tensor> rows, masks;
    for (size_t i = 0; i < ids.size(); ++i) {
        rows.push_back(torch::tensor(ids[i], torch::kInt64));
        masks.push_back(torch::tensor(mask[i], torch::kInt64));
    }
    return model.forward(torch::stack(rows), torch::stack(masks));
}

at::Tensor tensorOf(const nlohmann::json& rows) {
    std::vector<at::Tensor> out;
    for (const auto& r : rows) out.push_back(torch::tensor(r.get<std::vector<double>>(), torch::kFloat64));
    return torch::stack(out).to(torch::kFloat32);
}

// Every example of `data` in one batch: ids and mask padded to the longest row.
std::pair<at::Tensor, at::Tensor> wholeSplit(const DataLoader& data, at::Tensor* labels = nullptr) {
    std::vector<Batch> batches;
    int64_t width = 0;
    for (size_t b = 0; b < data.numBatches(); ++b) {
        batches.push_back(data.batch(b));
        width = std::max(width, batches.back().inputIds.size(1));
    }
    std::vector<at::Tensor> ids, masks, ys;
    for (const Batch& b : batches) {
        const int64_t pad = width - b.inputIds.size(1);
        ids.push_back(torch::constant_pad_nd(b.inputIds, {0, pad}, 0));
        masks.push_back(torch::constant_pad_nd(b.attentionMask, {0, pad}, 0));
        ys.push_back(b.labels);
    }
    if (labels) *labels = torch::cat(ys);
    return {torch::cat(ids), torch::cat(masks)};
}

nlohmann::json rowsOf(const at::Tensor& t) {
    nlohmann::json rows = nlohmann::json::array();
    const at::Tensor c = t.to(torch::kInt64).contiguous();
    for (int64_t r = 0; r < c.size(0); ++r) {
        const int64_t* p = c[r].data_ptr<int64_t>();
        rows.push_back(std::vector<int64_t>(p, p + c.size(1)));
    }
    return rows;
}

at::Tensor ourLogits(const std::string& folder, const at::Tensor& ids, const at::Tensor& mask) {
    torch::NoGradGuard noGrad;
    LoadedModel m = loadModelFolder(folder);
    m.model->eval();
    return m.model->forward(ids, mask);
}

// The float model `source` (a folder) with the weights the quantized `model` computes with.
LoadedModel dequantizedCopy(Classifier& model, const std::string& source) {
    LoadedModel floatCopy = loadModelFolder(source);
    torch::NoGradGuard noGrad;
    const auto q = model.linearLayers();
    const auto f = floatCopy.model->linearLayers();
    for (size_t i = 0; i < q.size(); ++i)
        if (*q[i].kernel) f[i].linear->weight.copy_((*q[i].kernel)->dequantizedWeight());
    for (const auto& [name, table] : model.int8Embeddings())
        for (auto& p : floatCopy.model->named_parameters())
            if (p.key() == name)
                p.value().copy_(table.values.to(torch::kFloat32) * table.scales.to(torch::kFloat32).unsqueeze(1));
    return floatCopy;
}

}  // namespace

class TestExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const std::string& name) const { return m_dir.path().toStdString() + "/" + name; }

    // tests/data/tiny_bert with heads 1 and 3 of layer 0 removed and a third of layer 1's
    // feed-forward neurons, saved as a tpq folder.
    std::string prunedTinyBert() {
        LoadedModel m = loadModelFolder(tpqtest::dataPath("tiny_bert"));
        m.model->pruneHeads(0, {1, 3});
        std::vector<int64_t> keep;
        for (int64_t i = 0; i < 64; ++i)
            if (i % 3 != 1) keep.push_back(i);
        m.model->pruneFfn(1, keep);
        ModelInfo info;
        info.labelNames = {"negative", "neutral", "positive"};
        const std::string dir = path("pruned");
        saveModelFolder(dir, *m.model, *m.tokenizer, info);
        return dir;
    }

    // ONNX Runtime's logits for `onnx` on ids/mask (tests/ort/run_onnx.js); an undefined
    // tensor and `error` set when it fails.
    at::Tensor ortLogits(const std::string& onnx, const at::Tensor& ids, const at::Tensor& mask, std::string& error) {
        const std::string inputs = path("inputs.json");
        writeFileAtomic(inputs, nlohmann::json{{"input_ids", rowsOf(ids)}, {"attention_mask", rowsOf(mask)}}.dump());
        QProcess p;
        p.start(m_node, {QString(TPQ_TEST_DATA) + "/../ort/run_onnx.js", QString::fromStdString(onnx),
                         QString::fromStdString(inputs)});
        if (!p.waitForFinished(120000) || p.exitCode() != 0) {
            error = "run_onnx.js failed: " + p.readAllStandardError().toStdString();
            return {};
        }
        return tensorOf(nlohmann::json::parse(p.readAllStandardOutput().toStdString())["logits"]);
    }

    // Exports `folder` to ONNX at `opset` and returns ONNX Runtime's logits and ours on ids/mask.
    std::pair<at::Tensor, at::Tensor> bothEngines(const std::string& folder, const std::string& name,
                                                  const at::Tensor& ids, const at::Tensor& mask, int opset = 17) {
        ExportOptions o;
        o.format = ExportFormat::Onnx;
        o.output = path(name + ".onnx");
        o.opset = opset;
        exportModel(folder, o);
        std::string error;
        at::Tensor ort = ortLogits(o.output, ids, mask, error);
        if (!ort.defined()) qWarning("%s", error.c_str());
        return {ort, ourLogits(folder, ids, mask)};
    }

    std::string saved(Classifier& model, const std::string& name) {
        ModelInfo info;
        for (int64_t i = 0; i < model.numLabels(); ++i) info.labelNames.push_back("label" + std::to_string(i));
        saveModelFolder(path(name), model, tpqtest::tokenizerFor(model), info);
        return path(name);
    }

    QString m_node;
    std::string m_trained;  // tiny BERT trained on the token-seven task (int8 tests)

    void requireNode() {
        if (m_node.isEmpty())
            QSKIP("node is not installed: ONNX Runtime (onnxruntime-node) cannot check the export here");
    }

private Q_SLOTS:
    void initTestCase() {
        m_node = QStandardPaths::findExecutable("node");
        QVERIFY(m_dir.isValid());
        at::set_num_threads(1);
    }

    void prunedBertReloadsToTheSameLogits() {
        const std::string pruned = prunedTinyBert();
        const nlohmann::json inputs = readJson(tpqtest::dataPath("tiny_bert/reference.json"));
        LoadedModel source = loadModelFolder(pruned);
        const at::Tensor want = referenceLogits(*source.model, inputs);

        ExportOptions o;
        o.format = ExportFormat::HuggingFace;
        o.output = path("hf");
        const ExportReport r = exportModel(pruned, o);
        QCOMPARE(r.layers.size(), size_t(2 * 6 + 2));
        // config.json as transformers writes it: pruned_heads, one intermediate_size, the labels.
        const nlohmann::json config = readJson(o.output + "/config.json");
        QCOMPARE(config["pruned_heads"]["0"], nlohmann::json::array({1, 3}));
        QCOMPARE(config["intermediate_size"].get<int>(), 64);
        QVERIFY(!config.contains("tpq_intermediate_sizes"));
        QCOMPARE(config["id2label"]["2"].get<std::string>(), std::string("positive"));
        QCOMPARE(config["label2id"]["neutral"].get<int>(), 1);
        QVERIFY(std::filesystem::exists(o.output + "/vocab.txt"));
        const nlohmann::json exported = readJson(r.exportJson);
        QCOMPARE(exported["format"].get<std::string>(), std::string("hf"));
        REQUIRE_CONTAINS(exported["notes"].dump(), "zero-padded back to intermediate_size 64");
        REQUIRE_CONTAINS(exported["notes"].dump(), "64, 43");

        // Our loader: the same logits (the padded neurons add exactly nothing).
        LoadedModel back = loadModelFolder(o.output);
        QVERIFY(!back.info.present);
        QCOMPARE(back.info.labelNames, (std::vector<std::string>{"negative", "neutral", "positive"}));
        QCOMPARE(back.model->headsPerLayer(), (std::vector<int64_t>{2, 4}));
        QCOMPARE(back.model->ffnWidths(), (std::vector<int64_t>{64, 64}));
        const at::Tensor got = referenceLogits(*back.model, inputs);
        QVERIFY2(torch::allclose(got, want, 0, 1e-5),
                 qPrintable(QString::number((got - want).abs().max().item<double>())));

        // The independent reader (check_export.py, run on this same export): its logits.
        const std::string weights = readFile(o.output + "/model.safetensors");
        char hash[17];
        std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(weights)));
        if (const char* keep = std::getenv("TPQ_KEEP_EXPORT")) {
            std::filesystem::remove_all(keep);
            std::filesystem::copy(o.output, keep, std::filesystem::copy_options::recursive);
        }
        const nlohmann::json reference = readJson(tpqtest::dataPath("hf_export/reference.json"));
        QVERIFY2(reference["weights_fnv1a64"].get<std::string>() == hash,
                 "the export changed: regenerate tests/data/hf_export/reference.json (see check_export.py)");
        QCOMPARE(reference["pruned_heads"]["0"], nlohmann::json::array({1, 3}));
        const at::Tensor python = tensorOf(reference["logits"]);
        QVERIFY2(torch::allclose(got, python, 0, 1e-5),
                 qPrintable(QString::number((got - python).abs().max().item<double>())));
    }

    void quantizedBertIsDequantized() {
        LoadedModel m = loadModelFolder(tpqtest::dataPath("tiny_bert"));
        PostTrainingQuantization::applyDynamicQuantization(*m.model);
        ModelInfo info;
        info.labelNames = {"negative", "neutral", "positive"};
        saveModelFolder(path("int8"), *m.model, *m.tokenizer, info);
        // What the int8 model computes with, as float weights.
        LoadedModel floatCopy = dequantizedCopy(*m.model, tpqtest::dataPath("tiny_bert"));
        ExportOptions o;
        o.format = ExportFormat::HuggingFace;
        o.output = path("int8_hf");
        const ExportReport r = exportModel(path("int8"), o);
        QCOMPARE(QString::fromStdString(r.layers.front().precision), QString("int8"));
        REQUIRE_CONTAINS(join(r.notes, " "), "dequantized to fp32");
        const nlohmann::json inputs = readJson(tpqtest::dataPath("tiny_bert/reference.json"));
        LoadedModel back = loadModelFolder(o.output);
        QVERIFY(
            torch::allclose(referenceLogits(*back.model, inputs), referenceLogits(*floatCopy.model, inputs), 0, 1e-5));
    }

    void onnxFp32MatchesOurEngine_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("tiny_bert (Hugging Face weights)") << "tiny_bert";
        QTest::newRow("pruned BERT (heads 2/4, FFN 64/43)") << "pruned";
        QTest::newRow("BERT with a layer pruned away") << "emptied";
        QTest::newRow("Transformer, mean pooling") << "mean";
        QTest::newRow("Transformer, cls pooling") << "cls";
        QTest::newRow("Transformer, max pooling") << "max";
        QTest::newRow("tiny_bert at opset 14") << "opset14";
        QTest::newRow("int4 weights (int8 values, group scales)") << "int4";
    }

    void onnxFp32MatchesOurEngine() {
        requireNode();
        QFETCH(QString, model);
        const std::string which = model.toStdString();
        std::string folder = tpqtest::dataPath("tiny_bert");
        int opset = 17;
        if (which == "pruned") {
            folder = prunedTinyBert();
        } else if (which == "emptied") {
            LoadedModel m = loadModelFolder(folder);
            m.model->pruneHeads(1, {0, 1, 2, 3});
            m.model->pruneFfn(1, {});
            folder = saved(*m.model, "emptied");
        } else if (which == "mean" || which == "cls" || which == "max") {
            TransformerConfig c = tpqtest::tinyTransformerConfig();
            c.pooling = which;
            auto t = tpqtest::tinyTransformer(5, c);
            t->pruneHeads(0, {1});
            folder = saved(*t, which);
        } else if (which == "opset14") {
            opset = 14;
        }
        std::string reference;  // what ORT must match when not the exported folder itself
        if (which == "int4") {
            LoadedModel m = loadModelFolder(folder);
            MixedPrecisionOptions mo;
            mo.skip = {};
            mo.quantizeEmbeddings = false;
            PrecisionPlan plan;
            for (const auto& l : m.model->linearLayers()) plan[l.name] = "int4";
            MixedPrecisionQuantization(*m.model, mo).applyMixedPrecision(plan);
            LoadedModel floatCopy = dequantizedCopy(*m.model, folder);
            reference = saved(*floatCopy.model, "int4_reference");
            folder = saved(*m.model, "int4");
        }
        // The token-seven test split (rows of 5-10 tokens padded to 10) and reference.json's rows.
        const auto [ids, mask] = wholeSplit(tpqtest::tokenSevenTask(7, 64, false));
        auto [ort, ours] = bothEngines(folder, which, ids, mask, opset);
        if (!reference.empty()) ours = ourLogits(reference, ids, mask);
        QVERIFY(ort.defined());
        QCOMPARE(ort.sizes(), ours.sizes());
        const double diff = (ort - ours).abs().max().item<double>();
        QVERIFY2(diff <= 1e-4, qPrintable(QString("max |ORT - ours| = %1").arg(diff)));
        QVERIFY(ours.abs().max().item<double>() > 0.01);  // not trivially equal
        if (which == "tiny_bert") {
            const nlohmann::json inputs = readJson(tpqtest::dataPath("tiny_bert/reference.json"));
            at::Tensor refIds = tensorOf(inputs["input_ids"]).to(torch::kInt64);
            at::Tensor refMask = tensorOf(inputs["attention_mask"]).to(torch::kInt64);
            std::string error;
            const at::Tensor got = ortLogits(path("tiny_bert.onnx"), refIds, refMask, error);
            QVERIFY2(got.defined(), error.c_str());
            const at::Tensor python = tensorOf(inputs["logits"]);  // transformers' own logits
            QVERIFY2(torch::allclose(got, python, 0, 1e-4),
                     qPrintable(QString::number((got - python).abs().max().item<double>())));
        }
    }

    // A tiny BERT trained on the token-seven task (vocabulary 120, 2 layers), saved as "trained".
    std::string trainedBert() {
        if (!m_trained.empty()) return m_trained;
        auto model = tpqtest::tinyBert(3);
        DataLoader train = tpqtest::tokenSevenTask(41, 256, true);
        DataLoader validation = tpqtest::tokenSevenTask(42, 64, false);
        TrainerOptions t;
        t.epochs = 4;
        t.learningRate = 1e-3;
        t.warmupRatio = 0;
        Trainer(*model, t).train(train, validation, {}, nullptr, {});
        m_trained = saved(*model, "trained");
        return m_trained;
    }

    void onnxInt8AgreesWithOurInt8_data() {
        QTest::addColumn<QString>("scheme");
        QTest::newRow("dynamic") << "dynamic";
        QTest::newRow("static") << "static";
        QTest::newRow("qat") << "qat";
        QTest::newRow("mixed (bf16, fp16, int4, int8)") << "mixed";
    }

    void onnxInt8AgreesWithOurInt8() {
        requireNode();
        QFETCH(QString, scheme);
        const std::string which = scheme.toStdString();
        LoadedModel m = loadModelFolder(trainedBert());
        DataLoader calibration = tpqtest::tokenSevenTask(43, 64, false);
        if (which == "dynamic") {
            PostTrainingQuantization::applyDynamicQuantization(*m.model);
        } else if (which == "static") {
            PostTrainingQuantization::applyStaticQuantization(*m.model, calibration);
        } else if (which == "qat") {
            QuantizationAwareTraining::prepare(*m.model);
            TrainerOptions t;
            t.epochs = 1;
            t.learningRate = 1e-4;
            t.warmupRatio = 0;
            DataLoader train = tpqtest::tokenSevenTask(41, 128, true);
            Trainer(*m.model, t).train(train, calibration, {}, nullptr, {});
            QuantizationAwareTraining::convert(*m.model);
        } else {
            MixedPrecisionQuantization mp(*m.model, MixedPrecisionOptions{});
            mp.applyMixedPrecision({{"bert.encoder.layer.0.attention.self.query", "bf16"},
                                    {"bert.encoder.layer.0.attention.self.key", "fp16"},
                                    {"bert.encoder.layer.1.intermediate.dense", "int4"}});
        }
        const std::string folder = saved(*m.model, "int8_" + which);
        at::Tensor labels;
        const auto [ids, mask] = wholeSplit(tpqtest::tokenSevenTask(44, 400, false), &labels);
        const auto [ort, ours] = bothEngines(folder, "int8_" + which, ids, mask);
        QVERIFY(ort.defined());
        const at::Tensor ortPred = ort.argmax(1), ourPred = ours.argmax(1);
        const double agreement = ortPred.eq(ourPred).to(torch::kFloat64).mean().item<double>();
        const double ourAccuracy = ourPred.eq(labels).to(torch::kFloat64).mean().item<double>();
        const double ortAccuracy = ortPred.eq(labels).to(torch::kFloat64).mean().item<double>();
        qInfo("%s: agreement %.2f%%, accuracy ours %.2f%% ORT %.2f%%, max |ORT - ours| %.4f", which.c_str(),
              100 * agreement, 100 * ourAccuracy, 100 * ortAccuracy, (ort - ours).abs().max().item<double>());
        QVERIFY2(ourAccuracy >= 0.9, qPrintable(QString::number(ourAccuracy)));  // a trained model
        QVERIFY2(agreement >= 0.99, qPrintable(QString::number(agreement)));
        QVERIFY2(std::abs(ortAccuracy - ourAccuracy) <= 0.005 + 1e-9,
                 qPrintable(QString("%1 vs %2").arg(ortAccuracy).arg(ourAccuracy)));
        // The file holds the int8 weights, not floats.
        const nlohmann::json report = readJson(path("export.json"));
        const std::string layers = report["layers"].dump();
        if (which == "dynamic") REQUIRE_CONTAINS(layers, "DynamicQuantizeLinear + MatMulInteger");
        if (which == "static" || which == "qat") REQUIRE_CONTAINS(layers, "QuantizeLinear/DequantizeLinear");
        if (which == "mixed") {
            REQUIRE_CONTAINS(layers, "bf16 weight, Cast to fp32");
            REQUIRE_CONTAINS(report["notes"].dump(), "int4 layers were expanded to int8 weights");
        }
    }

    void onnxInt8IsSmallerThanFp32() {
        ExportOptions o;
        o.format = ExportFormat::Onnx;
        o.output = path("size_fp32.onnx");
        exportModel(trainedBert(), o);
        LoadedModel m = loadModelFolder(trainedBert());
        PostTrainingQuantization::applyDynamicQuantization(*m.model);
        const std::string folder = saved(*m.model, "size_int8");
        o.output = path("size_int8.onnx");
        exportModel(folder, o);
        const double ratio = double(std::filesystem::file_size(path("size_int8.onnx"))) /
                             double(std::filesystem::file_size(path("size_fp32.onnx")));
        QVERIFY2(ratio < 0.3, qPrintable(QString::number(ratio)));
    }

    void cliErrorsNameTheProblem() {
        const QString work = m_dir.path();
        auto run = [&](QStringList args) { return tpqtest::tpqRun(QStringList{"export"} + args, work); };
        const QString tiny = QString::fromStdString(tpqtest::dataPath("tiny_bert"));
        const CliRun unknown = run({"--model", tiny, "--format", "tflite", "--output", "x"});
        QCOMPARE(unknown.code, 1);
        REQUIRE_CONTAINS(unknown.err, "unknown export format 'tflite'");
        REQUIRE_CONTAINS(unknown.err, "onnx");
        const CliRun first = run({"--model", tiny, "--format", "onnx", "--output", "cli.onnx"});
        QCOMPARE(first.code, 0);
        const std::string bytes = readFile(path("cli.onnx"));
        const CliRun again = run({"--model", tiny, "--format", "onnx", "--output", "cli.onnx"});
        QCOMPARE(again.code, 1);
        REQUIRE_CONTAINS(again.err, "cli.onnx exists; pass --force");
        QVERIFY(readFile(path("cli.onnx")) == bytes);
        QCOMPARE(run({"--model", tiny, "--format", "onnx", "--output", "cli.onnx", "--force"}).code, 0);
        const CliRun range = run({"--model", tiny, "--format", "onnx", "--output", "r.onnx", "--opset", "9"});
        QCOMPARE(range.code, 1);
        REQUIRE_CONTAINS(range.err, "opset 9");
        // int8 layers need per-channel DequantizeLinear (opset 13).
        LoadedModel m = loadModelFolder(tpqtest::dataPath("tiny_bert"));
        StaticQuantizationOptions so;
        so.calibrationBatches = 1;
        DataLoader calibration = tpqtest::tokenSevenTask(43, 8, false);
        PostTrainingQuantization::applyStaticQuantization(*m.model, calibration, so);
        saved(*m.model, "static_cli");
        const CliRun low = run({"--model", "static_cli", "--format", "onnx", "--output", "low.onnx", "--opset", "12"});
        QCOMPARE(low.code, 1);
        REQUIRE_CONTAINS(low.err, "need ONNX opset 13 or later");
        QVERIFY(!std::filesystem::exists(path("low.onnx")));
        auto transformer = tpqtest::tinyTransformer(3);
        saved(*transformer, "transformer_cli");
        const CliRun hf = run({"--model", "transformer_cli", "--format", "hf", "--output", "t_hf"});
        QCOMPARE(hf.code, 1);
        REQUIRE_CONTAINS(hf.err, "custom Transformer has no Hugging Face architecture");
        REQUIRE_CONTAINS(hf.err, "--format onnx");
    }

    void errorsNameTheProblem() {
        // The custom Transformer has no Hugging Face architecture.
        auto transformer = tpqtest::tinyTransformer(3);
        const std::string dir = path("transformer");
        saveModelFolder(dir, *transformer, tpqtest::tokenizerFor(*transformer), ModelInfo{});
        ExportOptions o;
        o.format = ExportFormat::HuggingFace;
        o.output = path("transformer_hf");
        expectError([&] { exportModel(dir, o); }, {"custom Transformer has no Hugging Face architecture"});
        QVERIFY(!std::filesystem::exists(o.output));
        // An output that exists is kept unless forced.
        ensureDirectory(path("taken"));
        writeFileAtomic(path("taken/keep.txt"), "mine");
        o.output = path("taken");
        expectError([&] { exportModel(tpqtest::dataPath("tiny_bert"), o); }, {"taken exists; pass --force"});
        QCOMPARE(QString::fromStdString(readFile(path("taken/keep.txt"))), QString("mine"));
        o.force = true;
        exportModel(tpqtest::dataPath("tiny_bert"), o);
        QVERIFY(std::filesystem::exists(path("taken/config.json")));
        QVERIFY(!std::filesystem::exists(path("taken/keep.txt")));
        QVERIFY(!parseExportFormat("tflite"));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
