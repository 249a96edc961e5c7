// YAML configs: the shipped files parse and validate; syntax errors carry
// file:line:column; wrong types and bad values are reported all at once with locations;
// unknown keys warn with the nearest valid key; dump -> parse round-trips.

#include <filesystem>

#include "config/experiment_config.h"
#include "experiment/method.h"
#include "experiment/project.h"
#include "test_support.h"
#include "util/strings.h"

using namespace tpq;
using tpqtest::expectError;

class TestConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shippedConfigsAreValid() {
        int n = 0;
        for (const auto& entry : std::filesystem::directory_iterator(std::string(TPQ_SOURCE_DIR) + "/configs")) {
            if (endsWith(entry.path().string(), ".tpq.yaml")) {
                // A project file: it loads (and validates its config) as a project.
                const Project project = Project::load(entry.path().string());
                QVERIFY(!project.variants().empty());
                continue;
            }
            std::vector<std::string> warnings;
            const auto c = ExperimentConfig::load(entry.path().string(), &warnings);
            QVERIFY2(warnings.empty(), (entry.path().string() + ": " + (warnings.empty() ? "" : warnings[0])).c_str());
            const auto problems = c.validate();
            QVERIFY2(problems.empty(), (entry.path().string() + ": " + (problems.empty() ? "" : problems[0])).c_str());
            ++n;
        }
        QVERIFY(n >= 5);
    }

    void originalKeysAreRead() {
        const auto c = ExperimentConfig::load(std::string(TPQ_SOURCE_DIR) + "/configs/bert_base_imdb.yaml");
        TPQ_COMPARE_STR(c.model.name, "bert-base-uncased");
        QCOMPARE(c.model.numLabels, 2);
        QCOMPARE(c.training.batchSize, 32);
        QCOMPARE(c.training.learningRate, 2e-5);
        QCOMPARE(c.training.epochs, 3);
        const auto p = ExperimentConfig::load(std::string(TPQ_SOURCE_DIR) + "/configs/pruning_config.yaml");
        TPQ_COMPARE_STR(p.pruning.method, "structured");
        QCOMPARE(p.pruning.sparsity, 0.5);
        QVERIFY(p.pruning.headPruningEnabled);
        QCOMPARE(p.pruning.numHeadsToPrune, 4);
        TPQ_COMPARE_STR(p.pruning.unstructuredMethod, "magnitude");
        QCOMPARE(p.pruning.sparsityLevels, (std::vector<double>{0.1, 0.3, 0.5, 0.7, 0.9}));
    }

    void syntaxErrorHasLineAndColumn() {
        const std::string yaml = "model:\n  name: bert-mini\ntraining:\n  epochs: [1, 2\n  batch_size: 8\n";
        const std::string msg =
            expectError([&] { ExperimentConfig::parse(yaml, "bad.yaml"); }, {"bad.yaml:", "YAML syntax error"});
        // yaml-cpp reports the unclosed flow sequence; the position must be a real line:column.
        QVERIFY2(msg.rfind("bad.yaml:4:", 0) == 0 || msg.rfind("bad.yaml:5:", 0) == 0, msg.c_str());
        expectError([] { ExperimentConfig::parse("model:\n\tname: x\n", "tab.yaml"); },
                    {"tab.yaml:2:", "YAML syntax error"});
    }

    void wrongTypedValue() {
        const std::string yaml = "training:\n  batch_size: 16\n  epochs: three\n  learning_rate: fast\n";
        expectError([&] { ExperimentConfig::parse(yaml, "x.yaml"); },
                    {"x.yaml:3:11: training.epochs must be an integer, got 'three'",
                     "x.yaml:4:18: training.learning_rate must be a number, got 'fast'"});
        expectError([] { ExperimentConfig::parse("data:\n  deduplicate: maybe\n", "b.yaml"); },
                    {"b.yaml:2:16: data.deduplicate must be true or false, got 'maybe'"});
        expectError([] { ExperimentConfig::parse("model: bert\n", "m.yaml"); },
                    {"m.yaml:1:8: model must be a mapping"});
    }

    void unknownKeyWarnsWithNearestKey() {
        std::vector<std::string> warnings;
        const auto c = ExperimentConfig::parse("training:\n  epoch: 5\n  lerning_rate: 0.1\nmodle:\n  name: x\n",
                                               "u.yaml", &warnings);
        QCOMPARE(warnings.size(), size_t(3));
        TPQ_COMPARE_STR(warnings[0],
                        "u.yaml:2:3: unknown key 'training.epoch'; did you mean 'training.epochs'? (ignored)");
        QVERIFY(warnings[1].find("did you mean 'training.learning_rate'") != std::string::npos);
        QVERIFY(warnings[2].find("u.yaml:4:1: unknown key 'modle'; did you mean 'model'?") != std::string::npos);
        QCOMPARE(c.training.epochs, 3);  // ignored: default kept
    }

    void duplicateKeysAndAliasesAreErrors() {
        expectError([] { ExperimentConfig::parse("training:\n  epochs: 1\n  epochs: 2\n", "d.yaml"); },
                    {"d.yaml:3:3: key 'training.epochs' appears twice (first at line 2)"});
        expectError([] { ExperimentConfig::parse("data:\n  text_key: a\n  text_column: b\n", "a.yaml"); },
                    {"a.yaml:2:13: data.text_key and data.text_column (at a.yaml:3:16)", "name the same setting"});
        const auto c = ExperimentConfig::parse("data:\n  text_key: body\n", "k.yaml");
        TPQ_COMPARE_STR(c.data.textColumn, "body");
    }

    void keyInTheWrongSectionIsPointedOut() {
        std::vector<std::string> warnings;
        ExperimentConfig::parse("model:\n  max_length: 64\n", "s.yaml", &warnings);
        QCOMPARE(warnings.size(), size_t(1));
        QVERIFY2(warnings[0].find("did you mean 'data.max_length'?") != std::string::npos, warnings[0].c_str());
    }

    void strictNumbers() {
        expectError([] { ExperimentConfig::parse("training:\n  learning_rate: 0x10\n", "h.yaml"); },
                    {"h.yaml:2:18: training.learning_rate must be a number, got '0x10'"});
        expectError([] { ExperimentConfig::parse("seed: -1\n", "s.yaml"); }, {"seed must be a non-negative integer"});
        expectError([] { ExperimentConfig::parse("pruning:\n  sparsity: .nan\n", "n.yaml"); },
                    {"n.yaml:2:13: pruning.sparsity must be a number, got '.nan'"});
        const auto t = ExperimentConfig::parse("threads: 100000\n", "t.yaml");
        QVERIFY(tpq::join(t.validate(), "\n").find("t.yaml:1:10: threads must be in [0, 256]") != std::string::npos);
        const auto w = ExperimentConfig::parse("tokenizer:\n  type: word\n  vocab: bert-base-uncased\n", "w.yaml");
        QVERIFY(tpq::join(w.validate(), "\n").find("w.yaml:3:10: tokenizer.vocab is 'bert-base-uncased'") !=
                std::string::npos);
    }

    void valueRulesAreReportedTogetherWithLocations() {
        const auto c = ExperimentConfig::parse(
            "training:\n  learning_rate: -1\n  batch_size: 0\ndata:\n  train_ratio: 0.5\n  dataset: cvs\n"
            "pruning:\n  sparsity: 1.5\n  unstructured:\n    sparsity_levels: []\n"
            "  ffn_pruning:\n    intermediate_sparsity: -0.5\n",
            "v.yaml");
        const auto problems = c.validate();
        const std::string all = tpq::join(problems, "\n");
        for (const char* fragment :
             {"v.yaml:2:18: training.learning_rate must be > 0, got -1",
              "v.yaml:3:15: training.batch_size must be > 0, got 0", "v.yaml:6:12: data.dataset: unknown dataset 'cvs'",
              "did you mean 'csv'", "v.yaml:5:16: data.train_ratio + data.val_ratio + data.test_ratio must be 1",
              "v.yaml:8:13: pruning.sparsity must be in [0, 1), got 1.5",
              "v.yaml:10:22: pruning.unstructured.sparsity_levels must be a list of at least one sparsity, got []",
              "pruning.ffn_pruning.intermediate_sparsity must be in [0, 1), got -0.5"}) {
            QVERIFY2(all.find(fragment) != std::string::npos,
                     (std::string("missing: ") + fragment + "\n" + all).c_str());
        }
    }

    void dumpParsesBackToTheSameConfig() {
        const auto c = ExperimentConfig::load(std::string(TPQ_SOURCE_DIR) + "/configs/pruning_config.yaml");
        const std::string yaml = c.toYaml();
        const auto back = ExperimentConfig::parse(yaml, "dump");
        TPQ_COMPARE_STR(back.toYaml(), yaml);
        QCOMPARE(back.pruning.sparsityLevels, c.pruning.sparsityLevels);
        QCOMPARE(back.training.learningRate, c.training.learningRate);
        QVERIFY(yaml.find("learning_rate: 2e-05") != std::string::npos);
    }

    void blockShapes() {
        QCOMPARE(ExperimentConfig().pruning.block, (BlockShape{1, 1}));
        QCOMPARE(ExperimentConfig::parse("pruning:\n  unstructured:\n    block: [1, 4]\n", "b.yaml").pruning.block,
                 (BlockShape{1, 4}));
        QCOMPARE(ExperimentConfig::parse("pruning:\n  unstructured:\n    block: 16x1\n", "b.yaml").pruning.block,
                 (BlockShape{16, 1}));
        for (const char* bad : {"[0, 4]", "[1, 2, 3]", "abc", "[1, 2000]", "[1.5, 4]"})
            expectError(
                [&] {
                    ExperimentConfig::parse(std::string("pruning:\n  unstructured:\n    block: ") + bad + "\n",
                                            "b.yaml");
                },
                {"b.yaml:3:12: pruning.unstructured.block must be a block shape [rows, cols]"});
        // Written as [rows, cols] and read back.
        ExperimentConfig c;
        c.pruning.block = {4, 1};
        QCOMPARE(ExperimentConfig::parse(c.toYaml(), "dump").pruning.block, (BlockShape{4, 1}));
    }

    void missingAndEmptyConfigFiles() {
        expectError([] { ExperimentConfig::load("/no/such/config.yaml"); },
                    {"config file not found: /no/such/config.yaml"});
        QTemporaryDir dir;
        const std::string empty = tpqtest::writeFile(dir, "empty.yaml", "\n");
        expectError([&] { ExperimentConfig::load(empty); }, {"empty.yaml is empty", "configs/base_config.yaml"});
    }

    void absentKeysHaveNoLocation() {
        const auto c = ExperimentConfig::parse("seed: 1\n", "l.yaml");
        QCOMPARE(c.locations.size(), size_t(1));
        TPQ_COMPARE_STR(c.locations.at("seed"), "l.yaml:1:7");
    }

    void knownKeysListsNestedKeys() {
        const auto keys = ExperimentConfig::knownKeys();
        for (const char* k : {"model.name", "training.epochs", "pruning.attention_head_pruning.num_heads_to_prune",
                              "quantization.qat.learning_rate", "data.max_length", "seed"}) {
            QVERIFY2(std::find(keys.begin(), keys.end(), k) != keys.end(), k);
        }
    }
    // Methods are parsed once at the edge: every name round-trips, the aliases older
    // files and result.json use map to one method, an unknown name is an error with a
    // suggestion.
    void methodNamesParseOnce() {
        for (tpq::Method m : tpq::allMethods())
            QCOMPARE(tpq::parseMethod(tpq::methodName(m)), std::optional<tpq::Method>(m));
        QCOMPARE(tpq::parseMethod("magnitude"), std::optional<tpq::Method>(tpq::Method::Unstructured));
        QCOMPARE(tpq::parseMethod("dynamic_quantization"), std::optional<tpq::Method>(tpq::Method::Dynamic));
        QCOMPARE(tpq::parseMethod("static_quantization"), std::optional<tpq::Method>(tpq::Method::Static));
        QCOMPARE(tpq::parseMethod("mixed_precision"), std::optional<tpq::Method>(tpq::Method::Mixed));
        QVERIFY(!tpq::parseMethod("Dynamic"));
        QVERIFY(!tpq::parseMethod(""));
        QCOMPARE(std::string(tpq::methodName(tpq::Method::Qat)), std::string("qat"));
        expectError([] { tpq::requireMethod("strucured", "p.yaml:3:5"); },
                    {"p.yaml:3:5: unknown method 'strucured' (did you mean 'structured'? methods: baseline, "
                     "unstructured, progressive, structured, dynamic, static, qat, mixed, combined)"});
        int pruning = 0, quantization = 0;
        for (tpq::Method m : tpq::allMethods()) {
            QVERIFY(!(tpq::isPruning(m) && tpq::isQuantization(m)));
            pruning += tpq::isPruning(m);
            quantization += tpq::isQuantization(m);
        }
        QCOMPARE(pruning, 3);
        QCOMPARE(quantization, 4);
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "test_config.moc"
