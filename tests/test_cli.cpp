// The tpq binary as a user runs it: exit codes, stdout, and the error messages on stderr.

#include <QProcess>
#include <QStandardPaths>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "io/model_folder.h"
#include "prune/unstructured_pruning.h"
#include "test_support.h"
#include "util/file_io.h"

using tpq::LoadedModel;
using tpq::loadModelFolder;
using tpq::UnstructuredPruning;

namespace {

using Run = tpqtest::CliRun;
using tpqtest::contains;
using tpqtest::tpqRun;

std::string readFileQ(const QString& path) {
    return tpq::readFile(path.toStdString());
}

nlohmann::json readJson(const QString& path) {
    return nlohmann::json::parse(readFileQ(path));
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString work() const { return m_dir.path(); }
    QString config(const std::string& name, const std::string& yaml) {
        return QString::fromStdString(tpqtest::writeFile(m_dir, name, yaml));
    }

private Q_SLOTS:
    void versionAndHelp() {
        const Run v = tpqRun({"--version"}, work());
        QCOMPARE(v.code, 0);
        REQUIRE_CONTAINS(v.out, "tpq 0.1.0");
        const Run h = tpqRun({"--help"}, work());
        QCOMPARE(h.code, 0);
        for (const char* cmd : {"info", "data", "tokenize", "--dump-config", "--config"}) REQUIRE_CONTAINS(h.out, cmd);
    }

    void tokenizeAcceptance() {
        const Run r = tpqRun(
            {"tokenize", "--vocab", QString::fromStdString(tpqtest::bertVocabJson()), "unaffable", "strawberries"},
            work());
        QCOMPARE(r.code, 0);
        TPQ_COMPARE_STR(r.out, "una ##ffa ##ble\nstraw ##berries\n");
        const Run ids = tpqRun({"tokenize", "--vocab", QString::fromStdString(tpqtest::bertVocabJson()), "--max-length",
                                "8", "--pad", "--ids", "i like strawberries"},
                               work());
        QCOMPARE(ids.code, 0);
        TPQ_COMPARE_STR(ids.out, "101 1045 2066 13137 20968 102 0 0\n");
    }

    void infoNamesOpenBlasAndOnednn() {
        const Run r = tpqRun({"info"}, work());
        QCOMPARE(r.code, 0);
        REQUIRE_CONTAINS(r.out, "implementation OpenBLAS");
        REQUIRE_CONTAINS(r.out, "ONEDNN");
        REQUIRE_CONTAINS(r.out, "LibTorch       1.13");
    }

    void dataStatsOnCsv() {
        const QString cfg =
            config("csv.yaml", "data:\n  dataset: csv\n  path: " + tpqtest::dataPath("csv/reviews.csv") +
                                   "\n  text_column: review\n  label_column: sentiment\n"
                                   "  train_ratio: 0.5\n  val_ratio: 0.0\n  test_ratio: 0.5\n");
        const Run r = tpqRun({"data", "stats", "--config", cfg}, work());
        QCOMPARE(r.code, 0);
        REQUIRE_CONTAINS(r.out, "5 records read, 0 skipped, 1 exact duplicates removed");
        REQUIRE_CONTAINS(r.out, "negative                  2    50.0%");
        REQUIRE_CONTAINS(r.out, "positive                  2    50.0%");
        REQUIRE_CONTAINS(r.out, "p50");
        // The log file is written under output.log_dir (default logs/).
        QVERIFY(QFile::exists(work() + "/logs/tpq.log"));
        const Run j = tpqRun({"data", "stats", "--json", "--config", cfg}, work());
        QCOMPARE(j.code, 0);
        REQUIRE_CONTAINS(j.out, "\"duplicates_removed\": 1");
    }

    void dumpConfig() {
        const QString cfg = config("dump.yaml", "training:\n  epochs: 7\n");
        const Run r = tpqRun({"--dump-config", "--config", cfg}, work());
        QCOMPARE(r.code, 0);
        REQUIRE_CONTAINS(r.out, "  epochs: 7\n");
        REQUIRE_CONTAINS(r.out, "  batch_size: 32\n");
    }

    // ---- errors: non-zero exit, message with where and what to do --------------------

    void missingConfig() {
        const Run r = tpqRun({"data", "stats", "--config", "/no/such.yaml"}, work());
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, "error: config file not found: /no/such.yaml");
        const Run none = tpqRun({"data", "stats"}, work());
        QCOMPARE(none.code, 1);
        REQUIRE_CONTAINS(none.err, "needs --config FILE");
    }

    void yamlSyntaxError() {
        const QString cfg = config("syntax.yaml", "model:\n  name: bert-mini\ntraining:\n  epochs: [1, 2\n");
        const Run r = tpqRun({"--dump-config", "--config", cfg}, work());
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, cfg.toStdString() + ":5:");
        REQUIRE_CONTAINS(r.err, "YAML syntax error");
    }

    void wrongTypedValue() {
        const QString cfg = config("type.yaml", "training:\n  epochs: three\n");
        const Run r = tpqRun({"data", "stats", "--config", cfg}, work());
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, cfg.toStdString() + ":2:11: training.epochs must be an integer, got 'three'");
    }

    void unknownKeyWarnsAndStrictFails() {
        const QString cfg = config("unknown.yaml", "training:\n  epoch: 2\n");
        const Run r = tpqRun({"--dump-config", "--config", cfg}, work());
        QCOMPARE(r.code, 0);
        REQUIRE_CONTAINS(r.err, "unknown key 'training.epoch'; did you mean 'training.epochs'?");
        const Run s = tpqRun({"--strict", "--dump-config", "--config", cfg}, work());
        QCOMPARE(s.code, 1);
        REQUIRE_CONTAINS(s.err, "--strict");
    }

    void usageErrorsExitOne() {
        QCOMPARE(tpqRun({"data"}, work()).code, 1);
        QCOMPARE(tpqRun({"--threads", "-3", "info"}, work()).code, 1);
        QCOMPARE(tpqRun({"--threads", "abc", "info"}, work()).code, 1);
        const QString vocab = QString::fromStdString(tpqtest::bertVocabJson());
        const Run pad = tpqRun({"tokenize", "--vocab", vocab, "--pad", "hi"}, work());
        QCOMPARE(pad.code, 1);
        REQUIRE_CONTAINS(pad.err, "--max-length");
        QCOMPARE(tpqRun({"tokenize", "--vocab", vocab, "--max-length", "2", "hi"}, work()).code, 1);
        // Out-of-range values are errors naming the value, never a silent fall-back to the
        // config's defaults (issue 17: --sparsity -0.5 ran the whole default sweep).
        for (const char* bad : {"-0.5", "nan", "inf", "1", "0.5x"}) {
            const Run r = tpqRun({"prune", "--model", "no-such-model", "--unstructured", "--sparsity", bad}, work());
            QVERIFY2(r.code == 1, bad);
            REQUIRE_CONTAINS(r.err, std::string("--sparsity: "));
            REQUIRE_CONTAINS(r.err, bad);
        }
        const Run ffn = tpqRun({"prune", "--model", "m", "--structured", "--ffn-sparsity", "nan"}, work());
        QCOMPARE(ffn.code, 1);
        REQUIRE_CONTAINS(ffn.err, "--ffn-sparsity: must be a fraction in [0, 1)");
        for (const char* bad : {"-5", "0"}) {
            const Run r = tpqRun({"predict", "--model", "m", "--max-length", bad, "hi"}, work());
            QVERIFY2(r.code == 1, bad);
            REQUIRE_CONTAINS(r.err, std::string("--max-length: Value ") + bad + " not in range 3 to 8192");
        }
        // Commands without a config write no log folder into the working directory.
        QTemporaryDir clean;
        QCOMPARE(tpqRun({"tokenize", "--vocab", vocab, "hi"}, clean.path()).code, 0);
        QCOMPARE(tpqRun({}, clean.path()).code, 0);
        QVERIFY(!QFile::exists(clean.path() + "/logs"));
    }

    void trainEvaluatePredictBench() {
        // A tiny, easy CSV task: spam texts mention "prize", ham texts do not.
        std::string csv = "text,label\n";
        for (int i = 0; i < 40; ++i) {
            csv += "win a prize now number " + std::to_string(i) + ",spam\n";
            csv += "meeting notes for project " + std::to_string(i) + ",ham\n";
        }
        const std::string data = tpqtest::writeFile(m_dir, "tiny.csv", csv);
        const QString cfg = config("tiny.yaml",
                                   "name: tiny\nseed: 1\nthreads: 1\nmodel:\n  name: transformer\n"
                                   "  d_model: 16\n  num_heads: 2\n  num_layers: 1\n  d_ff: 32\n"
                                   "data:\n  dataset: csv\n  path: " +
                                       data +
                                       "\n  max_length: 16\ntokenizer:\n  type: word\n  min_frequency: 1\n"
                                       "training:\n  batch_size: 8\n  learning_rate: 5e-3\n  epochs: 3\n");
        const Run t = tpqRun({"train", "--config", cfg}, work());
        QVERIFY2(t.code == 0, t.err.c_str());
        REQUIRE_CONTAINS(t.out, "test accuracy");
        const QString result = work() + "/results/tiny/result.json";
        QVERIFY(QFile::exists(result));
        QFile f(result);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        for (const char* key : {"run_id", "method", "accuracy", "precision", "recall", "f1", "loss", "confusion_matrix",
                                "num_parameters", "nonzero_parameters", "sparsity", "size_bytes", "latency_ms_p50",
                                "latency_ms_p95", "throughput", "model_dir"}) {
            QVERIFY2(j.contains(key), key);
        }
        QVERIFY(j["accuracy"].get<double>() >= 0.75);
        QVERIFY(j["size_bytes"].get<int64_t>() > 0);
        QVERIFY(QFile::exists(work() + "/results/tiny/history.csv"));
        QVERIFY(QFile::exists(work() + "/checkpoints/tiny/model.safetensors"));

        const Run e = tpqRun({"evaluate", "--model", "checkpoints/tiny", "--json"}, work());
        QVERIFY2(e.code == 0, e.err.c_str());
        QCOMPARE(nlohmann::json::parse(e.out)["accuracy"].get<double>(), j["accuracy"].get<double>());

        const Run p = tpqRun({"predict", "--model", "checkpoints/tiny", "win a prize now", "meeting notes"}, work());
        QVERIFY2(p.code == 0, p.err.c_str());
        QVERIFY(p.out.rfind("spam\t", 0) == 0);
        REQUIRE_CONTAINS(p.out, "\nham\t");

        const Run b = tpqRun(
            {"bench", "--model", "checkpoints/tiny", "--batch-size", "2", "--seq-len", "16", "--batches", "3"}, work());
        QVERIFY2(b.code == 0, b.err.c_str());
        QVERIFY(nlohmann::json::parse(b.out)["latency_ms_p50"].get<double>() > 0);

        if (!QStandardPaths::findExecutable("node").isEmpty()) {
            // ONNX Runtime on the model's ONNX export: the same accuracy, every prediction the same.
            const Run eo = tpqRun({"evaluate", "--model", "checkpoints/tiny", "--json", "--engine", "ort"}, work());
            QVERIFY2(eo.code == 0, eo.err.c_str());
            const auto ej = nlohmann::json::parse(eo.out);
            TPQ_COMPARE_STR(ej["engine"].get<std::string>(), "ort");
            QCOMPARE(ej["accuracy"].get<double>(), j["accuracy"].get<double>());
            QCOMPARE(ej["agreement_with_tpq"].get<double>(), 1.0);
            const Run bo = tpqRun({"bench", "--model", "checkpoints/tiny", "--batch-size", "2", "--seq-len", "16",
                                   "--batches", "3", "--engine", "ort"},
                                  work());
            QVERIFY2(bo.code == 0, bo.err.c_str());
            const auto bj = nlohmann::json::parse(bo.out);
            QVERIFY(bj["ort"]["latency_ms_p50"].get<double>() > 0);
            QCOMPARE(bj["ort"]["threads"].get<int>(), bj["threads"].get<int>());
        } else {
            qWarning("node is not installed: tpq evaluate/bench --engine ort not checked");
        }
        const Run badEngine = tpqRun({"evaluate", "--model", "checkpoints/tiny", "--engine", "tflite"}, work());
        QCOMPARE(badEngine.code, 1);
        REQUIRE_CONTAINS(badEngine.err, "--engine: tflite not in {tpq,ort}");

        const Run resumed = tpqRun({"train", "--resume", "--config", cfg}, work());
        QVERIFY2(resumed.code == 0, resumed.err.c_str());
        REQUIRE_CONTAINS(resumed.err, "resuming at epoch 4");

        const Run missing = tpqRun({"evaluate", "--model", "checkpoints/none"}, work());
        QCOMPARE(missing.code, 1);
        REQUIRE_CONTAINS(missing.err, "model folder not found: checkpoints/none");

        // Unstructured pruning of the trained model: one level, no fine-tuning.
        const Run pr = tpqRun(
            {"prune", "--unstructured", "--model", "checkpoints/tiny", "--sparsity", "0.5", "--fine-tune-epochs", "0"},
            work());
        QVERIFY2(pr.code == 0, pr.err.c_str());
        REQUIRE_CONTAINS(pr.out, "tiny_unstructured_50");
        const auto pj = readJson(work() + "/results/tiny_unstructured_50/result.json");
        TPQ_COMPARE_STR(pj["method"].get<std::string>(), "unstructured");
        QCOMPARE(pj["target_sparsity"].get<double>(), 0.5);
        QVERIFY(pj["layer_sparsity"].contains("layers.0.linear1"));
        QVERIFY(pj.contains("accuracy_drop"));
        {
            // The saved weights in scope are half zeros.
            LoadedModel pruned = loadModelFolder((work() + "/checkpoints/tiny_unstructured_50").toStdString());
            const double s = UnstructuredPruning(*pruned.model).sparsity();
            QVERIFY2(std::abs(s - 0.5) <= 0.005, std::to_string(s).c_str());
        }
        // A sweep from the config's levels, fine-tuned with the zeros kept.
        const QString sweepCfg = config("sweep.yaml", readFileQ(cfg) +
                                                          "pruning:\n  fine_tune_epochs: 1\n  unstructured:\n"
                                                          "    sparsity_levels: [0.3, 0.6]\n");
        const Run sweep =
            tpqRun({"prune", "--unstructured", "--model", "checkpoints/tiny", "--config", sweepCfg}, work());
        QVERIFY2(sweep.code == 0, sweep.err.c_str());
        for (const char* run : {"tiny_unstructured_30_ft1", "tiny_unstructured_60_ft1"}) {
            const auto rj = readJson(work() + "/results/" + run + "/result.json");
            QCOMPARE(rj["fine_tune_epochs"].get<int>(), 1);
            QVERIFY(QFile::exists(work() + "/results/" + run + "/history.csv"));
            LoadedModel pruned = loadModelFolder((work() + "/checkpoints/" + run).toStdString());
            const double s = UnstructuredPruning(*pruned.model).sparsity();
            QVERIFY2(std::abs(s - rj["target_sparsity"].get<double>()) <= 0.005, run);
        }
        const Run twoMethods =
            tpqRun({"prune", "--unstructured", "--structured", "--model", "checkpoints/tiny"}, work());
        QCOMPARE(twoMethods.code, 1);
        REQUIRE_CONTAINS(twoMethods.err, "give one pruning method");

        // Structured: one of the two heads and a quarter of the feed-forward neurons go.
        const Run st = tpqRun({"prune", "--structured", "--model", "checkpoints/tiny", "--heads", "1", "--ffn-sparsity",
                               "0.25", "--fine-tune-epochs", "1"},
                              work());
        QVERIFY2(st.code == 0, st.err.c_str());
        REQUIRE_CONTAINS(st.out, "tiny_structured_h1_ffn25_ft1");
        {
            const auto sj = readJson(work() + "/results/tiny_structured_h1_ffn25_ft1/result.json");
            TPQ_COMPARE_STR(sj["method"].get<std::string>(), "structured");
            QCOMPARE(sj["heads_kept"].size(), size_t(1));
            QCOMPARE(sj["heads_kept"][0].size(), size_t(2));
            QCOMPARE(int(sj["heads_kept"][0][0].get<bool>()) + int(sj["heads_kept"][0][1].get<bool>()), 1);
            QCOMPARE(sj["head_importance"][0].size(), size_t(2));
            QCOMPARE(sj["ffn_kept"][0].get<int>(), 24);
            QVERIFY(sj["num_parameters"].get<int64_t>() < sj["baseline_parameters"].get<int64_t>());
            QVERIFY(sj["size_ratio"].get<double>() < 1.0);
            QVERIFY(sj["speedup"].get<double>() > 0.0);
            LoadedModel pruned = loadModelFolder((work() + "/checkpoints/tiny_structured_h1_ffn25_ft1").toStdString());
            QCOMPARE(pruned.model->headsPerLayer(), (std::vector<int64_t>{1}));
            QCOMPARE(pruned.model->ffnWidths(), (std::vector<int64_t>{24}));
        }
        const Run tooMany = tpqRun({"prune", "--structured", "--model", "checkpoints/tiny", "--heads", "3"}, work());
        QCOMPARE(tooMany.code, 1);
        REQUIRE_CONTAINS(tooMany.err, "cannot prune 3 heads: the model has only 2");
        const Run allHeads = tpqRun({"prune", "--structured", "--model", "checkpoints/tiny", "--heads", "2"}, work());
        QCOMPARE(allHeads.code, 1);
        REQUIRE_CONTAINS(allHeads.err, "would remove every head of a layer");
        const Run headsFlag =
            tpqRun({"prune", "--unstructured", "--model", "checkpoints/tiny", "--heads", "1"}, work());
        QCOMPARE(headsFlag.code, 1);
        REQUIRE_CONTAINS(headsFlag.err, "--heads and --ffn-sparsity are for --structured");
        // Blocks of 1x4: named in the run id, recorded in tpq.json, and each layer's kernel in result.json.
        const Run blocks = tpqRun(
            {"prune", "--unstructured", "--model", "checkpoints/tiny", "--sparsity", "0.5", "--block", "1x4"}, work());
        QVERIFY2(blocks.code == 0, blocks.err.c_str());
        {
            const auto bj = readJson(work() + "/results/tiny_unstructured_50_b1x4_ft1/result.json");
            QVERIFY(bj["layer_kernels"].is_object());
            QVERIFY(bj["layer_kernels"].contains("layers.0.linear1"));
            QVERIFY(bj["layer_kernels"]["layers.0.linear1"].contains("sparse"));
            const auto info = readJson(work() + "/checkpoints/tiny_unstructured_50_b1x4_ft1/tpq.json");
            QCOMPARE(info["pruning"]["block"], nlohmann::json::array({1, 4}));
        }
        const Run badBlock =
            tpqRun({"prune", "--unstructured", "--model", "checkpoints/tiny", "--block", "0x4"}, work());
        QCOMPARE(badBlock.code, 1);
        REQUIRE_CONTAINS(badBlock.err, "--block: '0x4' is not a block shape");
        const Run structuredBlock =
            tpqRun({"prune", "--structured", "--model", "checkpoints/tiny", "--block", "1x4"}, work());
        QCOMPARE(structuredBlock.code, 1);
        REQUIRE_CONTAINS(structuredBlock.err, "--block is for --unstructured and --progressive");
        const Run badLevel =
            tpqRun({"prune", "--unstructured", "--model", "checkpoints/tiny", "--sparsity", "1.5"}, work());
        QCOMPARE(badLevel.code, 1);
        REQUIRE_CONTAINS(badLevel.err, "--sparsity: must be a fraction in [0, 1) (0.5 removes half), got 1.5");

        // Quantization: every method writes a quantized folder that reloads, and result.json
        // with precision_map, size_ratio and speedup.
        const Run dq = tpqRun({"quantize", "--dynamic", "--model", "checkpoints/tiny"}, work());
        QVERIFY2(dq.code == 0, dq.err.c_str());
        REQUIRE_CONTAINS(dq.out, "tiny_dynamic_int8");
        {
            const auto qj = readJson(work() + "/results/tiny_dynamic_int8/result.json");
            TPQ_COMPARE_STR(qj["method"].get<std::string>(), "dynamic_quantization");
            TPQ_COMPARE_STR(qj["precision_map"]["layers.0.linear1"].get<std::string>(), "int8");
            TPQ_COMPARE_STR(qj["precision_map"]["classifier"].get<std::string>(), "fp32");
            TPQ_COMPARE_STR(qj["precision_map"]["embedding.weight"].get<std::string>(), "int8");
            QVERIFY(qj["size_ratio"].get<double>() < 1.0);  // the folder: vocab.txt and tpq.json weigh a lot here
            // 3,106 parameters: the safetensors header is a large part of this file.
            QVERIFY2(qj["weights_compression_ratio"].get<double>() > 1.5, qj.dump().c_str());
            QVERIFY(qj["speedup"].get<double>() > 0.0);
            QVERIFY(qj.contains("accuracy_drop"));
            LoadedModel q = loadModelFolder((work() + "/checkpoints/tiny_dynamic_int8").toStdString());
            QVERIFY(q.model->isQuantized());
            QCOMPARE(qj["accuracy"].get<double>(), j["accuracy"].get<double>() - qj["accuracy_drop"].get<double>());
        }
        const QString qcfg = config("q.yaml", readFileQ(cfg) +
                                                  "quantization:\n  calibration_batches: 2\n  observer: percentile\n"
                                                  "  qat:\n    epochs: 1\n    learning_rate: 1e-4\n"
                                                  "  mixed_precision:\n    num_samples: 8\n    top_k: 2\n"
                                                  "    group_size: 16\n    int4_layers: 2\n");
        const Run sq = tpqRun({"quantize", "--static", "--model", "checkpoints/tiny", "--config", qcfg}, work());
        QVERIFY2(sq.code == 0, sq.err.c_str());
        QVERIFY(QFile::exists(work() + "/results/tiny_static_int8_percentile/result.json"));
        const Run qat = tpqRun({"quantize", "--qat", "--model", "checkpoints/tiny", "--config", qcfg}, work());
        QVERIFY2(qat.code == 0, qat.err.c_str());
        {
            const auto qj = readJson(work() + "/results/tiny_qat_int8/result.json");
            QVERIFY(qj.contains("fake_quant_accuracy"));
            QVERIFY(QFile::exists(work() + "/results/tiny_qat_int8/history.csv"));
        }
        const Run mixed = tpqRun({"quantize", "--mixed", "--model", "checkpoints/tiny", "--config", qcfg}, work());
        QVERIFY2(mixed.code == 0, mixed.err.c_str());
        REQUIRE_CONTAINS(mixed.out, "layer sensitivity");
        for (const char* run : {"tiny_mixed_all_int8", "tiny_mixed_top2_bf16", "tiny_mixed_int4_2"}) {
            const auto mj = readJson(work() + "/results/" + run + "/result.json");
            QCOMPARE(mj["layer_sensitivity"].size(), size_t(6));
            QVERIFY2(mj.contains("estimated_size_bytes"), run);
        }
        {
            const auto mj = readJson(work() + "/results/tiny_mixed_int4_2/result.json");
            int int4 = 0;
            for (const auto& [layer, p] : mj["precision_map"].items()) int4 += p.get<std::string>() == "int4";
            QCOMPARE(int4, 2);
        }
        const Run again = tpqRun({"quantize", "--dynamic", "--model", "checkpoints/tiny_dynamic_int8"}, work());
        QCOMPARE(again.code, 1);
        REQUIRE_CONTAINS(again.err, "already quantized");
        const Run twoQ = tpqRun({"quantize", "--dynamic", "--static", "--model", "checkpoints/tiny"}, work());
        QCOMPARE(twoQ.code, 1);
        REQUIRE_CONTAINS(twoQ.err, "give one quantization method");
        const Run badObserver =
            tpqRun({"quantize", "--static", "--observer", "kl", "--model", "checkpoints/tiny"}, work());
        QCOMPARE(badObserver.code, 1);
        REQUIRE_CONTAINS(badObserver.err, "unknown observer 'kl'");
        const Run zeroBatches =
            tpqRun({"quantize", "--static", "--calibration-batches", "0", "--model", "checkpoints/tiny"}, work());
        QCOMPARE(zeroBatches.code, 1);
        REQUIRE_CONTAINS(zeroBatches.err, "--calibration-batches: Value 0 not in range 1");
        const QString zeroCfg = config("z.yaml", readFileQ(cfg) + "quantization:\n  calibration_batches: 0\n");
        const Run zeroInConfig =
            tpqRun({"quantize", "--static", "--model", "checkpoints/tiny", "--config", zeroCfg}, work());
        QCOMPARE(zeroInConfig.code, 1);
        REQUIRE_CONTAINS(zeroInConfig.err, "quantization.calibration_batches must be >= 1, got 0");
        const QString badGroup =
            config("g.yaml", readFileQ(cfg) + "quantization:\n  mixed_precision:\n    group_size: 7\n");
        const Run badG = tpqRun({"quantize", "--mixed", "--model", "checkpoints/tiny", "--config", badGroup}, work());
        QCOMPARE(badG.code, 1);
        REQUIRE_CONTAINS(badG.err, "group_size");
    }

    // A Hugging Face folder without tpq.json: predictions carry config.json's id2label names
    // (tests/data/tiny_bert: negative, neutral, positive), not 0/1/2.
    void huggingFaceLabelNames() {
        const Run r =
            tpqRun({"predict", "--model", QString(TPQ_TEST_DATA) + "/tiny_bert", "a fine film", "dull"}, work());
        QVERIFY2(r.code == 0, r.err.c_str());
        int named = 0;
        for (const QString& line : QString::fromStdString(r.out).split('\n', Qt::SkipEmptyParts)) {
            const QString label = line.section('\t', 0, 0);
            if (label == "negative" || label == "neutral" || label == "positive") ++named;
        }
        QCOMPARE(named, 2);
        // tpq export: a Hugging Face folder that predicts the same; errors exit 1 naming the problem.
        const QString model = QString(TPQ_TEST_DATA) + "/tiny_bert";
        const Run ex = tpqRun({"export", "--model", model, "--format", "hf", "--output", "hf_out"}, work());
        QVERIFY2(ex.code == 0, ex.err.c_str());
        REQUIRE_CONTAINS(ex.out, "export.json");
        const Run again = tpqRun({"export", "--model", model, "--format", "hf", "--output", "hf_out"}, work());
        QCOMPARE(again.code, 1);
        REQUIRE_CONTAINS(again.err, "hf_out exists; pass --force");
        const Run unknown = tpqRun({"export", "--model", model, "--format", "tflite", "--output", "x"}, work());
        QCOMPARE(unknown.code, 1);
        REQUIRE_CONTAINS(unknown.err, "unknown export format 'tflite'");
        const Run back = tpqRun({"predict", "--model", "hf_out", "a fine film"}, work());
        QVERIFY2(back.code == 0, back.err.c_str());
        QCOMPARE(QString::fromStdString(back.out), QString::fromStdString(r.out).section('\n', 0, 0) + "\n");
    }

    void badDataFiles() {
        const std::string noLabel = tpqtest::writeFile(m_dir, "nolabel.csv", "text,label\nfine,a\nno label here\n");
        const QString c1 = config("nolabel.yaml", "data:\n  dataset: csv\n  path: " + noLabel + "\n");
        const Run r1 = tpqRun({"data", "stats", "--config", c1}, work());
        QCOMPARE(r1.code, 1);
        REQUIRE_CONTAINS(r1.err, noLabel + ":3: row 2 has 1 field(s)");

        const std::string binary = tpqtest::writeFile(m_dir, "binary.csv", std::string("PK\x03\x04\0\0\0\x08\0\0", 10));
        const QString c2 = config("binary.yaml", "data:\n  dataset: csv\n  path: " + binary + "\n");
        const Run r2 = tpqRun({"data", "stats", "--config", c2}, work());
        QCOMPARE(r2.code, 1);
        REQUIRE_CONTAINS(r2.err, "looks like a binary file");

        const QString c3 = config("missing.yaml", "data:\n  dataset: csv\n  path: /no/such.csv\n");
        const Run r3 = tpqRun({"data", "stats", "--config", c3}, work());
        QCOMPARE(r3.code, 1);
        REQUIRE_CONTAINS(r3.err, "CSV file not found: /no/such.csv");

        const Run r4 = tpqRun({"tokenize", "--vocab", "/no/vocab.txt", "x"}, work());
        QCOMPARE(r4.code, 1);
        REQUIRE_CONTAINS(r4.err, "vocabulary file not found: /no/vocab.txt");
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
