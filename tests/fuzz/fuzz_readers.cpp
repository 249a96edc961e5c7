// An in-process mutation fuzzer over every reader of user input (README "Reliability"):
// seeded byte flips, interesting bytes and numbers, truncations, deletions, duplications,
// splices between seeds and dictionary tokens of each format, starting from the fixtures
// in tests/data/ and files the suite writes. Each reader must return a value or throw
// tpq::Error; another exception, a crash signal, more than 1 s or more than 512 MB for one
// input fails the test and saves the input under tests/fuzz/crashes/.
//
//   TPQ_FUZZ_INPUTS=200000 build/tests/test_fuzz     a longer run (default 50,000 inputs)
//   TPQ_FUZZ_SEED=7                                   another sequence (default 1)
//   TPQ_FUZZ_REPLAY=tests/fuzz/crashes/<file>         run one saved input again (the
//                                                     reader is the file name's prefix)

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <sys/resource.h>
#include <torch/torch.h>
#include <unistd.h>

#include "config/experiment_config.h"
#include "data/csv_loader.h"
#include "data/jsonl_loader.h"
#include "data/mail_decoder.h"
#include "experiment/predict.h"
#include "experiment/project.h"
#include "experiment/run_result.h"
#include "io/model_folder.h"
#include "io/quantized_storage.h"
#include "io/sparse_storage.h"
#include "models/architecture_config.h"
#include "quant/post_training_quantization.h"
#include "test_support.h"
#include "text/tokenizer.h"
#include "text/vocabulary.h"
#include "text/wordpiece_tokenizer.h"
#include "tiny_models.h"
#include "train/train_history.h"
#include "util/file_io.h"
#include "util/logging.h"

using namespace tpq;
namespace fs = std::filesystem;

namespace {

// ---- crash capture ---------------------------------------------------------------------

/// The input being run, for the signal handler (which may only use async-signal-safe calls).
const std::string* g_input = nullptr;
char g_crashPath[4096] = {0};

void onFatalSignal(int sig) {
    if (g_input && g_crashPath[0]) {
        const int fd = ::open(g_crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ssize_t ignored = ::write(fd, g_input->data(), g_input->size());
            (void)ignored;
            ::close(fd);
        }
        const char msg[] = "\nfuzz: fatal signal; the input is saved as ";
        ssize_t ignored = ::write(2, msg, sizeof msg - 1);
        ignored = ::write(2, g_crashPath, std::strlen(g_crashPath));
        ignored = ::write(2, "\n", 1);
        (void)ignored;
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

std::string crashDir() {
    return std::string(TPQ_SOURCE_DIR) + "/tests/fuzz/crashes";
}

int64_t maxRssMb() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return int64_t(u.ru_maxrss) / 1024;
}

/// A field of /proc/self/status in MB ("VmRSS", "VmHWM"); -1 when unreadable.
int64_t statusMb(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string key = std::string(field) + ":";
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size())) / 1024;
    return -1;
}

/// Resets the peak resident size (VmHWM) to the current one, so the peak of one input can
/// be read after it (Linux: /proc/self/clear_refs, 5). Returns the resident size in MB.
int64_t startPeak() {
    std::ofstream("/proc/self/clear_refs") << "5";
    return statusMb("VmRSS");
}

// ---- mutation --------------------------------------------------------------------------

const std::vector<std::string> kNumbers = {"0",
                                           "-1",
                                           "1e999",
                                           "-1e999",
                                           "2147483648",
                                           "4294967296",
                                           "1e9",
                                           "-0",
                                           "0.5",
                                           "9223372036854775807",
                                           "18446744073709551616",
                                           "1099511627776",
                                           "NaN",
                                           "65537",
                                           "3"};
const std::vector<std::string> kJson = {"{",
                                        "}",
                                        "[",
                                        "]",
                                        "\"",
                                        ":",
                                        ",",
                                        "null",
                                        "true",
                                        "\"\\u0000\"",
                                        "\"\\ud800\"",
                                        "[[[[[[[[[[",
                                        "{\"a\":",
                                        "\xff\xfe",
                                        "\"label_names\"",
                                        "\"num_layers\"",
                                        "\"vocab_size\"",
                                        "\"max_length\"",
                                        "\"model_type\"",
                                        "\"id2label\"",
                                        "\"shape\"",
                                        "\"data_offsets\"",
                                        "\"dtype\"",
                                        "\"F32\"",
                                        "\"I32\"",
                                        "\"U8\"",
                                        "\"BF16\"",
                                        "\"__metadata__\"",
                                        "\"tpq_quant_layers\"",
                                        "\"tpq_sparse_tensors\"",
                                        "\"scheme\"",
                                        "\"static\"",
                                        "\"int4\"",
                                        "\"group_size\"",
                                        "\"pruned_heads\""};
const std::vector<std::string> kYaml = {": ",
                                        "- ",
                                        "&a ",
                                        "*a",
                                        "!!binary ",
                                        "{",
                                        "[",
                                        "\t",
                                        "~",
                                        ".nan",
                                        ".inf",
                                        "<<: *a",
                                        "? ",
                                        "|\n  x",
                                        "'",
                                        "\"",
                                        "\n  ",
                                        "name: ",
                                        "data:\n  path: /dev/zero\n",
                                        "variants:\n  - ",
                                        "method: ",
                                        "sparsity: ",
                                        "heads: ",
                                        "null",
                                        "yes",
                                        "0x10",
                                        "1e999",
                                        "---\n",
                                        "...\n"};
const std::vector<std::string> kCsv = {"\"",           "\"\"", ",",     "\n",   "\r\n", "\r", "\t", "\"\n",
                                       "\xef\xbb\xbf", "\xff", "label", "text", "{",    "\\", "\0"};
const std::vector<std::string> kMail = {"Content-Type: multipart/mixed; boundary=\"b\"\n",
                                        "--b\n",
                                        "--b--\n",
                                        "=?utf-8?b?",
                                        "=?iso-8859-1?q?",
                                        "?=",
                                        "Content-Transfer-Encoding: base64\n",
                                        "Content-Transfer-Encoding: quoted-printable\n",
                                        "=\n",
                                        "=FF",
                                        "=3D",
                                        "charset=\"x-unknown\"",
                                        "Content-Type: text/html\n",
                                        "<html><body>",
                                        "<script>",
                                        "\n\n",
                                        "Subject: ",
                                        "\r\n"};
const std::vector<std::string> kVocab = {"[PAD]",        "[UNK]", "[CLS]", "[SEP]", "[MASK]", "##", "\n",
                                         "\xe2\x96\x81", "\xff",  "\"",    "[\"",   "{\"",    "\0", "\t"};
const std::string kInteresting = std::string("\0\xff\x7f\x80\"{}[],:\n\r\\-.0123456789e", 24);

class Mutator {
public:
    explicit Mutator(uint64_t seed) : m_rng(seed) {}

    size_t below(size_t n) { return n == 0 ? 0 : size_t(m_rng() % n); }

    std::string mutate(const std::string& seed, const std::vector<std::string>& seeds,
                       const std::vector<std::string>& dictionary) {
        std::string s = seed;
        const size_t rounds = 1 + below(4);
        for (size_t r = 0; r < rounds; ++r) step(s, seeds, dictionary);
        return s;
    }

private:
    void step(std::string& s, const std::vector<std::string>& seeds, const std::vector<std::string>& dictionary) {
        const size_t at = below(s.size() + 1);
        switch (below(9)) {
            case 0:  // bit flip
                if (!s.empty()) s[below(s.size())] ^= char(1u << below(8));
                break;
            case 1:  // interesting byte
                if (!s.empty()) s[below(s.size())] = kInteresting[below(kInteresting.size())];
                break;
            case 2:  // delete a range
                s.erase(at, 1 + below(std::max<size_t>(1, std::min<size_t>(64, s.size() / 4))));
                break;
            case 3:  // dictionary token inserted
                s.insert(at, dictionary[below(dictionary.size())]);
                break;
            case 4:  // dictionary token over a range
                s.replace(at, below(8), dictionary[below(dictionary.size())]);
                break;
            case 5: {  // duplicate a range
                const size_t len = below(std::min<size_t>(128, s.size() - std::min(at, s.size()) + 1));
                s.insert(below(s.size() + 1), s.substr(at, len));
                break;
            }
            case 6:  // truncate
                s.resize(at);
                break;
            case 7: {  // splice with another seed
                const std::string& other = seeds[below(seeds.size())];
                s = s.substr(0, at) + other.substr(std::min(other.size(), below(other.size() + 1)));
                break;
            }
            default: {  // a number replaced by an interesting one
                const size_t digit = s.find_first_of("0123456789", at);
                if (digit == std::string::npos) break;
                const size_t end = s.find_first_not_of("0123456789.eE+-", digit);
                s.replace(digit, (end == std::string::npos ? s.size() : end) - digit, kNumbers[below(kNumbers.size())]);
            }
        }
        if (s.size() > (1u << 20)) s.resize(1u << 20);
    }

    std::mt19937_64 m_rng;
};

/// Safetensors files: half the mutations go to the header JSON alone, with its length
/// prefix kept right, so that the parser reaches the layout checks.
std::string mutateSafetensors(Mutator& m, const std::string& file, const std::vector<std::string>& seeds) {
    if (file.size() < 8 || m.below(2) == 0) return m.mutate(file, seeds, kJson);
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t(uint8_t(file[size_t(i)])) << (8 * i);
    if (n > file.size() - 8) return m.mutate(file, seeds, kJson);
    const std::string header = m.mutate(file.substr(8, size_t(n)), {file.substr(8, size_t(n))}, kJson);
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((uint64_t(header.size()) >> (8 * i)) & 0xFF);
    return out + header + file.substr(size_t(8 + n));
}

// ---- targets ---------------------------------------------------------------------------

struct Target {
    std::string name;
    std::vector<std::string> seeds;
    const std::vector<std::string>* dictionary;
    std::function<void(const std::string&)> run;
    int weight = 1;  // share of the inputs
    bool safetensors = false;
};

std::string slurp(const std::string& path) {
    return readFile(path, "fixture", kMaxDataFileBytes);
}

void put(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

/// A model folder target: `file` of `dir` is replaced by the input, the folder loaded and,
/// when it loads, asked for one prediction; the file is restored afterwards.
std::function<void(const std::string&)> folderRunner(const std::string& dir, const std::string& file) {
    const std::string path = dir + "/" + file;
    const std::string original = slurp(path);
    return [dir, path, original](const std::string& input) {
        put(path, input);
        struct Restore {
            const std::string& p;
            const std::string& o;
            ~Restore() { put(p, o); }
        } restore{path, original};
        ModelLoadOptions options;
        const LoadedModel loaded = loadModelFolder(dir, options);
        predictTexts(loaded, {"hello world, a short text"}, 12);
    };
}

}  // namespace

class TestFuzz : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::vector<Target> m_targets;
    int64_t m_total = 0;
    uint64_t m_seed = 1;
    int64_t m_largestMb = 0;        // the most one input added to the resident size
    bool m_peakResettable = false;  // /proc/self/clear_refs resets VmHWM here
    int64_t m_accepted = 0;         // inputs a reader returned a value for (the rest threw tpq::Error)

    std::string tmp(const std::string& name) const { return m_dir.path().toStdString() + "/" + name; }

    std::string saveFolder(const std::string& name, Classifier& model, const ModelSaveOptions& save = {}) {
        const WordPieceTokenizer tok = tpqtest::tokenizerFor(model);
        ModelInfo info;
        info.labelNames = {"neg", "pos"};
        info.maxLength = 12;
        const std::string dir = tmp(name);
        saveModelFolder(dir, model, tok, info, save);
        return dir;
    }

    void addModelTargets() {
        auto dense = tpqtest::tinyTransformer(11);
        const std::string denseDir = saveFolder("dense", *dense);
        for (const char* f : {"config.json", "tpq.json", "vocab.txt", "model.safetensors"}) {
            const bool st = std::string(f) == "model.safetensors";
            m_targets.push_back({std::string("folder-") + f,
                                 {slurp(denseDir + "/" + f)},
                                 st ? &kJson : (std::string(f) == "vocab.txt" ? &kVocab : &kJson),
                                 folderRunner(denseDir, f),
                                 1,
                                 st});
        }
        auto quantized = tpqtest::tinyTransformer(12);
        PostTrainingQuantization::applyDynamicQuantization(*quantized);
        const std::string quantDir = saveFolder("quantized", *quantized);
        m_targets.push_back({"folder-quantized",
                             {slurp(quantDir + "/model.safetensors")},
                             &kJson,
                             folderRunner(quantDir, "model.safetensors"),
                             1,
                             true});
        auto sparse = tpqtest::tinyTransformer(13);
        {
            torch::NoGradGuard g;
            for (auto& p : sparse->named_parameters())
                if (p.key().find("linear") != std::string::npos && p.value().dim() == 2)
                    p.value().masked_fill_(torch::rand_like(p.value()) < 0.95, 0.0);
        }
        ModelSaveOptions compact;
        compact.compactSparse = true;
        const std::string sparseDir = saveFolder("sparse", *sparse, compact);
        m_targets.push_back({"folder-sparse",
                             {slurp(sparseDir + "/model.safetensors")},
                             &kJson,
                             folderRunner(sparseDir, "model.safetensors"),
                             1,
                             true});
        const std::string hf = tmp("hf");
        fs::create_directories(hf);
        for (const char* f : {"config.json", "model.safetensors", "vocab.txt"})
            fs::copy_file(tpqtest::dataPath(std::string("tiny_bert/") + f), hf + "/" + f);
        m_targets.push_back(
            {"folder-hf-config", {slurp(hf + "/config.json")}, &kJson, folderRunner(hf, "config.json")});
        m_targets.push_back({"folder-hf-weights",
                             {slurp(hf + "/model.safetensors")},
                             &kJson,
                             folderRunner(hf, "model.safetensors"),
                             1,
                             true});

        // In memory: the safetensors parser and the sparse and quantized layouts over it.
        m_targets.push_back({"safetensors",
                             {slurp(denseDir + "/model.safetensors"), slurp(quantDir + "/model.safetensors"),
                              slurp(sparseDir + "/model.safetensors"), slurp(hf + "/model.safetensors")},
                             &kJson,
                             [](const std::string& in) {
                                 std::map<std::string, std::string> metadata;
                                 auto tensors = parseSafetensors(in, "fuzz.safetensors", &metadata);
                                 tensors = expandSparseTensors(std::move(tensors), metadata, "fuzz.safetensors");
                                 takeQuantizedParts(tensors, metadata, "fuzz.safetensors");
                             },
                             4,
                             true});
        m_targets.push_back({"config-json",
                             {slurp(denseDir + "/config.json"), slurp(hf + "/config.json")},
                             &kJson,
                             [](const std::string& in) { parseArchitectureConfig(in, "config.json"); },
                             3});
        m_targets.push_back({"tpq-json",
                             {slurp(denseDir + "/tpq.json"), slurp(quantDir + "/tpq.json")},
                             &kJson,
                             [](const std::string& in) { ModelInfo::fromJson(in, "tpq.json"); },
                             2});
    }

    void addTextTargets() {
        std::vector<std::string> yamls;
        for (const auto& e : fs::directory_iterator(std::string(TPQ_SOURCE_DIR) + "/configs"))
            if (e.path().extension() == ".yaml" && e.path().string().find(".tpq.") == std::string::npos)
                yamls.push_back(slurp(e.path().string()));
        m_targets.push_back({"experiment-yaml", yamls, &kYaml,
                             [](const std::string& in) { ExperimentConfig::parse(in, "fuzz.yaml").validate(); }, 3});
        fs::create_directories(tmp("project/p"));
        fs::create_directories(tmp("project/configs"));
        fs::copy_file(std::string(TPQ_SOURCE_DIR) + "/configs/quickstart.yaml", tmp("project/configs/quickstart.yaml"));
        const std::string projectPath = tmp("project/p/demo.tpq.yaml");
        m_targets.push_back({"project-yaml",
                             {slurp(std::string(TPQ_SOURCE_DIR) + "/configs/demo.tpq.yaml")},
                             &kYaml,
                             [projectPath](const std::string& in) {
                                 put(projectPath, in);
                                 Project::load(projectPath);
                             },
                             2});
        const std::vector<std::string> csvSeeds = {slurp(tpqtest::dataPath("csv/reviews.csv")),
                                                   slurp(tpqtest::dataPath("csv/reviews.tsv"))};
        m_targets.push_back(
            {"csv-parse", csvSeeds, &kCsv, [](const std::string& in) { parseCsv(in, ',', "f.csv"); }, 2});
        const std::string csvPath = tmp("fuzz.csv"), tsvPath = tmp("fuzz.tsv"), jsonlPath = tmp("fuzz.jsonl");
        m_targets.push_back({"csv-load",
                             {csvSeeds[0]},
                             &kCsv,
                             [csvPath](const std::string& in) {
                                 put(csvPath, in);
                                 CsvOptions o;
                                 o.textColumn = "review";
                                 o.labelColumn = "sentiment";
                                 loadCsv(csvPath, o);
                             },
                             2});
        m_targets.push_back({"tsv-load",
                             {csvSeeds[1]},
                             &kCsv,
                             [tsvPath](const std::string& in) {
                                 put(tsvPath, in);
                                 CsvOptions o;
                                 o.delimiter = '\t';
                                 o.header = false;
                                 o.textColumn = "1";
                                 o.labelColumn = "0";
                                 loadCsv(tsvPath, o);
                             },
                             1});
        m_targets.push_back({"jsonl-load",
                             {slurp(tpqtest::dataPath("csv/reviews.jsonl"))},
                             &kJson,
                             [jsonlPath](const std::string& in) {
                                 put(jsonlPath, in);
                                 const JsonlOptions o;
                                 loadJsonl(jsonlPath, o, {});
                             },
                             2});
        std::vector<std::string> mails;
        for (const auto& e : fs::directory_iterator(tpqtest::dataPath("mail")))
            mails.push_back(slurp(e.path().string()));
        m_targets.push_back({"mail", mails, &kMail, [](const std::string& in) { decodeMail(in); }, 3});
        const std::string vocabTxt = tmp("vocab.txt"), vocabJson = tmp("vocab.json");
        m_targets.push_back({"vocab-txt",
                             {slurp(tpqtest::dataPath("tiny_bert/vocab.txt"))},
                             &kVocab,
                             [vocabTxt](const std::string& in) {
                                 put(vocabTxt, in);
                                 Tokenizer::load(vocabTxt)->tokenize("Hello, wörld! tokens ##x");
                             },
                             2});
        m_targets.push_back({"vocab-json",
                             {"[\"[PAD]\", \"[UNK]\", \"[CLS]\", \"[SEP]\", \"hello\", \"##s\", \"world\"]\n",
                              "{\"[PAD]\": 0, \"[UNK]\": 1, \"[CLS]\": 2, \"[SEP]\": 3, \"hello\": 4}\n"},
                             &kJson,
                             [vocabJson](const std::string& in) {
                                 put(vocabJson, in);
                                 Tokenizer::load(vocabJson)->tokenize("hello worlds");
                             },
                             2});
        RunResult r;
        r.runId = "baseline";
        r.method = Method::Unstructured;
        r.labelNames = {"ham", "spam"};
        r.test.accuracy = 0.9;
        r.test.confusionMatrix = {{5, 1}, {0, 4}};
        TrainHistory h;
        h.epochs.push_back({});
        h.epochs.push_back({});
        h.stepLoss = {{1, 0.7}, {2, 0.5}};
        m_targets.push_back(
            {"result-json", {r.toJson()}, &kJson, [](const std::string& in) { RunResult::fromJson(in); }, 1});
        m_targets.push_back(
            {"history-csv", {h.toCsv()}, &kCsv, [](const std::string& in) { TrainHistory::fromCsv(in); }, 1});
    }

    /// One input through `t`: true when it returned or threw tpq::Error within the limits
    /// (`mustRead`: a seed, which must return without error).
    bool runOne(const Target& t, const std::string& input, std::string& why, bool mustRead = false) {
        g_input = &input;
        const int64_t rssBefore = startPeak();
        ::alarm(10);  // a hang ends as SIGALRM, with the input saved
        const auto start = std::chrono::steady_clock::now();
        bool ok = true;
        try {
            t.run(input);
            ++m_accepted;
        } catch (const Error& e) {
            if (mustRead) ok = false, why = std::string("a seed, refused: ") + e.what();
        } catch (const std::exception& e) {
            ok = false;
            why = std::string("threw ") + typeid(e).name() + ", not tpq::Error: " + e.what();
        } catch (...) {
            ok = false;
            why = "threw something that is not a std::exception";
        }
        ::alarm(0);
        g_input = nullptr;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (ok && seconds > 1.0) ok = false, why = "took " + std::to_string(seconds) + " s (limit 1 s)";
        const int64_t peak = statusMb("VmHWM");
        m_largestMb = std::max(m_largestMb, peak - rssBefore);
        if (ok && m_peakResettable && peak - rssBefore > 512)
            ok = false, why = "used " + std::to_string(peak - rssBefore) + " MB (limit 512 MB for one input)";
        return ok;
    }

    void save(const Target& t, const std::string& input, int64_t index, const std::string& why) {
        fs::create_directories(crashDir());
        const std::string path =
            crashDir() + "/" + t.name + "-" + std::to_string(m_seed) + "-" + std::to_string(index) + ".bin";
        put(path, input);
        qWarning("%s input %lld: %s (saved as %s)", t.name.c_str(), (long long)index, why.c_str(), path.c_str());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        initLogging(LogLevel::Off, "");
        if (const char* s = std::getenv("TPQ_FUZZ_SEED")) m_seed = std::stoull(s);
        m_total = 50000;
        if (const char* n = std::getenv("TPQ_FUZZ_INPUTS")) m_total = std::stoll(n);
        addModelTargets();
        addTextTargets();
        for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) std::signal(sig, onFatalSignal);
        fs::create_directories(crashDir());  // the signal handler writes there
        {
            std::vector<char> block(size_t(64) << 20, 1);  // raise the peak, free it, reset it
            block.back() = 2;
        }
        const int64_t rss = startPeak();
        m_peakResettable = rss >= 0 && statusMb("VmHWM") - rss < 32;
        if (!m_peakResettable) qInfo("fuzz: the peak resident size cannot be reset here; memory is not checked");
    }

    void replay() {
        const char* path = std::getenv("TPQ_FUZZ_REPLAY");
        if (!path) QSKIP("TPQ_FUZZ_REPLAY not set");
        const std::string name = fs::path(path).filename().string();
        for (const auto& t : m_targets) {
            if (name.rfind(t.name + "-", 0) != 0) continue;
            std::string why;
            QVERIFY2(runOne(t, slurp(path), why), why.c_str());
            return;
        }
        QFAIL(("no reader for " + name).c_str());
    }

    void everyReaderReturnsOrThrowsTpqError() {
        if (std::getenv("TPQ_FUZZ_REPLAY")) QSKIP("replaying one input");
        int weights = 0;
        for (const auto& t : m_targets) weights += t.weight;
        int64_t failures = 0, inputs = 0;
        const auto start = std::chrono::steady_clock::now();
        for (const auto& t : m_targets) {
            const int64_t count = std::max<int64_t>(int64_t(t.seeds.size()), m_total * t.weight / weights);
            Mutator m(m_seed * 1000003u + std::hash<std::string>()(t.name));
            const std::string crash = crashDir() + "/" + t.name + "-signal.bin";
            std::snprintf(g_crashPath, sizeof g_crashPath, "%s", crash.c_str());
            m_accepted = 0;
            for (int64_t i = 0; i < count; ++i) {
                // The seeds themselves first: each must load.
                const bool isSeed = i < int64_t(t.seeds.size());
                const std::string& seed = t.seeds[isSeed ? size_t(i) : m.below(t.seeds.size())];
                const std::string input = isSeed          ? seed
                                          : t.safetensors ? mutateSafetensors(m, seed, t.seeds)
                                                          : m.mutate(seed, t.seeds, *t.dictionary);
                std::string why;
                if (!runOne(t, input, why, isSeed)) {
                    ++failures;
                    save(t, input, i, why);
                }
                ++inputs;
            }
            qInfo("%-18s %7lld inputs, %6lld read without error", t.name.c_str(), (long long)count,
                  (long long)m_accepted);
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        qInfo(
            "fuzz: %lld inputs over %zu readers in %.1f s (seed %llu), %lld failures; at most %lld MB for one "
            "input, peak resident %lld MB",
            (long long)inputs, m_targets.size(), seconds, (unsigned long long)m_seed, (long long)failures,
            (long long)m_largestMb, (long long)maxRssMb());
        QCOMPARE(failures, int64_t(0));
        QVERIFY(inputs >= std::min<int64_t>(m_total, 20000));
    }
};

QTEST_GUILESS_MAIN(TestFuzz)
#include "fuzz_readers.moc"
