// tpq export: Hugging Face folders of pruned and quantized BERT models that reload to the
// same logits — in our loader, and in an independent plain-PyTorch reader that follows
// transformers' rules (tests/data/hf_export/check_export.py, whose logits for the exported
// folder are checked in) — and the errors: the custom Transformer, an existing output.

#include <QTemporaryDir>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "cli_runner.h"
#include "export/model_export.h"
#include "io/model_folder.h"
#include "models/bert_model.h"
#include "quant/post_training_quantization.h"
#include "test_support.h"
#include "tiny_models.h"
#include "util/file_io.h"
#include "util/strings.h"

using namespace tpq;
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

private Q_SLOTS:
    void initTestCase() {
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
        LoadedModel floatCopy = loadModelFolder(tpqtest::dataPath("tiny_bert"));
        {
            torch::NoGradGuard noGrad;
            const auto q = m.model->linearLayers();
            const auto f = floatCopy.model->linearLayers();
            for (size_t i = 0; i < q.size(); ++i)
                if (*q[i].kernel) f[i].linear->weight.copy_((*q[i].kernel)->dequantizedWeight());
            for (const auto& [name, table] : m.model->int8Embeddings())
                for (auto& p : floatCopy.model->named_parameters())
                    if (p.key() == name)
                        p.value().copy_(table.values.to(torch::kFloat32) *
                                        table.scales.to(torch::kFloat32).unsqueeze(1));
        }
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
