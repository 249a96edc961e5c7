// Experiments end to end through the tpq binary, as a user runs them: a project file with
// a baseline and pruning, quantization and combined variants (`tpq run`), re-runs that skip
// finished variants and run an interrupted one again, `tpq compare` (comparison.csv that
// reads back into the result.json numbers, PNG plots that are not blank, report.md), and
// the errors: a project from a newer version, a project listing a missing run folder, a
// results folder with one corrupted result.json; 16 `tpq run --variant-index` processes on
// one project file at once, and `tpq status`; `tpq train --nproc 2` against one process.

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "cli_runner.h"
#include "experiment/project.h"
#include "experiment/results_store.h"
#include "experiment/run_result.h"
#include "experiment/step_plan.h"
#include "io/model_info.h"
#include "models/safetensors.h"
#include "test_support.h"
#include "tiny_project.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace {

using Run = tpqtest::CliRun;
using tpqtest::contains;
Run tpqRun(const QStringList& args, const QString& workDir,
           const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    return tpqtest::tpqRun(args, workDir, 280000, env);
}

nlohmann::json readJson(const std::string& path) {
    return nlohmann::json::parse(tpq::readFile(path));
}

// A CSV reader of our own (quoted cells with "" escapes), independent of the writer.
std::vector<std::vector<std::string>> readCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string cell;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(cell);
            cell.clear();
        } else if (c == '\n') {
            rows.back().push_back(cell);
            cell.clear();
            rows.emplace_back();
        } else {
            cell += c;
        }
    }
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

// Fraction of pixels that differ from the top-left (background) pixel, and distinct colours.
std::pair<double, size_t> imageContent(const QImage& image) {
    const QRgb background = image.pixel(0, 0);
    size_t differing = 0;
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = image.pixel(x, y);
            if (p != background) ++differing;
            if (colours.size() < 1000) colours.insert(p);
        }
    }
    return {double(differing) / double(image.width() * image.height()), colours.size()};
}

}  // namespace

class TestExperiment : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString work() const { return m_dir.path(); }
    std::string path(const std::string& rel) const { return work().toStdString() + "/" + rel; }

    // The project of the tiny task: a baseline and one variant of each kind.
    std::string writeProject() {
        tpqtest::writeTinyTask(m_dir);
        return tpqtest::writeFile(
            m_dir, "tiny.tpq.yaml",
            "tpq_project: 1\nname: tiny-project\nconfig: tiny.yaml\nresults_dir: out/results\n"
            "checkpoint_dir: out/checkpoints\nvariants:\n"
            "  - baseline\n"
            "  - {method: unstructured, sparsity: [0.3, 0.5], fine_tune_epochs: 0}\n"
            "  - {method: structured, heads: 0.5, ffn_sparsity: 0.25, fine_tune_epochs: 1}\n"
            "  - {method: dynamic}\n"
            "  - {method: combined, pruning: structured, heads: 0.5, ffn_sparsity: 0.25, fine_tune_epochs: 1,"
            " quantization: dynamic}\n");
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void projectRunsResumesAndCompares() {
        const std::string project = writeProject();
        // The data path in the config is relative: tpq runs from the folder holding it.
        const Run first = tpqRun({"run", QString::fromStdString(project)}, work());
        QVERIFY2(first.code == 0, (first.out + first.err).c_str());
        REQUIRE_CONTAINS(first.out, "[1/6] baseline: running as tiny");
        REQUIRE_CONTAINS(first.out, "[6/6] combined structured heads=0.5 ffn=0.25 ft=1 + dynamic: running");

        tpq::Project p = tpq::Project::load(project);
        QCOMPARE(p.variants().size(), size_t(6));  // the sparsity sweep made two
        std::map<std::string, std::string> ids;    // variant -> run id
        for (const auto& v : p.variants()) {
            const tpq::ProjectRun* r = p.findRun(v.key());
            QVERIFY2(r && r->status == tpq::RunStatus::Finished, v.key().c_str());
            QCOMPARE(r->runIds.size(), size_t(1));
            ids[std::string(tpq::methodName(v.method)) + (v.sparsity ? std::to_string(*v.sparsity) : "")] =
                r->runIds.front();
        }
        // Combined: the structured run of the project was reused, not pruned again.
        REQUIRE_CONTAINS(first.err, "combined: quantizing the finished pruning run " + ids["structured"]);
        const auto combined = readJson(path("out/results/" + ids["combined"] + "/result.json"));
        TPQ_COMPARE_STR(combined["method"].get<std::string>(), "combined");
        const auto structured = readJson(path("out/results/" + ids["structured"] + "/result.json"));
        QCOMPARE(combined["nonzero_parameters"].get<int64_t>(), structured["nonzero_parameters"].get<int64_t>());
        QCOMPARE(combined["pruned_nonzero_parameters"].get<int64_t>(), structured["nonzero_parameters"].get<int64_t>());
        const auto baseline = readJson(path("out/results/tiny/result.json"));
        QVERIFY(combined["nonzero_parameters"].get<int64_t>() < baseline["nonzero_parameters"].get<int64_t>());
        // Ratios versus the unpruned baseline, measured side by side.
        QVERIFY(combined["base_model_dir"].get<std::string>().find("out/checkpoints/tiny") != std::string::npos);
        QCOMPARE(combined["baseline_size_bytes"].get<int64_t>(), baseline["size_bytes"].get<int64_t>());
        QVERIFY(combined["compression_ratio"].get<double>() > 1.0);
        QVERIFY(combined["speedup"].get<double>() > 0);
        QVERIFY(combined.contains("speedup_batch1"));
        QVERIFY(combined.contains("accuracy_drop"));
        QVERIFY(baseline.contains("latency_batch1_ms_p50"));

        // A re-run skips every finished variant and touches no result.
        const std::string dynamicResult = path("out/results/" + ids["dynamic"] + "/result.json");
        const QDateTime before = QFileInfo(QString::fromStdString(dynamicResult)).lastModified();
        const Run again = tpqRun({"run", QString::fromStdString(project)}, work());
        QVERIFY2(again.code == 0, again.err.c_str());
        size_t skipped = 0;
        for (size_t at = again.out.find("skipped"); at != std::string::npos; at = again.out.find("skipped", at + 1))
            ++skipped;
        QCOMPARE(skipped, size_t(6));
        QCOMPARE(QFileInfo(QString::fromStdString(dynamicResult)).lastModified(), before);

        // What a kill in the middle of the dynamic variant leaves: the project says "running"
        // and its folder holds no result. The next run does that variant again, under the
        // same run id, and nothing else.
        std::string text = tpq::readFile(project);
        const std::string key = "variant: dynamic\n    status: finished";
        QVERIFY2(contains(text, key), text.c_str());
        text.replace(text.find(key), key.size(), "variant: dynamic\n    status: running");
        tpq::writeFileAtomic(project, text);
        QVERIFY(QFile::remove(QString::fromStdString(dynamicResult)));
        const Run resumed = tpqRun({"run", QString::fromStdString(project)}, work());
        QVERIFY2(resumed.code == 0, resumed.err.c_str());
        REQUIRE_CONTAINS(resumed.out, "dynamic: interrupted before, running again as " + ids["dynamic"]);
        skipped = 0;
        for (size_t at = resumed.out.find("skipped"); at != std::string::npos; at = resumed.out.find("skipped", at + 1))
            ++skipped;
        QCOMPARE(skipped, size_t(5));
        QVERIFY(QFile::exists(QString::fromStdString(dynamicResult)));
        QVERIFY(!QFile::exists(QString::fromStdString(path("out/results/" + ids["dynamic"] + "_2"))));

        // The project moved to another folder (with its outputs) opens the same.
        QTemporaryDir moved;
        QVERIFY(QProcess::execute("cp", {"-r", work() + "/out", work() + "/tiny.yaml", work() + "/tiny.csv",
                                         QString::fromStdString(project), moved.path()}) == 0);
        const tpq::Project copy = tpq::Project::load(moved.path().toStdString() + "/tiny.tpq.yaml");
        TPQ_COMPARE_STR(copy.config().output.resultsDir, moved.path().toStdString() + "/out/results");
        QCOMPARE(copy.runs().size(), p.runs().size());

        // tpq compare: the CSV reads back into the result.json numbers, exactly.
        const Run cmp = tpqRun({"compare", "--results-dir", "out/results", "--output-dir", "out/cmp"}, work());
        QVERIFY2(cmp.code == 0, cmp.err.c_str());
        const auto rows = readCsv(tpq::readFile(path("out/cmp/comparison.csv")));
        QCOMPARE(rows.size(), size_t(7));  // header + 6 runs
        const auto& header = rows.front();
        QCOMPARE(header, tpq::comparisonColumns());
        auto column = [&](const std::string& name) {
            return size_t(std::find(header.begin(), header.end(), name) - header.begin());
        };
        for (size_t r = 1; r < rows.size(); ++r) {
            const auto& row = rows[r];
            QCOMPARE(row.size(), header.size());
            const auto j = readJson(path("out/results/" + row[column("run_id")] + "/result.json"));
            for (const char* key : {"accuracy", "precision", "recall", "f1", "loss", "sparsity", "latency_ms_p50",
                                    "latency_ms_p95", "throughput", "latency_batch1_ms_p50"}) {
                QCOMPARE(std::stod(row[column(key)]), j[key].get<double>());
            }
            for (const char* key : {"num_parameters", "nonzero_parameters", "size_bytes"})
                QCOMPARE(std::stoll(row[column(key)]), j[key].get<int64_t>());
            if (j.contains("speedup")) QCOMPARE(std::stod(row[column("speedup")]), j["speedup"].get<double>());
            if (j.contains("accuracy_drop"))
                QCOMPARE(std::stod(row[column("accuracy_drop")]), j["accuracy_drop"].get<double>());
            const auto m = j["confusion_matrix"];
            TPQ_COMPARE_STR(row[column("confusion_matrix")],
                            std::to_string(m[0][0].get<int>()) + " " + std::to_string(m[0][1].get<int>()) + "; " +
                                std::to_string(m[1][0].get<int>()) + " " + std::to_string(m[1][1].get<int>()));
        }
        // Every plot: the expected size, and drawn (not one colour).
        const std::string report = tpq::readFile(path("out/cmp/report.md"));
        for (const char* png :
             {"training_curves.png", "accuracy.png", "f1.png", "size.png", "latency.png", "sparsity_vs_accuracy.png",
              "accuracy_vs_latency.png", "layer_sparsity_heatmap.png", "head_importance_heatmap.png"}) {
            QImage image;
            QVERIFY2(image.load(QString::fromStdString(path(std::string("out/cmp/") + png))), png);
            QCOMPARE(image.width(), 1000);
            QCOMPARE(image.height(), 600);
            const auto [ink, colours] = imageContent(image);
            QVERIFY2(ink > 0.01 && colours > 20, (std::string(png) + ": " + std::to_string(ink) +
                                                  " of the pixels drawn, " + std::to_string(colours) + " colours")
                                                     .c_str());
            REQUIRE_CONTAINS(report, std::string("](") + png + ")");
        }
        REQUIRE_CONTAINS(report, "| " + ids["combined"] + " | combined |");

        // One corrupted result.json: skipped with a warning naming it, the rest compared.
        tpq::writeFileAtomic(path("out/results/" + ids["dynamic"] + "/result.json"), "{\"run_id\": \"x\", \"accur");
        const Run bad = tpqRun({"compare", "--results-dir", "out/results", "--output-dir", "out/cmp2"}, work());
        QVERIFY2(bad.code == 0, bad.err.c_str());
        REQUIRE_CONTAINS(bad.err, "skipping out/results/" + ids["dynamic"] + "/result.json: not valid JSON");
        QCOMPARE(readCsv(tpq::readFile(path("out/cmp2/comparison.csv"))).size(), size_t(6));

        // A project whose finished run lost its result folder: a clear error, nothing written.
        QVERIFY(QDir(QString::fromStdString(path("out/results/" + ids["dynamic"]))).removeRecursively());
        const std::string projectText = tpq::readFile(project);
        const Run missing = tpqRun({"run", QString::fromStdString(project)}, work());
        QCOMPARE(missing.code, 1);
        REQUIRE_CONTAINS(missing.err, "run 'dynamic' lists the result folder " + path("out/results/" + ids["dynamic"]));
        REQUIRE_CONTAINS(missing.err, "delete this entry under runs:");
        TPQ_COMPARE_STR(tpq::readFile(project), projectText);
    }

    void projectErrors() {
        const std::string newer = tpqtest::writeFile(
            m_dir, "newer.tpq.yaml", "tpq_project: 7\nname: x\nconfig: tiny.yaml\nvariants: [baseline]\n");
        const Run r = tpqRun({"run", QString::fromStdString(newer)}, work());
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, newer + ":1:14: this project was written by a newer TPQ Studio (format 7");

        const std::string badKey = tpqtest::writeFile(
            m_dir, "badkey.tpq.yaml",
            "tpq_project: 1\nconfig: tiny.yaml\nvariants:\n  - baseline\n  - {method: unstructured, sparsty: 0.5}\n");
        const Run k = tpqRun({"run", QString::fromStdString(badKey)}, work());
        QCOMPARE(k.code, 1);
        REQUIRE_CONTAINS(k.err, badKey + ":5:");
        REQUIRE_CONTAINS(k.err, "unknown variant key 'sparsty'; did you mean 'sparsity'?");

        const std::string badMethod =
            tpqtest::writeFile(m_dir, "badmethod.tpq.yaml",
                               "tpq_project: 1\nconfig: tiny.yaml\nvariants: [baseline, {method: pruneit}]\n");
        const Run m = tpqRun({"run", QString::fromStdString(badMethod)}, work());
        QCOMPARE(m.code, 1);
        REQUIRE_CONTAINS(m.err, "unknown variant method 'pruneit'");

        // NaN and empty lists are errors at their line, not a default or no variant at all.
        const std::pair<const char*, const char*> bad[] = {
            {"{method: unstructured, sparsity: .nan}", "sparsity must be a number in [0, 1), got '.nan'"},
            {"{method: structured, heads: .nan}", "heads must be a number in [0, 1), got '.nan'"},
            {"{method: structured, heads: 0.5x}", "heads must be a number in [0, 1), got '0.5x'"},
            {"{method: structured, num_heads_to_prune: 2.5}", "num_heads_to_prune must be a whole number, got '2.5'"},
            {"{method: unstructured, sparsity: []}", "variant key 'sparsity' is an empty list"},
            {"{method: []}", "variant key 'method' is an empty list"},
            {"{method: unstructured, sparsity: -0.5}", "sparsity must be in [0, 1), got -0.5"}};
        for (const auto& [variant, message] : bad) {
            const std::string file = tpqtest::writeFile(
                m_dir, "badvalue.tpq.yaml",
                std::string("tpq_project: 1\nconfig: tiny.yaml\nvariants:\n  - baseline\n  - ") + variant + "\n");
            const Run b = tpqRun({"run", QString::fromStdString(file)}, work());
            QVERIFY2(b.code == 1, variant);
            REQUIRE_CONTAINS(b.err, file + ":5:");
            REQUIRE_CONTAINS(b.err, message);
        }

        const std::string notProject = tpqtest::writeFile(m_dir, "plain.tpq.yaml", "name: x\n");
        const Run n = tpqRun({"run", QString::fromStdString(notProject)}, work());
        QCOMPARE(n.code, 1);
        REQUIRE_CONTAINS(n.err, "not a TPQ Studio project (no tpq_project: version key)");

        const Run none = tpqRun({"compare", "--results-dir", "no/such/dir"}, work());
        QCOMPARE(none.code, 1);
        REQUIRE_CONTAINS(none.err, "results folder no/such/dir does not exist");
    }

    // tpq combined --config: the project <name>.tpq.yaml written and run; again: continued.
    void combinedCommand() {
        writeProject();  // the tiny task's data and config
        QTemporaryDir dir;
        QVERIFY(QFile::copy(work() + "/tiny.csv", dir.path() + "/tiny.csv"));
        QVERIFY(QFile::copy(work() + "/tiny.yaml", dir.path() + "/tiny.yaml"));
        const Run first = tpqRun({"combined", "--config", "tiny.yaml"}, dir.path());
        QVERIFY2(first.code == 0, (first.out + first.err).c_str());
        REQUIRE_CONTAINS(first.out, "wrote tiny.tpq.yaml");
        REQUIRE_CONTAINS(first.out, "[4/4] combined unstructured + dynamic: done");
        const tpq::Project project = tpq::Project::load(dir.path().toStdString() + "/tiny.tpq.yaml");
        QCOMPARE(project.runs().size(), size_t(4));
        const Run again = tpqRun({"combined", "--config", "tiny.yaml"}, dir.path());
        QVERIFY2(again.code == 0, again.err.c_str());
        REQUIRE_CONTAINS(again.out, "tiny.tpq.yaml exists: continuing that project");
        REQUIRE_CONTAINS(again.out, "[4/4] combined unstructured + dynamic: finished before");
    }

    // Acceptance of issue 17: the same settings through `tpq prune` / `tpq quantize` and
    // through a project variant (the path the GUI's Run takes: ExperimentRunner) make the
    // same model — every tensor of model.safetensors torch::equal — under the same run id.
    void sameSettingsSameModel() {
        writeProject();  // the tiny task's data and config
        QTemporaryDir cli, proj;
        for (const QTemporaryDir* d : {&cli, &proj}) {
            QVERIFY(QFile::copy(work() + "/tiny.csv", d->path() + "/tiny.csv"));
            tpqtest::writeFile(*d, "tiny.yaml",
                               tpq::readFile(path("tiny.yaml")) + "pruning:\n  progressive:\n    num_iterations: 2\n");
        }
        const Run train = tpqRun({"train", "--config", "tiny.yaml"}, cli.path());
        QVERIFY2(train.code == 0, train.err.c_str());
        const QString base = cli.path() + "/checkpoints/tiny";
        // (CLI arguments, the project variant with the same settings, the run ids both write)
        const std::vector<std::tuple<QStringList, std::string, std::vector<std::string>>> cases = {
            {{"prune", "--unstructured", "--sparsity", "0.5", "--fine-tune-epochs", "1"},
             "{method: unstructured, sparsity: 0.5, fine_tune_epochs: 1}",
             {"tiny_unstructured_50_ft1"}},
            {{"prune", "--structured", "--heads", "1", "--ffn-sparsity", "0.25", "--fine-tune-epochs", "1"},
             "{method: structured, num_heads_to_prune: 1, ffn_sparsity: 0.25, fine_tune_epochs: 1}",
             {"tiny_structured_h1_ffn25_ft1"}},
            {{"prune", "--structured", "--sparsity", "0.5", "--fine-tune-epochs", "0"},
             "{method: structured, heads: 0.5, ffn_sparsity: 0.5, fine_tune_epochs: 0}",
             {"tiny_structured_heads50_ffn50"}},
            {{"prune", "--progressive", "--sparsity", "0.4", "--fine-tune-epochs", "1"},
             "{method: progressive, sparsity: 0.4, fine_tune_epochs: 1}",
             {"tiny_progressive_40_ft1"}},
            {{"quantize", "--dynamic"}, "dynamic", {"tiny_dynamic_int8"}},
            {{"quantize", "--static", "--observer", "minmax", "--calibration-batches", "2"},
             "{method: static, observer: minmax, calibration_batches: 2}",
             {"tiny_static_int8_minmax"}},
            {{"quantize", "--qat", "--epochs", "1"}, "{method: qat, qat_epochs: 1}", {"tiny_qat_int8"}},
            {{"quantize", "--mixed"}, "mixed", {"tiny_mixed_all_int8", "tiny_mixed_top5_bf16", "tiny_mixed_int4_6"}},
        };
        std::string variants;
        for (const auto& [args, variant, ids] : cases) {
            const Run r = tpqRun(args + QStringList{"--model", base, "--config", "tiny.yaml"}, cli.path());
            QVERIFY2(r.code == 0, (args.join(" ").toStdString() + ": " + r.err).c_str());
            variants += "  - " + variant + "\n";
        }
        const std::string project =
            tpqtest::writeFile(proj, "same.tpq.yaml",
                               "tpq_project: 1\nname: same\nconfig: tiny.yaml\nbase_model: " + base.toStdString() +
                                   "\nvariants:\n" + variants);
        const Run run = tpqRun({"run", QString::fromStdString(project)}, proj.path());
        QVERIFY2(run.code == 0, (run.out.substr(run.out.size() > 600 ? run.out.size() - 600 : 0) + run.err).c_str());
        for (const auto& [args, variant, ids] : cases) {
            for (const auto& id : ids) {
                const std::string a = cli.path().toStdString() + "/checkpoints/" + id + "/model.safetensors";
                const std::string b = proj.path().toStdString() + "/checkpoints/" + id + "/model.safetensors";
                QVERIFY2(QFile::exists(QString::fromStdString(a)), (variant + ": no CLI run " + id).c_str());
                QVERIFY2(QFile::exists(QString::fromStdString(b)),
                         (variant + ": no project run " + id + "\n" + run.out).c_str());
                const auto ta = tpq::loadSafetensors(a), tb = tpq::loadSafetensors(b);
                QCOMPARE(ta.size(), tb.size());
                for (size_t i = 0; i < ta.size(); ++i) {
                    TPQ_COMPARE_STR(ta[i].name, tb[i].name);
                    QVERIFY2(torch::equal(ta[i].tensor, tb[i].tensor), (id + ": " + ta[i].name + " differs").c_str());
                }
                const auto ra = readJson(cli.path().toStdString() + "/results/" + id + "/result.json");
                const auto rb = readJson(proj.path().toStdString() + "/results/" + id + "/result.json");
                QCOMPARE(ra["accuracy"].get<double>(), rb["accuracy"].get<double>());
                TPQ_COMPARE_STR(ra["run_id"].get<std::string>(), id);
            }
        }
    }

    // result.json: one type, one writer, one reader. Every field written reads back, and
    // writing what was read gives the same text.
    void resultJsonRoundTrip() {
        tpq::RunResult r;
        r.runId = "m_combined_structured_h1_ffn25_dynamic_int8";
        r.method = tpq::Method::Combined;
        r.modelDir = "checkpoints/x";
        r.test.accuracy = 0.875;
        r.test.precision = 0.8;
        r.test.recall = 0.75;
        r.test.f1 = 0.7741935483870968;
        r.test.loss = 0.3125;
        r.test.confusionMatrix = {{3, 1}, {0, 4}};
        r.test.count = 8;
        r.labelNames = {"ham", "spam"};
        r.numParameters = 1234;
        r.nonzeroParameters = 1000;
        r.sparsity = 0.19;
        r.sizeBytes = 4096;
        r.latency.p50Ms = 1.5;
        r.latency.p95Ms = 2.25;
        r.latency.samplesPerSecond = 5333.5;
        r.latency.batchSize = 8;
        r.latency.seqLen = 16;
        r.latency.threads = 2;
        r.latencyBatch1 = r.latency;
        r.latencyBatch1.p50Ms = 0.5;
        r.kernelPath = "avx512_vnni+libtorch";
        r.layerKernels = {{"encoder.layer.0.ffn", {"int8", "avx512_vnni", true, "quads", 0.125}},
                          {"classifier", {"fp32", "libtorch", false, "", 1.0}}};
        r.notes = {"a note"};
        r.trainSeconds = 12.5;
        r.baseModelDir = "checkpoints/m";
        r.targetSparsity = 0.25;
        r.baselineAccuracy = 0.9;
        r.fineTuneEpochs = 1;
        r.layerSparsity = {{"encoder.layer.0.ffn", 0.5}, {"encoder.layer.1.ffn", 0.25}};
        r.pruningHistory = {{1, 0.1, 0.11, 0.85, true}, {2, 0.2, 0.21, 0.5, false}};
        r.headImportance = {{0.5, -1}, {0.25, 1}};
        r.headsKept = {{true, false}, {true, true}};
        r.ffnKept = {24, 32};
        r.ffnOriginal = {32, 32};
        r.baselineLatency.p50Ms = 3;
        r.baselineLatency.p95Ms = 4;
        r.baselineLatencyBatch1.p50Ms = 1;
        r.baselineSizeBytes = 8192;
        r.baselineParameters = 2000;
        r.precisionMap = {{"encoder.layer.0.ffn", "int8"}, {"encoder.layer.1.ffn", "int4"}, {"classifier", "fp32"}};
        r.fakeQuantAccuracy = 0.86;
        r.memoryBytes = 100;
        r.baselineMemoryBytes = 400;
        r.weightsBytes = 50;
        r.baselineWeightsBytes = 200;
        r.estimatedSizeBytes = 60;
        r.prunedModelDir = "checkpoints/p";
        r.prunedNonzeroParameters = 900;
        r.setting = "top1_bf16";
        r.layerSensitivity = {{"encoder.layer.0.ffn", 0.01, -0.02, std::nan(""), std::nan("")}};
        const std::string text = r.toJson();
        const tpq::RunResult back = tpq::RunResult::fromJson(text);
        TPQ_COMPARE_STR(back.toJson(), text);
        QVERIFY(back.method == tpq::Method::Combined);
        QCOMPARE(back.test.confusionMatrix, r.test.confusionMatrix);
        QCOMPARE(back.pruningHistory.size(), size_t(2));
        QVERIFY(!back.pruningHistory[1].withinBudget);
        QVERIFY(std::isnan(back.layerSensitivity[0].lossDeltaInt4));
        QCOMPARE(back.layerKernels.size(), size_t(2));
        QVERIFY(back.layerKernels[0].second.sparse && !back.layerKernels[1].second.sparse);
        QCOMPARE(back.layerKernels[0].second.density, 0.125);
        TPQ_COMPARE_STR(back.layerKernels[0].second.format, "quads");
        REQUIRE_CONTAINS(text, "\"layer_kernels\"");
        QCOMPARE(back.compressionRatio(), 2.0);
        QCOMPARE(back.speedup(), 2.0);
        QVERIFY(std::abs(back.accuracyDrop() - 0.025) < 1e-12);
        TPQ_COMPARE_STR(back.weightPrecision(), "int4+int8");  // ties: by name
        // result.json says dynamic_quantization (users' scripts read it), and reads back.
        tpq::RunResult d;
        d.runId = "m_dynamic_int8";
        d.method = tpq::Method::Dynamic;
        REQUIRE_CONTAINS(d.toJson(), "\"method\": \"dynamic_quantization\"");
        QVERIFY(tpq::RunResult::fromJson(d.toJson()).method == tpq::Method::Dynamic);
    }

    // A result.json as version 0.1 wrote it (no kernel_path, notes, batch-1 latency or
    // sizes of the base model; compression_ratio alone) loads, with its ratios.
    void resultJsonOfVersion01Loads() {
        const std::string old = R"({
  "run_id": "baseline_static_int8_minmax", "method": "static_quantization",
  "accuracy": 0.9, "precision": 0.8, "recall": 0.7, "f1": 0.75, "loss": 0.25,
  "confusion_matrix": [[5, 1], [1, 3]], "num_parameters": 100, "nonzero_parameters": 100,
  "sparsity": 0.0, "size_bytes": 1000, "latency_ms_p50": 2.0, "latency_ms_p95": 3.0,
  "throughput": 4000.0, "latency_batch_size": 8, "train_seconds": 0, "model_dir": "checkpoints/q",
  "base_model_dir": "checkpoints/baseline", "baseline_accuracy": 0.95, "accuracy_drop": 0.05,
  "compression_ratio": 3.5, "baseline_latency_ms_p50": 5.0, "speedup": 2.5,
  "precision_map": {"encoder.layer.0.attention.self.query": "int8"}})";
        const tpq::RunResult r = tpq::RunResult::fromJson(old);
        QVERIFY(r.method == tpq::Method::Static);
        QCOMPARE(r.compressionRatio(), 3.5);
        QCOMPARE(r.speedup(), 2.5);
        QVERIFY(std::abs(r.accuracyDrop() - 0.05) < 1e-12);
        QVERIFY(std::isnan(r.latencyBatch1.p50Ms));  // not measured then
        TPQ_COMPARE_STR(r.weightPrecision(), "int8");
        tpqtest::expectError([] { tpq::RunResult::fromJson(R"({"run_id": "x", "accuracy": "high"})"); },
                             {"key \"accuracy\" is not a number"});
        tpqtest::expectError([] { tpq::RunResult::fromJson(R"({"run_id": "x", "accuracy": 1, "method": "fancy"})"); },
                             {"unknown method 'fancy'"});
        tpqtest::expectError([] { tpq::RunResult::fromJson("{\"run_id\": \"x\""); }, {"not valid JSON"});
    }

    // tpq.json: one type, one writer, one reader; unknown keys kept; a damaged file is an
    // error naming it, never an unlabeled model.
    void modelInfoRoundTrip() {
        tpq::ModelInfo info;
        info.labelNames = {"ham", "spam"};
        info.maxLength = 64;
        info.trainingConfig = "name: x\nseed: 1\n";
        info.pruning = {{"method", "structured"}, {"num_heads_to_prune", 2}};
        info.quantization = {{"method", "dynamic"}, {"dtype", "qint8"}};
        info.metrics = {{"run_id", "x"}, {"accuracy", 0.5}};
        info.weightsStorage = {{"quant_format", "tpq-int8"}, {"quantized_tensors", 12}};
        info.other["from_a_newer_tool"] = {1, 2, 3};
        const std::string text = info.toJson();
        const tpq::ModelInfo back = tpq::ModelInfo::fromJson(text, "m/tpq.json");
        QVERIFY(back.present);
        QCOMPARE(back.labelNames, info.labelNames);
        QCOMPARE(back.maxLength, 64);
        TPQ_COMPARE_STR(back.trainingConfig, info.trainingConfig);
        QCOMPARE(back.pruning["num_heads_to_prune"].get<int>(), 2);
        TPQ_COMPARE_STR(back.toJson(), text);
        REQUIRE_CONTAINS(text, "\"format\": \"tpq-model-folder\"");
        tpqtest::expectError([] { tpq::ModelInfo::fromJson("{\"label_names\": [\"a\"", "m/tpq.json"); },
                             {"m/tpq.json: not valid JSON", "damaged"});
        tpqtest::expectError([] { tpq::ModelInfo::fromJson("{\"label_names\": \"ham\"}", "m/tpq.json"); },
                             {"m/tpq.json: \"label_names\" must be a list of strings, got a string \"ham\""});
        tpqtest::expectError([] { tpq::ModelInfo::fromJson("{\"version\": 7}", "m/tpq.json"); }, {"newer TPQ Studio"});
        QVERIFY(!tpq::ModelInfo::read(m_dir.path().toStdString() + "/no-such-folder").present);
    }

    // The project file: what create()/recordRun() write, load() reads back — variants with
    // every kind of setting, and runs with their state and provenance; a setting for
    // another method is refused with its file:line.
    void projectFileRoundTrip() {
        writeProject();  // tiny.yaml
        std::vector<tpq::VariantSpec> variants(6);
        variants[0].method = tpq::Method::Baseline;
        variants[1].method = tpq::Method::Structured;
        variants[1].numHeadsToPrune = 2;
        variants[1].ffnSparsity = 0.25;
        variants[1].fineTuneEpochs = 1;
        variants[2].method = tpq::Method::Static;
        variants[2].observer = "percentile";
        variants[2].calibrationBatches = 3;
        variants[3].method = tpq::Method::Qat;
        variants[3].qatEpochs = 2;
        variants[4].method = tpq::Method::Combined;
        variants[4].pruning = tpq::Method::Unstructured;
        variants[4].sparsity = 0.5;
        variants[4].quantization = tpq::Method::Static;
        variants[4].observer = "minmax";
        variants[5].method = tpq::Method::Combined;
        variants[5].pruning = tpq::Method::Progressive;
        variants[5].sparsity = 0.9;
        variants[5].block = tpq::BlockShape{1, 4};
        const std::string path = work().toStdString() + "/roundtrip.tpq.yaml";
        tpq::Project p = tpq::Project::create(path, tpq::ExperimentConfig::load(this->path("tiny.yaml")), variants);
        p.save();
        tpq::ProjectRun run;
        run.variant = variants[2].key();
        run.status = tpq::RunStatus::Cancelled;
        run.runIds = {"tiny_static_int8_percentile"};
        run.madeFrom = "tiny";
        run.madeFromHash = "fnv1a64:0123456789abcdef";
        p.recordRun(run);
        const tpq::Project back = tpq::Project::load(path);
        QCOMPARE(back.variants().size(), variants.size());
        for (size_t i = 0; i < variants.size(); ++i) TPQ_COMPARE_STR(back.variants()[i].key(), variants[i].key());
        TPQ_COMPARE_STR(back.variants()[1].key(), "structured num_heads=2 ffn=0.25 ft=1");
        TPQ_COMPARE_STR(back.variants()[5].key(), "combined progressive sparsity=0.9 block=1x4 + dynamic");
        // The run id names a block other than single weights.
        const tpq::StepPlan plan = tpq::resolve(back.variants()[5].pruningStep(), back.config(), "checkpoints/tiny");
        TPQ_COMPARE_STR(plan.runIds.front(), "tiny_progressive_90_b1x4_ft1");
        QCOMPARE(*back.variants()[2].calibrationBatches, 3);
        const tpq::ProjectRun* r = back.findRun(variants[2].key());
        QVERIFY(r && r->status == tpq::RunStatus::Cancelled);
        QCOMPARE(r->runIds, run.runIds);
        TPQ_COMPARE_STR(r->madeFromHash, run.madeFromHash);
        const std::string wrong = tpqtest::writeFile(
            m_dir, "wrong.tpq.yaml",
            "tpq_project: 1\nconfig: tiny.yaml\nvariants:\n  - baseline\n  - {method: dynamic, observer: minmax}\n");
        tpqtest::expectError(
            [&] { tpq::Project::load(wrong); },
            {wrong + ":5:5: observer is for static quantization (the variant is dynamic observer=minmax)"});
        // Block shapes: [1, 4] is one shape, [[1, 4], 4x1] a sweep of two; a bad one names its line.
        const std::string blocks =
            tpqtest::writeFile(m_dir, "blocks.tpq.yaml",
                               "tpq_project: 1\nconfig: tiny.yaml\nvariants:\n  - baseline\n"
                               "  - {method: unstructured, sparsity: 0.5, block: [1, 4]}\n"
                               "  - {method: progressive, sparsity: 0.8, block: [[1, 4], 4x1]}\n");
        const tpq::Project b = tpq::Project::load(blocks);
        QCOMPARE(b.variants().size(), size_t(4));
        TPQ_COMPARE_STR(b.variants()[1].key(), "unstructured sparsity=0.5 block=1x4");
        TPQ_COMPARE_STR(b.variants()[3].key(), "progressive sparsity=0.8 block=4x1");
        const std::string badBlock = tpqtest::writeFile(
            m_dir, "badblock.tpq.yaml",
            "tpq_project: 1\nconfig: tiny.yaml\nvariants:\n  - {method: unstructured, block: 0x4}\n");
        tpqtest::expectError([&] { tpq::Project::load(badBlock); }, {badBlock + ":4:", "block must be a block shape"});
        const std::string structuredBlock = tpqtest::writeFile(
            m_dir, "sblock.tpq.yaml",
            "tpq_project: 1\nconfig: tiny.yaml\nvariants:\n  - {method: structured, heads: 0.5, block: 1x4}\n");
        tpqtest::expectError([&] { tpq::Project::load(structuredBlock); },
                             {"block is for unstructured or progressive pruning"});
    }

    // 16 tpq processes, one variant each, on one project file (a Slurm job array without
    // Slurm): every state update lands, the file parses whenever a reader looks, no run id
    // is used twice; tpq status lists them.
    void concurrentRunsShareOneProjectFile() { runSixteenAtOnce("many", false); }

    // Where the filesystem has no file locks (TPQ_NO_FILE_LOCKS=1 stands in for one): every
    // variant's state in a file of its own, merged on read; nothing lost, no id twice.
    void concurrentRunsWithoutFileLocks() {
        runSixteenAtOnce("nolocks", true);
        const std::string path = work().toStdString() + "/nolocks.tpq.yaml";
        const tpq::Project after = tpq::Project::load(path);
        QCOMPARE(after.stateFilesMerged(), size_t(17));
        QVERIFY(QFileInfo::exists(work() + "/nolocks.states/run_ids/tiny_unstructured_30"));
        const Run status = tpqRun({"status", QString::fromStdString(path)}, work());
        REQUIRE_CONTAINS(status.out, "17 per-variant state file(s) in " + work().toStdString() + "/nolocks.states/");
        // With locks again, an update folds the variant's state into the project file.
        tpq::Project again = tpq::Project::load(path);
        tpq::ProjectRun run = *again.findRun("baseline");
        again.recordRun(run);
        QCOMPARE(tpq::Project::load(path).stateFilesMerged(), size_t(16));
        QVERIFY(tpq::Project::load(path).findRun("baseline")->status == tpq::RunStatus::Finished);
        // Two processes claiming one run id for two variants, each unaware of the other's
        // record: the exclusive claim file decides (the first wins; its variant keeps it).
        qputenv("TPQ_NO_FILE_LOCKS", "1");
        tpq::Project a = tpq::Project::load(path), b = tpq::Project::load(path);
        bool first = false, second = true, same = false;
        a.update([&](tpq::Project& p) { first = p.claimRunId("contested", "variant a"); });
        b.update([&](tpq::Project& p) { second = p.claimRunId("contested", "variant b"); });
        b.update([&](tpq::Project& p) { same = p.claimRunId("contested", "variant a"); });
        qunsetenv("TPQ_NO_FILE_LOCKS");
        QVERIFY(first);
        QVERIFY(!second);
        QVERIFY(same);
        // A damaged state file is an error naming it, not a silently missing run.
        tpqtest::writeFile(m_dir, "nolocks.states/zz-broken.yaml", "variant: [unclosed\n");
        try {
            (void)tpq::Project::load(path);
            QFAIL("a damaged state file was read");
        } catch (const tpq::Error& e) {
            REQUIRE_CONTAINS(std::string(e.what()), "zz-broken.yaml:");
            REQUIRE_CONTAINS(std::string(e.what()), "damaged variant state file");
        }
    }

    // 16 tpq run --variant-index i processes on one project file at once (a Slurm array),
    // a reader checking that the file always parses; every state recorded, no run id twice.
    void runSixteenAtOnce(const std::string& name, bool withoutLocks) {
        writeProject();  // tiny.csv, tiny.yaml
        std::string sparsities;
        for (int i = 1; i <= 16; ++i) sparsities += (i > 1 ? ", " : "") + std::to_string(0.05 * i).substr(0, 4);
        const std::string path =
            tpqtest::writeFile(m_dir, name + ".tpq.yaml",
                               "tpq_project: 1\nname: " + name + "\nconfig: tiny.yaml\nresults_dir: " + name +
                                   "/results\ncheckpoint_dir: " + name +
                                   "/checkpoints\nvariants:\n  - baseline\n"
                                   "  - {method: unstructured, sparsity: [" +
                                   sparsities + "], fine_tune_epochs: 0}\n");
        const QString project = QString::fromStdString(path);
        const Run early = tpqRun({"run", project, "--variant-index", "3"}, work());
        QCOMPARE(early.code, 1);
        REQUIRE_CONTAINS(early.err, "starts from the baseline, which is not finished: run it first");
        REQUIRE_CONTAINS(early.err, "--variant-index 0");
        const Run beyond = tpqRun({"run", project, "--variant-index", "17"}, work());
        QCOMPARE(beyond.code, 1);
        REQUIRE_CONTAINS(beyond.err, "has 17 variants (0 to 16");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (withoutLocks) env.insert("TPQ_NO_FILE_LOCKS", "1");
        const Run base = tpqRun({"run", project, "--variant-index", "0"}, work(), env);
        QVERIFY2(base.code == 0, (base.out + base.err).c_str());
        if (withoutLocks) REQUIRE_CONTAINS(base.err, "each variant's state goes to a file of its own");

        std::vector<std::unique_ptr<QProcess>> runs;
        for (int i = 1; i <= 16; ++i) {
            runs.push_back(std::make_unique<QProcess>());
            runs.back()->setProcessEnvironment(env);
            runs.back()->setWorkingDirectory(work());
            runs.back()->start(QString(TPQ_CLI), {"run", project, "--variant-index", QString::number(i)});
        }
        int reads = 0;
        std::string unreadable;
        const auto running = [&] {
            return std::any_of(runs.begin(), runs.end(),
                               [](const auto& p) { return p->state() != QProcess::NotRunning; });
        };
        while (running()) {
            for (auto& p : runs) p->waitForFinished(0);
            try {
                const tpq::Project seen = tpq::Project::load(path);
                ++reads;
                (void)seen;
            } catch (const std::exception& e) {
                unreadable = e.what();
                break;
            }
            QThread::msleep(20);
        }
        for (auto& p : runs) {
            QVERIFY(p->state() == QProcess::NotRunning || p->waitForFinished(280000));
            QVERIFY2(p->exitStatus() == QProcess::NormalExit && p->exitCode() == 0,
                     p->readAllStandardError().constData());
        }
        QVERIFY2(unreadable.empty(), unreadable.c_str());
        QVERIFY2(reads > 10, qPrintable(QString::number(reads)));

        const tpq::Project after = tpq::Project::load(path);
        QCOMPARE(after.runs().size(), size_t(17));
        std::set<std::string> ids;
        for (const auto& v : after.variants()) {
            const tpq::ProjectRun* r = after.findRun(v.key());
            QVERIFY2(r && r->status == tpq::RunStatus::Finished, v.key().c_str());
            QCOMPARE(r->runIds.size(), size_t(1));
            ids.insert(r->runIds.front());
            QVERIFY(QFileInfo::exists(QString::fromStdString(after.absolute(r->resultDirs.at(0)) + "/result.json")));
            QVERIFY2(tpq::startsWith(r->job, "pid "), r->job.c_str());
        }
        QCOMPARE(ids.size(), size_t(17));
        const Run status = tpqRun({"status", project, "--json"}, work());
        QVERIFY2(status.code == 0, status.err.c_str());
        const auto states = nlohmann::json::parse(status.out)["variants"];
        QCOMPARE(states.size(), size_t(17));
        for (const auto& s : states) TPQ_COMPARE_STR(s["state"].get<std::string>(), "finished");
        TPQ_COMPARE_STR(states[5]["variant"].get<std::string>(), after.variants()[5].key());
    }

    // A two-class CSV and a tiny Transformer config without dropout (so that the ranks' steps
    // can match one process's to 1e-4), named `name`.
    QString dataParallelConfig(const std::string& name, int epochs) {
        std::string csv = "text,label\n";
        for (int i = 0; i < 120; ++i) {
            csv += "win a prize now number " + std::to_string(i) + " offer " + std::to_string(i % 7) + ",spam\n";
            csv += "meeting notes for project " + std::to_string(i) + " room " + std::to_string(i % 5) + ",ham\n";
        }
        tpqtest::writeFile(m_dir, "dp.csv", csv);
        return QString::fromStdString(tpqtest::writeFile(
            m_dir, name + ".yaml",
            "name: " + name +
                "\nseed: 3\nmodel:\n  name: transformer\n  d_model: 32\n  num_heads: 2\n  num_layers: 2\n"
                "  d_ff: 64\n  dropout: 0.0\ndata:\n  dataset: csv\n  path: dp.csv\n  max_length: 16\n"
                "tokenizer:\n  type: word\n  min_frequency: 1\n"
                "training:\n  batch_size: 8\n  learning_rate: 3e-3\n  epochs: " +
                std::to_string(epochs) + "\n"));
    }

    // The per-step training losses of results/<run>/history.csv.
    std::vector<double> stepLosses(const std::string& run) {
        std::vector<double> out;
        for (const auto& row : readCsv(tpq::readFile(work().toStdString() + "/results/" + run + "/history.csv")))
            if (row.size() > 3 && row[0] == "step") out.push_back(std::stod(row[3]));
        return out;
    }

    void compareFirstSteps(const std::vector<double>& a, const std::vector<double>& b, size_t steps) {
        QCOMPARE(a.size(), b.size());
        QVERIFY(a.size() >= steps);
        for (size_t i = 0; i < steps; ++i)
            QVERIFY2(std::abs(a[i] - b[i]) <= 1e-4,
                     qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(a[i]).arg(b[i])));
    }

    // tpq train --nproc 2 (c10d Gloo, each global batch split between two processes) takes the
    // steps one process takes with the same batch_size: the same loss per step, the same
    // accuracy; only rank 0 writes.
    void dataParallelTrainingMatchesOneProcess() {
        const auto config = [&](const std::string& name) { return dataParallelConfig(name, 2); };
        const Run one = tpqRun({"--threads", "1", "train", "--config", config("dp_one")}, work());
        QVERIFY2(one.code == 0, one.err.c_str());
        const Run two = tpqRun({"train", "--config", config("dp_two"), "--nproc", "2"}, work());
        QVERIFY2(two.code == 0, two.err.c_str());
        REQUIRE_CONTAINS(two.err, "data-parallel over 2 processes");
        REQUIRE_CONTAINS(two.out, "Run dp_two");
        compareFirstSteps(stepLosses("dp_one"), stepLosses("dp_two"), 20);
        const double accOne = readJson(work().toStdString() + "/results/dp_one/result.json")["accuracy"];
        const double accTwo = readJson(work().toStdString() + "/results/dp_two/result.json")["accuracy"];
        QVERIFY2(std::abs(accOne - accTwo) <= 0.005, qPrintable(QString("%1 vs %2").arg(accOne).arg(accTwo)));
        QVERIFY(QFileInfo::exists(work() + "/checkpoints/dp_two/model.safetensors"));
    }

    // Fine-tuning after pruning, and QAT, shared by two processes (tpq prune/quantize --nproc 2):
    // the same steps as one process for pruning; only rank 0 writes.
    void dataParallelFineTuning() {
        const Run base = tpqRun({"--threads", "1", "train", "--config", dataParallelConfig("dp_base", 1)}, work());
        QVERIFY2(base.code == 0, base.err.c_str());
        const QStringList prune = {"prune",
                                   "--model",
                                   "checkpoints/dp_base",
                                   "--unstructured",
                                   "--sparsity",
                                   "0.5",
                                   "--block",
                                   "1x4",
                                   "--fine-tune-epochs",
                                   "1"};
        const Run one = tpqRun(QStringList{"--threads", "1"} + prune, work());
        QVERIFY2(one.code == 0, one.err.c_str());
        const auto folders = [&](const char* under) {
            return QDir(work() + "/" + under).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size();
        };
        const qsizetype results = folders("results"), checkpoints = folders("checkpoints");
        const Run two = tpqRun(prune + QStringList{"--nproc", "2"}, work());
        QVERIFY2(two.code == 0, two.err.c_str());
        REQUIRE_CONTAINS(two.err, "data-parallel fine-tuning over 2 processes");
        REQUIRE_CONTAINS(two.err, "data-parallel over 2 processes: ");  // the Trainer's own: it trained in the group
        // Rank 1 wrote nothing: one new results folder, one new model folder.
        QCOMPARE(folders("results"), results + 1);
        QCOMPARE(folders("checkpoints"), checkpoints + 1);
        REQUIRE_CONTAINS(two.out, "dp_base_unstructured_50_b1x4_ft1_2");
        const std::string first = "dp_base_unstructured_50_b1x4_ft1", second = first + "_2";
        compareFirstSteps(stepLosses(first), stepLosses(second), 20);
        const auto a = readJson(work().toStdString() + "/results/" + first + "/result.json");
        const auto b = readJson(work().toStdString() + "/results/" + second + "/result.json");
        QVERIFY2(std::abs(double(a["accuracy"]) - double(b["accuracy"])) <= 0.005, b.dump().c_str());
        QCOMPARE(double(b["sparsity"]), double(a["sparsity"]));

        const Run qat =
            tpqRun({"quantize", "--model", "checkpoints/dp_base", "--qat", "--epochs", "1", "--nproc", "2"}, work());
        QVERIFY2(qat.code == 0, qat.err.c_str());
        REQUIRE_CONTAINS(qat.err, "data-parallel fine-tuning over 2 processes");
        const auto q = readJson(work().toStdString() + "/results/dp_base_qat_int8/result.json");
        QVERIFY2(double(q["accuracy"]) >= double(q["baseline_accuracy"]) - 0.05, q.dump().c_str());

        const Run refused = tpqRun({"quantize", "--model", "checkpoints/dp_base", "--dynamic", "--nproc", "2"}, work());
        QCOMPARE(refused.code, 1);
        REQUIRE_CONTAINS(refused.err, "this step does not fine-tune");
    }

    void uniqueRunIds() {
        QTemporaryDir dir;
        const std::string results = dir.path().toStdString() + "/results";
        const std::string checkpoints = dir.path().toStdString() + "/checkpoints";
        tpq::ensureDirectory(results + "/m_dynamic_int8");
        tpq::ensureDirectory(checkpoints + "/m_dynamic_int8_2");
        const tpq::ResultsStore store(results);
        TPQ_COMPARE_STR(store.uniqueRunId("m_static_int8_minmax", checkpoints), "m_static_int8_minmax");
        TPQ_COMPARE_STR(store.uniqueRunId("m_dynamic_int8", checkpoints), "m_dynamic_int8_3");
        tpq::ensureDirectory(results + "/m_mixed_all_int8");
        TPQ_COMPARE_STR(store.uniqueRunId("m_mixed", checkpoints), "m_mixed");
        TPQ_COMPARE_STR(store.uniqueRunId("m_mixed", checkpoints, true), "m_mixed_2");
    }
};

QTEST_GUILESS_MAIN(TestExperiment)
#include "test_experiment.moc"
