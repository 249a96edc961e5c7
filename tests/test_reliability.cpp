// "Never a confident wrong answer" (README "Reliability"): each class of damaged input
// found by the hostile-user tour is refused with a message naming the file and the tensor
// or key — model folders whose weights, config.json, tpq.json or vocab.txt do not belong
// together, non-finite weights, raw library errors, unbounded reads (devices, FIFOs),
// run names that leave the output folders, CSV quotes that swallow rows, a re-train that
// fails, output to a full device.

#include <QStandardPaths>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <torch/torch.h>

#include "cli_runner.h"
#include "config/experiment_config.h"
#include "data/csv_loader.h"
#include "data/jsonl_loader.h"
#include "experiment/predict.h"
#include "experiment/train_run.h"
#include "io/model_folder.h"
#include "quant/post_training_quantization.h"
#include "test_support.h"
#include "text/wordpiece_tokenizer.h"
#include "tiny_models.h"
#include "util/file_io.h"

using namespace tpq;
using tpqtest::expectError;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

std::string slurp(const std::string& path) {
    return readFile(path, "file", kMaxDataFileBytes);
}

void editJson(const std::string& path, const std::function<void(Json&)>& edit) {
    Json j = Json::parse(slurp(path));
    edit(j);
    writeFileAtomic(path, j.dump(2));
}

/// Loads `dir`/model.safetensors, lets `edit` change its tensors and metadata, saves it.
void editWeights(const std::string& dir,
                 const std::function<void(std::vector<NamedTensor>&, std::map<std::string, std::string>&)>& edit) {
    const std::string file = dir + "/model.safetensors";
    std::map<std::string, std::string> metadata;
    std::vector<NamedTensor> tensors = loadSafetensors(file, &metadata);
    edit(tensors, metadata);
    saveSafetensors(file, tensors, metadata);
}

at::Tensor& tensorNamed(std::vector<NamedTensor>& tensors, const std::string& name) {
    for (auto& t : tensors)
        if (t.name == name) return t.tensor;
    throw Error("no tensor " + name);
}

void removeTensor(std::vector<NamedTensor>& tensors, const std::string& name) {
    const auto before = tensors.size();
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(), [&](const NamedTensor& t) { return t.name == name; }),
                  tensors.end());
    if (tensors.size() == before) throw Error("no tensor " + name);
}

}  // namespace

class TestReliability : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_count = 0;

    std::string fresh(const std::string& stem) {
        return m_dir.path().toStdString() + "/" + stem + std::to_string(++m_count);
    }

    /// A tpq folder of the shared tiny Transformer (vocabulary 50, 2 layers, labels neg/pos).
    std::string transformerFolder(bool quantized = false) {
        const std::string dir = fresh(quantized ? "quantized" : "transformer");
        auto model = tpqtest::tinyTransformer(3);
        if (quantized) PostTrainingQuantization::applyDynamicQuantization(*model);
        const WordPieceTokenizer tok = tpqtest::tokenizerFor(*model);
        ModelInfo info;
        info.labelNames = {"neg", "pos"};
        info.maxLength = 16;
        saveModelFolder(dir, *model, tok, info);
        return dir;
    }

    /// A copy of tests/data/tiny_bert, a Hugging Face folder (no tpq.json).
    std::string huggingFaceFolder() {
        const std::string dir = fresh("hf");
        fs::create_directories(dir);
        for (const char* f : {"config.json", "model.safetensors", "vocab.txt"})
            fs::copy_file(tpqtest::dataPath(std::string("tiny_bert/") + f), dir + "/" + f);
        return dir;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void validFoldersLoad() {
        const LoadedModel t = loadModelFolder(transformerFolder());
        QCOMPARE(t.model->numLabels(), int64_t(2));
        QVERIFY(t.report.missing.empty() && t.report.unexpected.empty() && !t.headMissing);
        const LoadedModel q = loadModelFolder(transformerFolder(true));
        QVERIFY(q.report.missing.empty());
        const LoadedModel h = loadModelFolder(huggingFaceFolder());
        QVERIFY(!h.headMissing);
        // The parameter counts the size checks use are those of the built models.
        QCOMPARE(tpqtest::tinyTransformerConfig().parameterCount(), t.model->numParameters());
        QCOMPARE(dynamic_cast<BertModel&>(*h.model).config().parameterCount(), h.model->numParameters());
        QCOMPARE(BertConfig::preset("bert-base-uncased").parameterCount(), int64_t(109483778));
    }

    // tpq folders: any missing or unexpected tensor is an error listing them.
    void missingOrExtraWeightsInTpqFolders() {
        std::string dir = transformerFolder();
        editWeights(dir, [](auto& t, auto&) { removeTensor(t, "layers.0.linear1.bias"); });
        expectError([&] { loadModelFolder(dir); },
                    {dir + "/model.safetensors: 1 weight(s) of the model are not in the file: layers.0.linear1.bias",
                     "--allow-missing-weights"});
        ModelLoadOptions allow;
        allow.allowMissingWeights = true;
        QCOMPARE(loadModelFolder(dir, allow).report.missing.size(), size_t(1));

        dir = transformerFolder();
        editWeights(dir, [](auto& t, auto&) { t.push_back({"extra.weight", torch::ones({2})}); });
        expectError([&] { loadModelFolder(dir); },
                    {"1 tensor(s) in the file do not belong to the model", "extra.weight"});

        // A quantized folder whose tpq_quant_layers lost a layer.
        dir = transformerFolder(true);
        editWeights(dir, [](auto&, auto& metadata) {
            Json layers = Json::parse(metadata.at("tpq_quant_layers"));
            layers.erase("layers.1.linear2");
            metadata["tpq_quant_layers"] = layers.dump();
        });
        expectError([&] { loadModelFolder(dir); },
                    {"not in the file: layers.1.linear2.weight", "the folder is damaged"});
    }

    // config.json sizes are compared with the weights before anything is allocated.
    void configSizesCheckedAgainstWeights() {
        struct Case {
            const char* key;
            Json value;
            std::vector<std::string> fragments;
        };
        const std::vector<Case> cases = {
            {"num_layers", 5, {"config.json: num_layers is 5 but", "model.safetensors holds 2 layers"}},
            {"num_layers", 1000000, {"num_layers must be in [1, 256], got 1000000"}},
            {"vocab_size", int64_t(1) << 40, {"vocab_size must be in [1, 4194304], got 1099511627776"}},
            {"vocab_size", 1000, {"vocab_size is 1000 but", "embedding.weight has shape [50, 16]"}},
            {"d_model", 1000000000, {"d_model must be in [1, 16384], got 1000000000"}},
            {"d_ff", 100000, {"tensor 'layers.0.linear1.weight' has shape [32, 16] but the model's", "[100000, 16]"}},
            {"max_len", 0, {"max_len must be in [1, 65536], got 0"}},
            {"max_len", -3, {"max_len must be in [1, 65536], got -3"}},
            {"max_len", "16", {"\"max_len\" must be an integer, got a string \"16\""}},
            {"num_classes", 0, {"\"num_classes\" must be in [2, 65536], got 0"}},
            {"num_classes", 1, {"\"num_classes\" must be in [2, 65536], got 1"}},
            {"num_classes", -1, {"\"num_classes\" must be in [2, 65536], got -1"}},
            {"label_names", Json::array({"a", "b", "c"}), {"\"num_classes\" is 2 but \"label_names\" has 3 names"}},
            {"model_type", nullptr, {"\"model_type\" must be a string, got null"}},
            {"dropout", 1.5, {"dropout must be in [0, 1)"}},
        };
        for (const auto& c : cases) {
            const std::string dir = transformerFolder();
            editJson(dir + "/config.json", [&](Json& j) { j[c.key] = c.value; });
            const std::string msg = expectError([&] { loadModelFolder(dir); }, c.fragments);
            QVERIFY2(msg.find("config.json") != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("json.exception") == std::string::npos, msg.c_str());
        }
        // Labels against the classifier's rows (num_classes removed so only the shapes disagree).
        const std::string dir = transformerFolder();
        editJson(dir + "/config.json", [](Json& j) {
            j.erase("num_classes");
            j["label_names"] = {"a", "b", "c"};
        });
        expectError([&] { loadModelFolder(dir); },
                    {"label_names names 3 labels but", "classifier.weight has shape [2, 16] (one row per label)"});
    }

    void bertConfigChecks() {
        const std::vector<std::pair<Json, std::vector<std::string>>> cases = {
            {{{"layer_norm_eps", 0}}, {"layer_norm_eps must be in (0, 1)"}},
            {{{"layer_norm_eps", -1e-12}}, {"layer_norm_eps must be in (0, 1)"}},
            {{{"num_hidden_layers", 5}}, {"num_hidden_layers is 5 but", "holds 2 layers"}},
            {{{"hidden_size", 1000000000}}, {"hidden_size must be in [1, 16384]"}},
            {{{"intermediate_size", 131072}}, {"describes a model of 17055299 parameters", "holds only 24259 values"}},
            {{{"max_position_embeddings", 128}}, {"max_position_embeddings is 128 but", "shape [64, 32]"}},
            {{{"num_labels", 3}, {"id2label", nullptr}}, {"id2label\" must be an object"}},
            {{{"num_labels", 1}}, {"\"num_labels\" must be in [2, 65536], got 1"}},
            {{{"id2label", {{"0", "a"}, {"5", "b"}}}}, {"id2label key \"5\" is out of range"}},
            {{{"pruned_heads", {{"x", {0}}}}}, {"pruned_heads key \"x\" is not an index"}},
            {{{"model_type", nullptr}}, {"\"model_type\" must be a string, got null"}},
        };
        for (const auto& [edit, fragments] : cases) {
            const std::string dir = huggingFaceFolder();
            editJson(dir + "/config.json", [&](Json& j) {
                for (const auto& [k, v] : edit.items()) j[k] = v;
            });
            const std::string msg = expectError([&] { loadModelFolder(dir); }, fragments);
            QVERIFY2(msg.find("config.json") != std::string::npos, msg.c_str());
        }
    }

    void tpqJsonIsChecked() {
        const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
            {"{\"label_names\": [\"a\", \"b\", \"c\"]}", {"label_names has 3 names but", "has 2 outputs"}},
            {"{\"max_length\": 0}", {"tpq.json: \"max_length\" must be > 0, got 0"}},
            {"{\"max_length\": -4}", {"\"max_length\" must be > 0, got -4"}},
            {"{\"max_length\": \"16\"}", {"tpq.json: \"max_length\" must be an integer, got a string \"16\""}},
            {"{\"label_names\": [\"a\", 2]}", {"\"label_names\"[1] must be a string, got an integer 2"}},
            {"{\"label_names\": [\"a\"", {"tpq.json: not valid JSON"}},
            {"[1, 2]", {"tpq.json: not a tpq.json"}},
        };
        for (const auto& [text, fragments] : cases) {
            const std::string dir = transformerFolder();
            writeFileAtomic(dir + "/tpq.json", text);
            const std::string msg = expectError([&] { loadModelFolder(dir); }, fragments);
            QVERIFY2(msg.find("tpq.json") != std::string::npos && msg.find("json.exception") == std::string::npos,
                     msg.c_str());
        }
    }

    void vocabularyLongerThanTheEmbeddingTable() {
        const std::string dir = transformerFolder();
        {
            std::ofstream out(dir + "/vocab.txt", std::ios::app);
            for (int i = 0; i < 60; ++i) out << "extra" << i << "\n";
        }
        const size_t tokens = Tokenizer::load(dir + "/vocab.txt")->vocabSize();
        QVERIFY(tokens > 50);
        expectError([&] { loadModelFolder(dir); }, {dir + "/vocab.txt: " + std::to_string(tokens) +
                                                    " tokens but the model's embedding table has 50 rows"});
    }

    void nonFiniteWeightsAndScales() {
        for (const float bad : {std::nanf(""), INFINITY}) {
            const std::string dir = transformerFolder();
            editWeights(dir, [&](auto& t, auto&) { tensorNamed(t, "layers.1.linear2.weight")[3][4] = bad; });
            expectError([&] { loadModelFolder(dir); },
                        {"model.safetensors: tensor 'layers.1.linear2.weight' holds NaN or infinite values (1 of",
                         "flat index 100"});
        }
        std::string dir = transformerFolder(true);
        editWeights(dir, [](auto& t, auto&) { tensorNamed(t, "layers.0.q_proj.weight.__scale")[0] = INFINITY; });
        expectError([&] { loadModelFolder(dir); }, {"'layers.0.q_proj.weight.__scale' holds NaN or infinite"});
        // A scale stored as I32.
        dir = transformerFolder(true);
        editWeights(dir, [](auto& t, auto&) {
            auto& s = tensorNamed(t, "layers.0.k_proj.weight.__scale");
            s = torch::ones(s.sizes(), torch::kInt32);
        });
        expectError([&] { loadModelFolder(dir); },
                    {"quantized layer layers.0.k_proj", "weight scales are stored as Int, expected F32"});
        // A static layer whose zero point is out of range.
        dir = transformerFolder(true);
        editWeights(dir, [](auto&, auto& metadata) {
            Json layers = Json::parse(metadata.at("tpq_quant_layers"));
            auto& l = layers["layers.0.v_proj"];
            l["scheme"] = "static";
            l["input_scale"] = 0.1;
            l["output_scale"] = 0.1;
            l["input_zero_point"] = 300;
            metadata["tpq_quant_layers"] = layers.dump();
        });
        expectError([&] { loadModelFolder(dir); }, {"layers.0.v_proj", "zero point is 300, outside [0, 255]"});
    }

    void nonFiniteLogitIsAnErrorAtPredictTime() {
        // Weights that are finite but overflow to infinity in the forward pass.
        const std::string dir = transformerFolder();
        editWeights(dir, [](auto& t, auto&) {
            tensorNamed(t, "layers.1.norm2.bias").fill_(3e38f);
            tensorNamed(t, "classifier.weight").fill_(1.0f);
        });
        expectError([&] { predictTexts(dir, {"hello world"}, 16); },
                    {"non-finite score (NaN or infinite) for example 0", "no prediction is made"});
    }

    // Hugging Face folders: only the classifier head may be missing, and is then no answer.
    void huggingFaceFolderMissingWeights() {
        std::string dir = huggingFaceFolder();
        editWeights(dir, [](auto& t, auto&) {
            removeTensor(t, "classifier.weight");
            removeTensor(t, "classifier.bias");
        });
        const LoadedModel loaded = loadModelFolder(dir);
        QVERIFY(loaded.headMissing);
        expectError(
            [&] { predictTexts(loaded, {"hello"}, 16); },
            {"classifier head (classifier.weight, classifier.bias) is not in the file", "--allow-missing-weights"});
        ModelLoadOptions allow;
        allow.allowMissingWeights = true;
        QCOMPARE(predictTexts(loadModelFolder(dir, allow), {"hello"}, 16).texts.size(), size_t(1));

        dir = huggingFaceFolder();
        editWeights(dir, [](auto& t, auto&) { removeTensor(t, "bert.encoder.layer.1.output.dense.weight"); });
        expectError([&] { loadModelFolder(dir); },
                    {"1 weight(s) of the model are not in the file: bert.encoder.layer.1.output.dense.weight",
                     "--allow-missing-weights"});
        QCOMPARE(loadModelFolder(dir, allow).report.missing.size(), size_t(1));
    }

    // No read of a device, FIFO or oversized file: refused before it is opened.
    void unboundedReadsAreRefused() {
        expectError([] { readFile("/dev/zero", "config file"); }, {"config file /dev/zero is not a regular file"});
        expectError([] { ExperimentConfig::load("/dev/zero"); }, {"/dev/zero is not a regular file"});
        const std::string fifo = fresh("fifo");
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        const auto start = std::chrono::steady_clock::now();
        expectError([&] { readFile(fifo, "dataset file", kMaxDataFileBytes); }, {"not a regular file (a device, FIFO"});
        QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
        // A weights file that is a symlink to /dev/zero.
        const std::string dir = transformerFolder();
        fs::remove(dir + "/model.safetensors");
        fs::create_symlink("/dev/zero", dir + "/model.safetensors");
        expectError([&] { loadModelFolder(dir); }, {"model.safetensors is not a regular file"});
        const std::string big = fresh("big.json");
        std::ofstream(big) << std::string(1000, ' ');
        expectError([&] { readFile(big, "model info", 999); }, {"model info " + big + " is 1000 bytes, more than"});
    }

    void rawJsonErrorsAreNamed() {
        const std::string path = fresh("rows.jsonl");
        writeFileAtomic(path, "{\"text\": \"fine\", \"label\": 0}\n{\"text\": \"big\", \"label\": 1e999}\n");
        const std::string msg =
            expectError([&] { loadJsonl(path, JsonlOptions{}, {}); }, {path + ":2: not valid JSON"});
        QVERIFY2(msg.find("json.exception") == std::string::npos, msg.c_str());
    }

    void runNamesAreOnePathComponent() {
        for (const char* name : {"../../x", "/tmp/abs", "a/b", "..", "with space"}) {
            const ExperimentConfig c = ExperimentConfig::parse(std::string("name: \"") + name + "\"\n", "run.yaml");
            const auto problems = c.validate();
            QVERIFY(!problems.empty());
            REQUIRE_CONTAINS(problems.front(), "run.yaml:1:7: name must be a run name of letters, digits");
            expectError([&] { runTraining(c, false, {}); }, {"run.yaml:1:7: name must be a run name", name});
        }
        QVERIFY(ExperimentConfig::parse("name: my-run_2.1\n", "run.yaml").validate().empty());
    }

    void csvQuoteThatSwallowsRows() {
        const std::string path = fresh("open.csv");
        writeFileAtomic(path, "text,label\nfine,pos\n\"hello, pos\nworld,neg\nagain,pos\n\"closed\",neg\nlast,pos\n");
        expectError([&] { loadCsv(path, CsvOptions{}); },
                    {path + ":3: a quoted field that opens on this line runs on over line 4", "'world,neg'"});
        // A text with line breaks and commas of its own still loads.
        const std::string ok = fresh("multiline.csv");
        writeFileAtomic(ok, "text,label\n\"Dear Bob,\nsee you, soon\",pos\nother,neg\n");
        QCOMPARE(loadCsv(ok, CsvOptions{}).size(), size_t(2));
    }

    // A re-train that fails keeps the previous checkpoint as it was.
    void failedRetrainKeepsThePreviousModel() {
        const std::string root = fresh("retrain");
        fs::create_directories(root + "/checkpoints/run");
        writeFileAtomic(root + "/checkpoints/run/config.json", "previous model");
        writeFileAtomic(root + "/results", "a file where the results folder should be");
        std::string csv = "text,label\n";
        for (int i = 0; i < 40; ++i)
            csv += (i % 2 ? "good fine nice " : "bad awful poor ") + std::to_string(i) + "," + (i % 2 ? "pos" : "neg") +
                   "\n";
        writeFileAtomic(root + "/data.csv", csv);
        const ExperimentConfig config = ExperimentConfig::parse(
            "name: run\nthreads: 1\ndata: {dataset: csv, path: " + root +
                "/data.csv, max_length: 16}\ntokenizer: {type: word}\n"
                "model: {name: transformer, d_model: 16, num_heads: 2, num_layers: 1, d_ff: 32, max_len: 16}\n"
                "training: {epochs: 1, batch_size: 8}\noutput: {checkpoint_dir: " +
                root + "/checkpoints, results_dir: " + root + "/results/x}\n",
            "retrain.yaml");
        expectError([&] { runTraining(config, false, {}); }, {"results"});
        TPQ_COMPARE_STR(slurp(root + "/checkpoints/run/config.json"), "previous model");
        QVERIFY(!fs::exists(root + "/checkpoints/run.training"));
    }

    // No input makes tpq allocate far beyond what a valid model needs: under an address-space
    // limit of 2 GiB (a valid tiny model predicts within 1 GiB), each hostile input is a
    // clean exit 1 with its message, never an allocation failure; a FIFO does not block.
    void hostileInputsStayWithinMemory() {
        if (std::string(TPQ_CLI).empty()) QSKIP("no tpq in this build");
        if (QStandardPaths::findExecutable("prlimit").isEmpty()) QSKIP("prlimit (util-linux) not installed");
        const QString work = m_dir.path();
        auto limited = [&](const QString& limit, const QStringList& args) {
            QProcess p;
            p.setWorkingDirectory(work);
            p.start("prlimit", QStringList{"--as=" + limit, QString(TPQ_CLI)} + args);
            if (!p.waitForFinished(60000)) {
                p.kill();
                return tpqtest::CliRun{};
            }
            return tpqtest::CliRun{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                                   p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
        };
        const QString oneGiB = "1073741824", twoGiB = "2147483648";
        const std::string valid = transformerFolder();
        QCOMPARE(limited(oneGiB, {"predict", "--model", QString::fromStdString(valid), "hello"}).code, 0);
        struct Case {
            std::function<void(const std::string&)> damage;
            std::string message;
        };
        const std::vector<Case> cases = {
            {[](const std::string& d) {
                 editJson(d + "/config.json", [](Json& j) { j["vocab_size"] = 4194304, j["d_model"] = 512; });
             },
             "vocab_size is 4194304 but"},
            {[](const std::string& d) { editJson(d + "/config.json", [](Json& j) { j["d_ff"] = 131072; }); },
             "has shape [32, 16] but the model's 'layers.0.linear1.weight' has [131072, 16]"},
            {[](const std::string& d) {
                 editJson(d + "/config.json", [](Json& j) { j["d_ff"] = 131072, j["d_model"] = 1024; });
             },
             "d_model is 1024 but"},
            {[](const std::string& d) { editJson(d + "/config.json", [](Json& j) { j["num_layers"] = 256; }); },
             "num_layers is 256 but"},
            {[](const std::string& d) {
                 fs::remove(d + "/model.safetensors");
                 fs::create_symlink("/dev/zero", d + "/model.safetensors");
             },
             "is not a regular file"},
        };
        for (const auto& c : cases) {
            const std::string dir = transformerFolder();
            c.damage(dir);
            const auto r = limited(twoGiB, {"predict", "--model", QString::fromStdString(dir), "hello"});
            QCOMPARE(r.code, 1);
            REQUIRE_CONTAINS(r.err, c.message);
        }
        const std::string fifo = fresh("data.csv");
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        for (const std::string& path : {std::string("/dev/zero"), fifo}) {
            const std::string config = fresh("stats.yaml");
            writeFileAtomic(config, "data: {dataset: csv, path: " + path + "}\n");
            const auto r = limited(twoGiB, {"--config", QString::fromStdString(config), "data", "stats"});
            QCOMPARE(r.code, 1);
            REQUIRE_CONTAINS(r.err, path + " is not a regular file");
        }
    }

    // The command line: damaged folders exit 1 naming file and tensor/key; nothing exits 0
    // when its output could not be written; bad numbers are refused, not defaulted.
    void commandLine() {
        if (std::string(TPQ_CLI).empty()) QSKIP("no tpq in this build (the sanitizer build has only the readers)");
        const QString work = m_dir.path();
        std::string dir = transformerFolder();
        editWeights(dir, [](auto& t, auto&) { removeTensor(t, "layers.1.norm2.weight"); });
        auto r = tpqtest::tpqRun({"predict", "--model", QString::fromStdString(dir), "hello"}, work);
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err,
                         "model.safetensors: 1 weight(s) of the model are not in the file: layers.1.norm2.weight");
        r = tpqtest::tpqRun({"--allow-missing-weights", "predict", "--model", QString::fromStdString(dir), "hello"},
                            work);
        QCOMPARE(r.code, 0);
        dir = transformerFolder();
        editJson(dir + "/config.json", [](Json& j) { j["num_layers"] = 5; });
        r = tpqtest::tpqRun({"predict", "--model", QString::fromStdString(dir), "hello"}, work);
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, "config.json: num_layers is 5 but");
        dir = transformerFolder();
        writeFileAtomic(dir + "/tpq.json", "{\"label_names\": ");
        r = tpqtest::tpqRun({"evaluate", "--model", QString::fromStdString(dir)}, work);
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, dir + "/tpq.json: not valid JSON");
        dir = transformerFolder();
        editWeights(dir, [](auto& t, auto&) { tensorNamed(t, "embedding.weight")[0][0] = NAN; });
        r = tpqtest::tpqRun({"predict", "--model", QString::fromStdString(dir), "hello"}, work);
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, "tensor 'embedding.weight' holds NaN or infinite values");
        QVERIFY2(!tpqtest::contains(r.err, "frame #"), r.err.c_str());

        r = tpqtest::tpqRun({"--config", "/dev/zero", "data", "stats"}, work);
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, "/dev/zero is not a regular file");
        for (const char* bad : {"-0.5", "nan", "1.5"}) {
            r = tpqtest::tpqRun({"prune", "--model", QString::fromStdString(dir), "--sparsity", bad}, work);
            QCOMPARE(r.code, 1);
            REQUIRE_CONTAINS(r.err, "--sparsity");
        }
        r = tpqtest::tpqRun({"predict", "--model", QString::fromStdString(dir), "--max-length", "-5", "x"}, work);
        QCOMPARE(r.code, 1);
        const std::string empty = fresh("empty.yaml");
        writeFileAtomic(empty, "pruning:\n  unstructured:\n    sparsity_levels: []\n");
        r = tpqtest::tpqRun({"--config", QString::fromStdString(empty), "prune", "--unstructured", "--model",
                             QString::fromStdString(dir)},
                            work);
        QCOMPARE(r.code, 1);
        REQUIRE_CONTAINS(r.err, ":3:22: pruning.unstructured.sparsity_levels must be a list of at least one sparsity");

        QProcess full;
        full.setStandardOutputFile("/dev/full");
        full.start(QString(TPQ_CLI), {"info"});
        QVERIFY(full.waitForFinished(60000));
        QCOMPARE(full.exitCode(), 1);
        REQUIRE_CONTAINS(full.readAllStandardError().toStdString(), "cannot write the output");
    }
};

QTEST_GUILESS_MAIN(TestReliability)
#include "test_reliability.moc"
