#include "config/experiment_config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>
#include <type_traits>

#include <yaml-cpp/yaml.h>

#include "config/yaml_support.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace tpq {
namespace {

// Counts (max_samples) are read as uint64_t; one overload serves both on LP64 Linux.
static_assert(std::is_same<size_t, uint64_t>::value, "size_t must be uint64_t");

std::string formatDouble(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string where(const std::string& source, const YAML::Mark& mark) {
    return yamlWhere(source, mark);
}

// ---- the visitor that reads YAML ---------------------------------------------------------

class Reader {
public:
    Reader(const std::string& source, ExperimentConfig& config, std::vector<std::string>& errors,
           std::vector<std::string>& warnings)
        : m_source(source), m_config(config), m_errors(errors), m_warnings(warnings) {}

    void run(const YAML::Node& root, const std::function<void()>& body) {
        m_stack.push_back({root, "", {}, {}});
        body();
        finishMap();
        m_stack.pop_back();
    }

    template <class F>
    void section(const char* key, F body) {
        Frame& top = m_stack.back();
        top.known.insert(key);
        const std::optional<YAML::Node> found = child(top.node, key);
        const std::string path = top.prefix + key;
        if (!found || found->IsNull()) {
            // Missing section: defaults. Visit with an empty map so nested keys register.
            m_stack.push_back({YAML::Node(YAML::NodeType::Map), path + ".", {}, {}});
            body();
            m_stack.pop_back();
            return;
        }
        const YAML::Node& node = *found;
        if (!node.IsMap()) {
            m_errors.push_back(where(m_source, node.Mark()) + ": " + path +
                               " must be a mapping of keys (indented 'key: value' lines), got " + describe(node));
            return;
        }
        m_stack.push_back({node, path + ".", {}, {}});
        body();
        finishMap();
        m_stack.pop_back();
    }

    void field(const char* key, std::string& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            if (!n.IsScalar()) return typeError(n, path, "a text value");
            v = n.Scalar();
        });
    }
    /// `key` is another name for `canonical`; giving both is an error.
    void alias(const char* key, const char* canonical, std::string& v) {
        const Frame& top = m_stack.back();
        const auto a = child(top.node, key);
        const auto b = child(top.node, canonical);
        if (a && b) {
            m_errors.push_back(where(m_source, a->Mark()) + ": " + top.prefix + key + " and " + top.prefix + canonical +
                               " (at " + where(m_source, b->Mark()) + ") name the same setting; keep one");
            m_stack.back().known.insert(key);
            return;
        }
        field(key, v);
    }
    void field(const char* key, int& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            long long x;
            if (!n.IsScalar() || !parseInt64(n.Scalar(), x) || x < INT32_MIN || x > INT32_MAX) {
                return typeError(n, path, "an integer");
            }
            v = int(x);
        });
    }
    void field(const char* key, uint64_t& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            long long x;
            if (!n.IsScalar() || !parseInt64(n.Scalar(), x) || x < 0) {
                return typeError(n, path, "a non-negative integer");
            }
            v = uint64_t(x);
        });
    }
    void field(const char* key, double& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            if (!n.IsScalar() || !parseDouble(n.Scalar(), v)) return typeError(n, path, "a number");
        });
    }
    void field(const char* key, bool& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            if (!n.IsScalar() || !parseBool(n.Scalar(), v)) return typeError(n, path, "true or false");
        });
    }
    void field(const char* key, BlockShape& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            constexpr const char* kExpected = "a block shape [rows, cols] of two integers in [1, 1024], like [1, 4]";
            std::optional<BlockShape> b;
            if (n.IsScalar()) {
                b = parseBlockShape(n.Scalar());
            } else if (n.IsSequence() && n.size() == 2 && n[0].IsScalar() && n[1].IsScalar()) {
                b = parseBlockShape(n[0].Scalar() + "x" + n[1].Scalar());
            }
            if (!b) return typeError(n, path, kExpected);
            v = *b;
        });
    }
    void field(const char* key, std::vector<double>& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            if (!n.IsSequence()) return typeError(n, path, "a list of numbers like [0.1, 0.5]");
            std::vector<double> out;
            for (const auto& item : n) {
                double x;
                if (!item.IsScalar() || !parseDouble(item.Scalar(), x)) {
                    return typeError(item, path, "a list of numbers like [0.1, 0.5]");
                }
                out.push_back(x);
            }
            v = out;
        });
    }
    void field(const char* key, std::vector<std::string>& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            if (!n.IsSequence()) return typeError(n, path, "a list like [ham, spam]");
            std::vector<std::string> out;
            for (const auto& item : n) {
                if (!item.IsScalar()) return typeError(item, path, "a list like [ham, spam]");
                out.push_back(item.Scalar());
            }
            v = out;
        });
    }

    void field(const char* key, std::map<std::string, std::string>& v) {
        read(key, [&](const YAML::Node& n, const std::string& path) {
            if (!n.IsMap()) return typeError(n, path, "a mapping of layer: precision lines");
            std::map<std::string, std::string> out;
            for (auto it = n.begin(); it != n.end(); ++it) {
                if (!it->first.IsScalar() || !it->second.IsScalar())
                    return typeError(it->second, path, "a mapping of layer: precision lines");
                out[it->first.Scalar()] = it->second.Scalar();
            }
            v = out;
        });
    }

private:
    struct Frame {
        YAML::Node node;
        std::string prefix;
        std::set<std::string> known;
        std::vector<std::string> knownOrder;
    };

    // The value of `key` in `map`, or nothing when absent (a default YAML::Node would be a
    // defined null, indistinguishable from "key:" with no value).
    static std::optional<YAML::Node> child(const YAML::Node& map, const char* key) {
        if (!map.IsMap()) return std::nullopt;
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
        }
        return std::nullopt;
    }

    static std::string describe(const YAML::Node& n) {
        if (n.IsScalar()) return "'" + n.Scalar() + "'";
        if (n.IsSequence()) return "a list";
        if (n.IsMap()) return "a mapping";
        return "nothing";
    }

    template <class F>
    void read(const char* key, F convert) {
        Frame& top = m_stack.back();
        top.known.insert(key);
        const std::string path = top.prefix + key;
        const std::optional<YAML::Node> n = child(top.node, key);
        if (!n) return;
        m_config.locations[path] = where(m_source, n->Mark());
        if (n->IsNull()) return;  // "key:" with no value keeps the default
        convert(*n, path);
    }

    void typeError(const YAML::Node& n, const std::string& path, const char* expected) {
        m_errors.push_back(where(m_source, n.Mark()) + ": " + path + " must be " + expected + ", got " + describe(n));
    }

    void finishMap() {
        const Frame& top = m_stack.back();
        if (!top.node.IsMap()) return;
        std::vector<std::string> known(top.known.begin(), top.known.end());
        std::map<std::string, YAML::Mark> seen;
        for (auto it = top.node.begin(); it != top.node.end(); ++it) {
            const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
            if (auto [prev, inserted] = seen.emplace(key, it->first.Mark()); !inserted) {
                m_errors.push_back(where(m_source, it->first.Mark()) + ": key '" + top.prefix + key +
                                   "' appears twice (first at line " + std::to_string(prev->second.line + 1) +
                                   "); keep one");
                continue;
            }
            if (top.known.count(key)) continue;
            const std::string elsewhere = sameKeyElsewhere(key);
            const std::string msg =
                where(m_source, it->first.Mark()) + ": " +
                (elsewhere.empty() ? unknownKeyMessage("key", key, known, top.prefix)
                                   : "unknown key '" + top.prefix + key + "'; did you mean '" + elsewhere + "'?");
            m_warnings.push_back(msg + " (ignored)");
        }
    }

    // A key that exists verbatim in another section ("model.max_length" -> "data.max_length").
    static std::string sameKeyElsewhere(const std::string& key) {
        for (const auto& full : ExperimentConfig::knownKeys()) {
            const size_t dot = full.rfind('.');
            if (dot != std::string::npos && full.compare(dot + 1, std::string::npos, key) == 0) return full;
        }
        return {};
    }

    std::string m_source;
    ExperimentConfig& m_config;
    std::vector<std::string>& m_errors;
    std::vector<std::string>& m_warnings;
    std::vector<Frame> m_stack;
};

// ---- the visitor that writes YAML --------------------------------------------------------

class Writer {
public:
    explicit Writer(YAML::Emitter& out) : m_out(out) {}

    template <class F>
    void section(const char* key, F body) {
        m_out << YAML::Key << key << YAML::Value << YAML::BeginMap;
        body();
        m_out << YAML::EndMap;
    }
    void field(const char* key, const std::string& v) { m_out << YAML::Key << key << YAML::Value << v; }
    void alias(const char*, const char*, const std::string&) {}  // aliases are read, never written
    void field(const char* key, int v) { m_out << YAML::Key << key << YAML::Value << v; }
    void field(const char* key, uint64_t v) { m_out << YAML::Key << key << YAML::Value << v; }
    void field(const char* key, double v) { m_out << YAML::Key << key << YAML::Value << formatDouble(v); }
    void field(const char* key, bool v) { m_out << YAML::Key << key << YAML::Value << v; }
    void field(const char* key, const BlockShape& v) {
        m_out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq << v.rows << v.cols << YAML::EndSeq;
    }
    void field(const char* key, const std::vector<double>& v) {
        m_out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (double x : v) m_out << formatDouble(x);
        m_out << YAML::EndSeq;
    }
    void field(const char* key, const std::vector<std::string>& v) {
        m_out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& x : v) m_out << x;
        m_out << YAML::EndSeq;
    }
    void field(const char* key, const std::map<std::string, std::string>& v) {
        m_out << YAML::Key << key << YAML::Value << YAML::BeginMap;
        for (const auto& [k, x] : v) m_out << YAML::Key << k << YAML::Value << x;
        m_out << YAML::EndMap;
    }

private:
    YAML::Emitter& m_out;
};

// ---- the visitor that lists keys ---------------------------------------------------------

class KeyLister {
public:
    std::vector<std::string> keys;
    template <class F>
    void section(const char* key, F body) {
        m_prefix.push_back(key);
        body();
        m_prefix.pop_back();
    }
    template <class T>
    void field(const char* key, const T&) {
        std::string k;
        for (const auto& p : m_prefix) k += p + ".";
        keys.push_back(k + key);
    }
    template <class T>
    void alias(const char*, const char*, const T&) {}

private:
    std::vector<std::string> m_prefix;
};

// The single list of config keys. Reader, Writer and KeyLister all walk it, so a key is
// named in exactly one place.
template <class V, class C>
void visitConfig(V& v, C& c) {
    v.field("name", c.name);
    v.field("seed", c.seed);
    v.field("threads", c.threads);
    v.section("model", [&] {
        v.field("name", c.model.name);
        v.field("num_labels", c.model.numLabels);
        v.field("path", c.model.path);
        v.field("d_model", c.model.dModel);
        v.field("num_heads", c.model.numHeads);
        v.field("num_layers", c.model.numLayers);
        v.field("d_ff", c.model.dFf);
        v.field("max_len", c.model.maxLen);
        v.field("dropout", c.model.dropout);
        v.field("pooling", c.model.pooling);
    });
    v.section("training", [&] {
        v.field("batch_size", c.training.batchSize);
        v.field("learning_rate", c.training.learningRate);
        v.field("epochs", c.training.epochs);
        v.field("max_grad_norm", c.training.maxGradNorm);
        v.field("weight_decay", c.training.weightDecay);
        v.field("warmup_ratio", c.training.warmupRatio);
        v.field("gradient_accumulation_steps", c.training.gradientAccumulationSteps);
        v.field("eval_batch_size", c.training.evalBatchSize);
        v.field("early_stopping_patience", c.training.earlyStoppingPatience);
        v.field("group_by_length", c.training.groupByLength);
    });
    v.section("data", [&] {
        v.field("dataset", c.data.dataset);
        v.field("path", c.data.path);
        v.field("text_column", c.data.textColumn);
        v.alias("text_key", "text_column", c.data.textColumn);
        v.field("label_column", c.data.labelColumn);
        v.alias("label_key", "label_column", c.data.labelColumn);
        v.field("header", c.data.header);
        v.field("label_names", c.data.labelNames);
        v.field("max_length", c.maxLength);
        v.field("max_samples", c.data.maxSamples);
        v.field("deduplicate", c.data.deduplicate);
        v.field("train_ratio", c.data.trainRatio);
        v.field("val_ratio", c.data.validationRatio);
        v.field("test_ratio", c.data.testRatio);
    });
    v.section("tokenizer", [&] {
        v.field("type", c.tokenizer.type);
        v.field("vocab", c.tokenizer.vocab);
        v.field("lowercase", c.tokenizer.lowercase);
        v.field("min_frequency", c.tokenizer.minFrequency);
        v.field("max_vocab_size", c.tokenizer.maxVocabSize);
    });
    v.section("pruning", [&] {
        v.field("method", c.pruning.method);
        v.field("sparsity", c.pruning.sparsity);
        v.field("global_pruning", c.pruning.globalPruning);
        v.field("fine_tune_epochs", c.pruning.fineTuneEpochs);
        v.field("calibration_batches", c.pruning.calibrationBatches);
        v.field("compact_storage", c.pruning.compactStorage);
        v.section("attention_head_pruning", [&] {
            v.field("enabled", c.pruning.headPruningEnabled);
            v.field("num_heads_to_prune", c.pruning.numHeadsToPrune);
            v.field("pruning_method", c.pruning.headPruningMethod);
            v.field("keep_one_head_per_layer", c.pruning.keepOneHeadPerLayer);
        });
        v.section("ffn_pruning", [&] {
            v.field("enabled", c.pruning.ffnPruningEnabled);
            v.field("intermediate_sparsity", c.pruning.ffnSparsity);
            v.field("pruning_method", c.pruning.ffnPruningMethod);
        });
        v.section("unstructured", [&] {
            v.field("method", c.pruning.unstructuredMethod);
            v.field("sparsity_levels", c.pruning.sparsityLevels);
            v.field("block", c.pruning.block);
            v.field("include", c.pruning.include);
            v.field("exclude", c.pruning.exclude);
        });
        v.section("progressive", [&] {
            v.field("initial_sparsity", c.pruning.initialSparsity);
            v.field("final_sparsity", c.pruning.finalSparsity);
            v.field("num_iterations", c.pruning.numIterations);
            v.field("schedule", c.pruning.progressiveSchedule);
            v.field("max_accuracy_drop", c.pruning.maxAccuracyDrop);
        });
    });
    v.section("quantization", [&] {
        v.field("method", c.quantization.method);
        v.field("dtype", c.quantization.dtype);
        v.field("backend", c.quantization.backend);
        v.field("calibration_batches", c.quantization.calibrationBatches);
        v.field("per_channel", c.quantization.perChannel);
        v.field("quantize_embeddings", c.quantization.quantizeEmbeddings);
        v.field("skip_layers", c.quantization.skipLayers);
        v.field("observer", c.quantization.observer);
        v.section("qat", [&] {
            v.field("epochs", c.quantization.qatEpochs);
            v.field("learning_rate", c.quantization.qatLearningRate);
        });
        v.section("mixed_precision", [&] {
            v.field("top_k", c.quantization.sensitiveLayersTopK);
            v.field("num_samples", c.quantization.sensitivitySamples);
            v.field("sensitive_precision", c.quantization.sensitivePrecision);
            v.field("int4_layers", c.quantization.int4Layers);
            v.field("group_size", c.quantization.int4GroupSize);
            v.field("max_accuracy_drop", c.quantization.maxAccuracyDrop);
            v.field("precision_map", c.quantization.precisionMap);
        });
    });
    v.section("output", [&] {
        v.field("checkpoint_dir", c.output.checkpointDir);
        v.field("results_dir", c.output.resultsDir);
        v.field("output_dir", c.output.outputDir);
        v.field("log_dir", c.output.logDir);
    });
}

}  // namespace

ExperimentConfig ExperimentConfig::parse(const std::string& yaml, const std::string& sourceName,
                                         std::vector<std::string>* warnings) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::ParserException& e) {
        throw Error(where(sourceName, e.mark) + ": YAML syntax error: " + e.msg +
                    " (check indentation, colons and quotes on this line or the one before)");
    }
    ExperimentConfig config;
    config.sourcePath = sourceName;
    if (!root || root.IsNull()) return config;
    if (!root.IsMap()) {
        throw Error(where(sourceName, root.Mark()) +
                    ": the config must be a mapping of sections (model:, training:, data:, ...), not a " +
                    (root.IsSequence() ? "list" : "single value"));
    }
    std::vector<std::string> errors, localWarnings;
    Reader reader(sourceName, config, errors, localWarnings);
    reader.run(root, [&] { visitConfig(reader, config); });
    if (!errors.empty()) throw Error(join(errors, "\n"));
    if (warnings) warnings->insert(warnings->end(), localWarnings.begin(), localWarnings.end());
    return config;
}

ExperimentConfig ExperimentConfig::load(const std::string& path, std::vector<std::string>* warnings) {
    const std::string text = readFile(path, "config file");
    if (trim(text).empty()) {
        throw Error("config file " + path + " is empty; start from configs/base_config.yaml");
    }
    if (text.find('\0') != std::string::npos) {
        throw Error("config file " + path + " looks like a binary file, expected YAML text");
    }
    return parse(text, path, warnings);
}

std::string ExperimentConfig::toYaml() const {
    YAML::Emitter out;
    out << YAML::BeginMap;
    Writer writer(out);
    visitConfig(writer, *this);
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

void ExperimentConfig::save(const std::string& path) const {
    writeFileAtomic(path, toYaml());
}

namespace {
constexpr const char* kRunNameRule = "a run name of letters, digits, '-', '_' and '.' (it names folders: no '/')";
}  // namespace

bool isRunName(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.size() <= 128 &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
               std::string::npos;
}

void checkRunName(const std::string& name, const std::string& where) {
    if (!isRunName(name)) throw Error(where + ": name must be " + kRunNameRule + ", got '" + name + "'");
}

std::string ExperimentConfig::locationOf(const std::string& key) const {
    const auto it = locations.find(key);
    if (it != locations.end()) return it->second;
    return sourcePath.empty() ? std::string("config") : sourcePath;
}

std::vector<std::string> ExperimentConfig::knownKeys() {
    KeyLister lister;
    ExperimentConfig c;
    visitConfig(lister, c);
    return lister.keys;
}

std::vector<std::string> ExperimentConfig::validate() const {
    std::vector<std::string> problems;
    auto at = [&](const std::string& key) {
        auto it = locations.find(key);
        return it == locations.end() ? key : it->second + ": " + key;
    };
    auto check = [&](bool ok, const std::string& key, const std::string& rule, const std::string& got) {
        if (!ok) problems.push_back(at(key) + " must be " + rule + ", got " + got);
    };
    auto oneOf = [&](const std::string& value, const std::string& key, const std::vector<std::string>& allowed) {
        if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
        std::string msg = at(key) + " must be one of " + join(allowed, ", ") + ", got '" + value + "'";
        const std::string near = nearestMatch(value, allowed);
        if (!near.empty()) msg += "; did you mean '" + near + "'?";
        problems.push_back(msg);
    };
    auto inUnit = [&](double v, const std::string& key) { check(v >= 0 && v < 1, key, "in [0, 1)", formatDouble(v)); };
    const auto i2s = [](long long v) { return std::to_string(v); };

    check(isRunName(name), "name", kRunNameRule, "'" + name + "'");
    check(threads >= 0 && threads <= 256, "threads", "in [0, 256] (0 = all cores)", i2s(threads));
    static const std::vector<std::string> models = {"bert-base-uncased", "bert-medium", "bert-small",
                                                    "bert-mini",         "bert-tiny",   "transformer"};
    if (model.path.empty()) oneOf(model.name, "model.name", models);
    check(model.numLabels >= 2, "model.num_labels", ">= 2", i2s(model.numLabels));
    check(model.dModel > 0, "model.d_model", "> 0", i2s(model.dModel));
    check(model.numHeads > 0, "model.num_heads", "> 0", i2s(model.numHeads));
    if (model.dModel > 0 && model.numHeads > 0 && model.dModel % model.numHeads != 0) {
        problems.push_back(at("model.d_model") + " (" + i2s(model.dModel) + ") must be divisible by model.num_heads (" +
                           i2s(model.numHeads) + ")");
    }
    check(model.numLayers > 0, "model.num_layers", "> 0", i2s(model.numLayers));
    check(model.dFf > 0, "model.d_ff", "> 0", i2s(model.dFf));
    check(model.maxLen >= maxLength, "model.max_len", ">= data.max_length (" + i2s(maxLength) + ")", i2s(model.maxLen));
    inUnit(model.dropout, "model.dropout");
    oneOf(model.pooling, "model.pooling", {"cls", "mean", "max"});

    check(training.batchSize > 0, "training.batch_size", "> 0", i2s(training.batchSize));
    check(training.learningRate > 0, "training.learning_rate", "> 0", formatDouble(training.learningRate));
    check(training.epochs >= 1, "training.epochs", ">= 1", i2s(training.epochs));
    check(training.maxGradNorm >= 0, "training.max_grad_norm", ">= 0 (0 = no clipping)",
          formatDouble(training.maxGradNorm));
    check(training.weightDecay >= 0, "training.weight_decay", ">= 0", formatDouble(training.weightDecay));
    inUnit(training.warmupRatio, "training.warmup_ratio");
    check(training.gradientAccumulationSteps >= 1, "training.gradient_accumulation_steps", ">= 1",
          i2s(training.gradientAccumulationSteps));
    check(training.evalBatchSize > 0, "training.eval_batch_size", "> 0", i2s(training.evalBatchSize));
    check(training.earlyStoppingPatience >= 0, "training.early_stopping_patience", ">= 0 (0 = off)",
          i2s(training.earlyStoppingPatience));

    for (const auto& p : data.validate()) {
        // DatasetOptions reports "data.key ..."; add the location of that key.
        const std::string key = p.substr(0, p.find_first_of(" :"));
        auto it = locations.find(key);
        problems.push_back(it == locations.end() ? p : it->second + ": " + p);
    }
    check(maxLength >= 3 && maxLength <= 8192, "data.max_length", "in [3, 8192] (tokens incl. [CLS] and [SEP])",
          i2s(maxLength));

    oneOf(tokenizer.type, "tokenizer.type", {"wordpiece", "word"});
    if (tokenizer.type == "word" && tokenizer.vocab == "bert-base-uncased") {
        problems.push_back(at("tokenizer.vocab") +
                           " is 'bert-base-uncased', a WordPiece vocabulary: use tokenizer.type: wordpiece, or leave "
                           "tokenizer.vocab empty so the word tokenizer builds its vocabulary from the training split");
    }
    check(tokenizer.minFrequency >= 1, "tokenizer.min_frequency", ">= 1", i2s(tokenizer.minFrequency));
    check(tokenizer.maxVocabSize == 0 || tokenizer.maxVocabSize >= 6, "tokenizer.max_vocab_size", "0 (no cap) or >= 6",
          i2s(tokenizer.maxVocabSize));

    oneOf(pruning.method, "pruning.method", {"structured", "unstructured", "progressive", "magnitude"});
    inUnit(pruning.sparsity, "pruning.sparsity");
    check(pruning.numHeadsToPrune >= 0, "pruning.attention_head_pruning.num_heads_to_prune", ">= 0",
          i2s(pruning.numHeadsToPrune));
    oneOf(pruning.headPruningMethod, "pruning.attention_head_pruning.pruning_method", {"importance", "magnitude"});
    inUnit(pruning.ffnSparsity, "pruning.ffn_pruning.intermediate_sparsity");
    oneOf(pruning.ffnPruningMethod, "pruning.ffn_pruning.pruning_method", {"importance", "magnitude"});
    check(pruning.calibrationBatches >= 0, "pruning.calibration_batches", ">= 0 (0 = all)",
          i2s(pruning.calibrationBatches));
    oneOf(pruning.unstructuredMethod, "pruning.unstructured.method", {"magnitude", "random"});
    check(!pruning.sparsityLevels.empty(), "pruning.unstructured.sparsity_levels", "a list of at least one sparsity",
          "[]");
    for (double s : pruning.sparsityLevels) inUnit(s, "pruning.unstructured.sparsity_levels");
    inUnit(pruning.initialSparsity, "pruning.progressive.initial_sparsity");
    inUnit(pruning.finalSparsity, "pruning.progressive.final_sparsity");
    check(pruning.initialSparsity <= pruning.finalSparsity, "pruning.progressive.initial_sparsity",
          "<= final_sparsity (" + formatDouble(pruning.finalSparsity) + ")", formatDouble(pruning.initialSparsity));
    check(pruning.numIterations >= 1, "pruning.progressive.num_iterations", ">= 1", i2s(pruning.numIterations));
    oneOf(pruning.progressiveSchedule, "pruning.progressive.schedule", {"linear", "cubic"});
    check(pruning.maxAccuracyDrop <= 1.0, "pruning.progressive.max_accuracy_drop", "<= 1 (a fraction; < 0 = no budget)",
          formatDouble(pruning.maxAccuracyDrop));
    check(pruning.fineTuneEpochs >= 0, "pruning.fine_tune_epochs", ">= 0", i2s(pruning.fineTuneEpochs));

    oneOf(quantization.method, "quantization.method", {"dynamic", "static", "qat", "mixed"});
    oneOf(quantization.dtype, "quantization.dtype", {"qint8", "float16"});
    oneOf(quantization.backend, "quantization.backend", {"onednn", "qnnpack"});
    check(quantization.calibrationBatches >= 1, "quantization.calibration_batches", ">= 1",
          i2s(quantization.calibrationBatches));
    check(quantization.qatEpochs >= 1, "quantization.qat.epochs", ">= 1", i2s(quantization.qatEpochs));
    check(quantization.qatLearningRate > 0, "quantization.qat.learning_rate", "> 0",
          formatDouble(quantization.qatLearningRate));
    check(quantization.sensitiveLayersTopK >= 0, "quantization.mixed_precision.top_k", ">= 0",
          i2s(quantization.sensitiveLayersTopK));
    oneOf(quantization.observer, "quantization.observer", {"minmax", "moving_average", "percentile", "mse"});
    oneOf(quantization.sensitivePrecision, "quantization.mixed_precision.sensitive_precision",
          {"fp32", "bf16", "fp16", "int8"});
    for (const auto& [layer, precision] : quantization.precisionMap)
        oneOf(precision, ("quantization.mixed_precision.precision_map." + layer).c_str(),
              {"fp32", "bf16", "fp16", "int8", "int4"});
    check(quantization.int4GroupSize > 0 && quantization.int4GroupSize % 2 == 0,
          "quantization.mixed_precision.group_size", "a positive even number",
          std::to_string(quantization.int4GroupSize));
    check(quantization.maxAccuracyDrop < 0 || quantization.maxAccuracyDrop <= 1,
          "quantization.mixed_precision.max_accuracy_drop", "<= 1 (a fraction: 0.01 = 1 point), or < 0 for none",
          formatDouble(quantization.maxAccuracyDrop));
    for (const auto& s : quantization.skipLayers)
        check(!s.empty(), "quantization.skip_layers", "non-empty layer names", "an empty entry");
    check(quantization.sensitivitySamples >= 1, "quantization.mixed_precision.num_samples", ">= 1",
          i2s(quantization.sensitivitySamples));
    return problems;
}

}  // namespace tpq
