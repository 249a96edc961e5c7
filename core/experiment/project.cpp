#include "experiment/project.h"

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>

#include <yaml-cpp/yaml.h>

#include "experiment/method.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

const std::vector<std::string> kVariantKeys = {"method",           "sparsity", "heads",   "ffn_sparsity",
                                               "fine_tune_epochs", "observer", "pruning", "quantization"};
const std::vector<std::string> kProjectKeys = {"tpq_project",    "name",       "config", "experiment", "results_dir",
                                               "checkpoint_dir", "base_model", "variants", "runs"};

std::string at(const std::string& where, const YAML::Node& node, int lineOffset) {
    const auto mark = node.Mark();
    if (mark.line < 0) return where;
    return where + ":" + std::to_string(mark.line + 1 + lineOffset) + ":" + std::to_string(mark.column + 1);
}

// 0.5 -> "0.5", 1 -> "1"
std::string shortNumber(double v) {
    std::string s = formatFixed(v, 6);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// The values of a key that may be one value or a list (a sweep).
std::vector<YAML::Node> values(const YAML::Node& node) {
    std::vector<YAML::Node> out;
    if (node.IsSequence()) {
        for (const auto& item : node) out.push_back(item);
    } else {
        out.push_back(node);
    }
    return out;
}

}  // namespace

std::string VariantSpec::key() const {
    const bool combined = method == Method::Combined;
    std::string k = methodName(method);
    if (combined) k += std::string(" ") + methodName(pruning);
    if (sparsity >= 0) k += " sparsity=" + shortNumber(sparsity);
    if (heads >= 0) k += " heads=" + shortNumber(heads);
    if (ffnSparsity >= 0) k += " ffn=" + shortNumber(ffnSparsity);
    if (fineTuneEpochs >= 0) k += " ft=" + std::to_string(fineTuneEpochs);
    if (!observer.empty()) k += " observer=" + observer;
    if (combined) k += std::string(" + ") + methodName(quantization);
    return k;
}

VariantSpec VariantSpec::pruningStep() const {
    VariantSpec p = *this;
    p.method = pruning;
    p.pruning = Method::Structured;
    p.quantization = Method::Dynamic;
    p.observer.clear();
    return p;
}

namespace {

std::vector<VariantSpec> parseVariantsNode(const YAML::Node& root, const std::string& where, int lineOffset) {
    if (!root.IsSequence() || root.size() == 0)
        throw Error(at(where, root, lineOffset) +
                    ": variants must be a list, e.g. [baseline, {method: unstructured, sparsity: 0.5}]");
    std::vector<VariantSpec> out;
    for (const auto& item : root) {
        const std::string here = at(where, item, lineOffset);
        // Read once here (aliases such as magnitude included).
        auto methodOf = [&](const YAML::Node& n) {
            return requireMethod(n.as<std::string>(), at(where, n, lineOffset), "variant method");
        };
        if (item.IsScalar()) {
            VariantSpec v;
            v.method = methodOf(item);
            out.push_back(v);
            continue;
        }
        if (!item.IsMap()) throw Error(here + ": a variant is a method name or a mapping with a method key");
        for (const auto& kv : item) {
            const std::string key = kv.first.as<std::string>();
            if (std::find(kVariantKeys.begin(), kVariantKeys.end(), key) == kVariantKeys.end()) {
                throw Error(at(where, kv.first, lineOffset) + ": unknown variant key '" + key + "' (did you mean '" +
                            nearestMatch(key, kVariantKeys) + "'? keys: " + join(kVariantKeys, ", ") + ")");
            }
        }
        if (!item["method"]) throw Error(here + ": variant without a method key");
        // Expand every list-valued key (a sweep) into one variant per combination.
        std::vector<VariantSpec> expanded(1);
        auto expand = [&](const char* key, const std::function<void(VariantSpec&, const YAML::Node&)>& set) {
            const YAML::Node node = item[key];
            if (!node) return;
            // An empty list would silently make no variant at all.
            if (node.IsSequence() && node.size() == 0)
                throw Error(at(where, node, lineOffset) + ": variant key '" + key +
                            "' is an empty list: give a value, or a list of values for a sweep");
            if (node.IsNull())
                throw Error(at(where, node, lineOffset) + ": variant key '" + key + "' has no value");
            std::vector<VariantSpec> next;
            for (const auto& spec : expanded) {
                for (const auto& value : values(node)) {
                    VariantSpec v = spec;
                    try {
                        set(v, value);
                    } catch (const YAML::Exception&) {
                        throw Error(at(where, value, lineOffset) + ": variant key '" + key + "' has a value of the wrong type");
                    }
                    next.push_back(v);
                }
            }
            expanded = next;
        };
        auto fraction = [&](const YAML::Node& n, const char* key) {
            const double v = n.as<double>();
            if (!(v >= 0 && v < 1))  // NaN too
                throw Error(at(where, n, lineOffset) + ": " + key + " must be in [0, 1), got " + shortNumber(v));
            return v;
        };
        expand("method", [&](VariantSpec& v, const YAML::Node& n) { v.method = methodOf(n); });
        expand("sparsity", [&](VariantSpec& v, const YAML::Node& n) { v.sparsity = fraction(n, "sparsity"); });
        expand("heads", [&](VariantSpec& v, const YAML::Node& n) { v.heads = fraction(n, "heads"); });
        expand("ffn_sparsity", [&](VariantSpec& v, const YAML::Node& n) { v.ffnSparsity = fraction(n, "ffn_sparsity"); });
        expand("fine_tune_epochs", [&](VariantSpec& v, const YAML::Node& n) {
            v.fineTuneEpochs = n.as<int>();
            if (v.fineTuneEpochs < 0 || v.fineTuneEpochs > 1000)
                throw Error(at(where, n, lineOffset) + ": fine_tune_epochs must be in [0, 1000]");
        });
        expand("observer", [&](VariantSpec& v, const YAML::Node& n) { v.observer = n.as<std::string>(); });
        expand("pruning", [&](VariantSpec& v, const YAML::Node& n) {
            v.pruning = methodOf(n);
            if (v.pruning != Method::Structured && v.pruning != Method::Unstructured)
                throw Error(at(where, n, lineOffset) + ": combined pruning must be structured or unstructured, got '" +
                            n.as<std::string>() + "'");
        });
        expand("quantization", [&](VariantSpec& v, const YAML::Node& n) {
            v.quantization = methodOf(n);
            if (v.quantization != Method::Dynamic && v.quantization != Method::Static && v.quantization != Method::Qat)
                throw Error(at(where, n, lineOffset) + ": combined quantization must be dynamic, static or qat, got '" +
                            n.as<std::string>() + "'");
        });
        for (auto& v : expanded) {
            if (v.method != Method::Combined && (item["pruning"] || item["quantization"]))
                throw Error(here + ": pruning and quantization keys belong to combined variants (method " +
                            methodName(v.method) + ")");
            out.push_back(v);
        }
    }
    // The same variant twice would run twice into one record.
    for (size_t i = 0; i < out.size(); ++i)
        for (size_t j = i + 1; j < out.size(); ++j)
            if (out[i].key() == out[j].key()) throw Error(where + ": variant '" + out[i].key() + "' is listed twice");
    return out;
}

}  // namespace

std::vector<VariantSpec> parseVariants(const std::string& yaml, const std::string& where, int lineOffset) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        throw Error(where + ":" + std::to_string(e.mark.line + 1 + lineOffset) + ": " + e.msg);
    }
    return parseVariantsNode(root, where, lineOffset);
}

Project Project::load(const std::string& pathIn) {
    Project p;
    p.m_path = fs::absolute(pathIn).lexically_normal().string();
    const std::string text = readFile(pathIn, "project file");
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error(pathIn + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                    ": not valid YAML: " + e.msg);
    }
    if (!root.IsMap() || !root["tpq_project"])
        throw Error(pathIn + ": not a TPQ Studio project (no tpq_project: version key); create one with "
                             "tpq combined --config FILE or see README, Projects");
    int version = 0;
    try {
        version = root["tpq_project"].as<int>();
    } catch (const YAML::Exception&) {
        throw Error(at(pathIn, root["tpq_project"], 0) + ": tpq_project must be a version number");
    }
    if (version > kVersion) {
        throw Error(at(pathIn, root["tpq_project"], 0) + ": this project was written by a newer TPQ Studio (format " +
                    std::to_string(version) + "; this tpq reads format " + std::to_string(kVersion) +
                    " and older): update TPQ Studio to open it");
    }
    if (version < 1) throw Error(at(pathIn, root["tpq_project"], 0) + ": tpq_project must be >= 1");
    for (const auto& kv : root) {
        const std::string key = kv.first.as<std::string>();
        if (std::find(kProjectKeys.begin(), kProjectKeys.end(), key) == kProjectKeys.end()) {
            throw Error(at(pathIn, kv.first, 0) + ": unknown project key '" + key + "' (did you mean '" +
                        nearestMatch(key, kProjectKeys) + "'?)");
        }
    }
    auto scalar = [&](const char* key) {
        const YAML::Node n = root[key];
        if (!n) return std::string();
        if (!n.IsScalar()) throw Error(at(pathIn, n, 0) + ": " + key + " must be a text value");
        return n.as<std::string>();
    };
    p.m_name = scalar("name");
    if (p.m_name.empty()) p.m_name = fs::path(p.m_path).stem().stem().string();
    p.m_configRef = scalar("config");
    if (!p.m_configRef.empty() && root["experiment"])
        throw Error(at(pathIn, root["experiment"], 0) + ": give either config: (a file) or experiment: (inline), not both");
    if (p.m_configRef.empty()) {
        if (!root["experiment"] || !root["experiment"].IsMap())
            throw Error(pathIn + ": the project has no config: file and no experiment: section");
        YAML::Emitter e;
        e << root["experiment"];
        p.m_configYaml = std::string(e.c_str()) + "\n";
        std::vector<std::string> warnings;
        p.m_config = ExperimentConfig::parse(p.m_configYaml, pathIn + " (experiment: section)", &warnings);
        for (const auto& w : warnings) logWarning(w);
    } else {
        const std::string configPath = p.absolute(p.m_configRef);
        std::error_code ec;
        if (!fs::is_regular_file(configPath, ec))
            throw Error(at(pathIn, root["config"], 0) + ": config file " + configPath +
                        " does not exist (paths are relative to the project file)");
        std::vector<std::string> warnings;
        p.m_config = ExperimentConfig::load(configPath, &warnings);
        for (const auto& w : warnings) logWarning(w);
    }
    const auto problems = p.m_config.validate();
    if (!problems.empty()) throw Error("the project's config is not valid:\n  " + join(problems, "\n  "));
    p.m_resultsDir = scalar("results_dir");
    p.m_checkpointDir = scalar("checkpoint_dir");
    p.resolveOutputFolders();
    p.m_baseModelRef = scalar("base_model");
    if (!p.m_baseModelRef.empty()) p.m_baseModel = p.absolute(p.m_baseModelRef);

    if (!root["variants"]) throw Error(pathIn + ": the project has no variants: list");
    {
        YAML::Emitter e;
        e << root["variants"];
        p.m_variantsYaml = std::string(e.c_str()) + "\n";
        p.m_variants = parseVariantsNode(root["variants"], pathIn, 0);  // the file's own line numbers
    }
    const bool hasBaseline = std::any_of(p.m_variants.begin(), p.m_variants.end(),
                                         [](const VariantSpec& v) { return v.method == Method::Baseline; });
    if (!hasBaseline && p.m_baseModel.empty())
        throw Error(pathIn + ": the variants have no baseline and no base_model: is given; add '- baseline' to "
                             "variants or set base_model: to a trained model folder");

    if (const YAML::Node runs = root["runs"]) {
        if (!runs.IsSequence()) throw Error(at(pathIn, runs, 0) + ": runs must be a list");
        for (const auto& r : runs) {
            ProjectRun run;
            try {
                run.variant = r["variant"].as<std::string>();
                run.status = r["status"].as<std::string>();
                if (r["run_ids"]) run.runIds = r["run_ids"].as<std::vector<std::string>>();
                if (r["results"]) run.resultDirs = r["results"].as<std::vector<std::string>>();
                if (r["models"]) run.modelDirs = r["models"].as<std::vector<std::string>>();
                if (r["weights_hash"]) run.weightsHash = r["weights_hash"].as<std::string>();
                if (r["made_from"]) run.madeFrom = r["made_from"].as<std::string>();
                if (r["made_from_hash"]) run.madeFromHash = r["made_from_hash"].as<std::string>();
            } catch (const YAML::Exception&) {
                throw Error(at(pathIn, r, 0) + ": a run needs variant:, status: and lists run_ids:, results:, models:");
            }
            if (run.status == "finished") {
                for (const auto& dir : run.resultDirs) {
                    const std::string abs = p.absolute(dir);
                    std::error_code ec;
                    if (!fs::is_regular_file(fs::path(abs) / "result.json", ec)) {
                        throw Error(at(pathIn, r, 0) + ": run '" + run.variant + "' lists the result folder " + abs +
                                    ", which is missing or has no result.json: restore the folder, or delete this "
                                    "entry under runs: to run the variant again");
                    }
                }
            }
            p.m_runs.push_back(run);
        }
    }
    return p;
}

namespace {

/// The variants section as YAML, one flow map per (expanded) variant.
std::string variantsToYaml(const std::vector<VariantSpec>& variants) {
    YAML::Emitter e;
    e << YAML::BeginSeq;
    for (const auto& v : variants) {
        e << YAML::Flow << YAML::BeginMap << YAML::Key << "method" << YAML::Value << methodName(v.method);
        if (v.sparsity >= 0) e << YAML::Key << "sparsity" << YAML::Value << v.sparsity;
        if (v.heads >= 0) e << YAML::Key << "heads" << YAML::Value << v.heads;
        if (v.ffnSparsity >= 0) e << YAML::Key << "ffn_sparsity" << YAML::Value << v.ffnSparsity;
        if (v.fineTuneEpochs >= 0) e << YAML::Key << "fine_tune_epochs" << YAML::Value << v.fineTuneEpochs;
        if (!v.observer.empty()) e << YAML::Key << "observer" << YAML::Value << v.observer;
        if (v.method == Method::Combined) {
            e << YAML::Key << "pruning" << YAML::Value << methodName(v.pruning);
            e << YAML::Key << "quantization" << YAML::Value << methodName(v.quantization);
        }
        e << YAML::EndMap;
    }
    e << YAML::EndSeq;
    return std::string(e.c_str()) + "\n";
}

}  // namespace

Project Project::create(const std::string& path, const ExperimentConfig& config,
                        const std::vector<VariantSpec>& variants, const std::string& baseModel) {
    Project p;
    p.m_path = fs::absolute(path).lexically_normal().string();
    if (!baseModel.empty()) {
        p.m_baseModel = fs::absolute(baseModel).lexically_normal().string();
        p.m_baseModelRef = p.relative(p.m_baseModel);
    }
    p.m_name = config.name;
    p.m_configYaml = config.toYaml();
    p.m_config = config;
    p.m_resultsDir = config.output.resultsDir;
    p.m_checkpointDir = config.output.checkpointDir;
    p.resolveOutputFolders();
    p.setVariants(variants);
    return p;
}

void Project::save() const {
    YAML::Emitter e;
    e << YAML::BeginMap;
    e << YAML::Key << "tpq_project" << YAML::Value << kVersion;
    e << YAML::Key << "name" << YAML::Value << m_name;
    if (!m_configRef.empty()) {
        e << YAML::Key << "config" << YAML::Value << m_configRef;
    } else {
        e << YAML::Key << "experiment" << YAML::Value << YAML::Load(m_configYaml);
    }
    if (!m_resultsDir.empty()) e << YAML::Key << "results_dir" << YAML::Value << m_resultsDir;
    if (!m_checkpointDir.empty()) e << YAML::Key << "checkpoint_dir" << YAML::Value << m_checkpointDir;
    if (!m_baseModelRef.empty()) e << YAML::Key << "base_model" << YAML::Value << m_baseModelRef;
    e << YAML::Key << "variants" << YAML::Value << YAML::Load(m_variantsYaml);
    e << YAML::Key << "runs" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : m_runs) {
        e << YAML::BeginMap;
        e << YAML::Key << "variant" << YAML::Value << r.variant;
        e << YAML::Key << "status" << YAML::Value << r.status;
        e << YAML::Key << "run_ids" << YAML::Value << YAML::Flow << r.runIds;
        e << YAML::Key << "results" << YAML::Value << YAML::Flow << r.resultDirs;
        e << YAML::Key << "models" << YAML::Value << YAML::Flow << r.modelDirs;
        if (!r.weightsHash.empty()) e << YAML::Key << "weights_hash" << YAML::Value << r.weightsHash;
        if (!r.madeFrom.empty()) e << YAML::Key << "made_from" << YAML::Value << r.madeFrom;
        if (!r.madeFromHash.empty()) e << YAML::Key << "made_from_hash" << YAML::Value << r.madeFromHash;
        e << YAML::EndMap;
    }
    e << YAML::EndSeq;
    e << YAML::EndMap;
    writeFileAtomic(m_path, "# TPQ Studio project: run it with  tpq run " + fs::path(m_path).filename().string() +
                                "\n" + std::string(e.c_str()) + "\n");
}

bool Project::isStale(const ProjectRun& run) const {
    if (run.madeFromHash.empty() || run.variant == "baseline") return false;
    const ProjectRun* base = findRun("baseline");
    if (!base || base->status != "finished" || base->weightsHash.empty()) return false;
    return base->weightsHash != run.madeFromHash;
}

std::vector<std::string> Project::staleRunIds() const {
    std::vector<std::string> ids;
    for (const auto& r : m_runs)
        if (isStale(r)) ids.insert(ids.end(), r.runIds.begin(), r.runIds.end());
    return ids;
}

std::string weightsHash(const std::string& modelDir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const char* name : {"model.safetensors", "pytorch_model.bin"})
        if (fs::is_regular_file(fs::path(modelDir) / name, ec)) {
            files.push_back(fs::path(modelDir) / name);
            break;
        }
    if (files.empty()) {  // a folder in another format: every file of it, in name order
        for (const auto& e : fs::directory_iterator(modelDir, ec))
            if (e.is_regular_file(ec)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
    }
    if (files.empty()) return "";
    uint64_t h = kFnvOffset;
    std::vector<char> buffer(1 << 20);
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) throw Error("cannot read " + f.string() + " to hash the model's weights");
        while (in) {
            in.read(buffer.data(), std::streamsize(buffer.size()));
            h = fnv1a(std::string_view(buffer.data(), size_t(in.gcount())), h);
        }
    }
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return std::string("fnv1a64:") + hex;
}

void Project::setVariants(const std::vector<VariantSpec>& variants) {
    m_variants = variants;
    m_variantsYaml = variantsToYaml(variants);
}

bool Project::addVariant(const VariantSpec& variant) {
    for (const auto& v : m_variants)
        if (v.key() == variant.key()) return false;
    auto variants = m_variants;
    variants.push_back(variant);
    setVariants(variants);
    return true;
}

void Project::setConfig(const ExperimentConfig& config) {
    const auto problems = config.validate();
    if (!problems.empty()) throw Error("the experiment settings are not valid: " + problems.front());
    pinOutputFolders();  // they stay the project's own, whatever the new config says
    m_config = config;
    m_configRef.clear();
    m_configYaml = config.toYaml();
    m_name = config.name;
    resolveOutputFolders();
}

void Project::saveAs(const std::string& path) {
    const std::string newPath = fs::absolute(path).lexically_normal().string();
    const auto rebase = [&](std::string& ref) {
        if (ref.empty()) return;
        const std::string abs = absolute(ref);
        const fs::path rel = fs::path(abs).lexically_relative(fs::path(newPath).parent_path());
        ref = rel.empty() ? abs : rel.string();
    };
    pinOutputFolders();
    rebase(m_configRef);
    rebase(m_resultsDir);
    rebase(m_checkpointDir);
    rebase(m_baseModelRef);
    for (auto& r : m_runs) {
        for (auto& d : r.resultDirs) rebase(d);
        for (auto& d : r.modelDirs) rebase(d);
    }
    m_path = newPath;
    save();
}

void Project::pinOutputFolders() {
    if (m_resultsDir.empty()) m_resultsDir = relative(m_config.output.resultsDir);
    if (m_checkpointDir.empty()) m_checkpointDir = relative(m_config.output.checkpointDir);
}

void Project::resolveOutputFolders() {
    auto& out = m_config.output;
    out.resultsDir = absolute(m_resultsDir.empty() ? out.resultsDir : m_resultsDir);
    out.checkpointDir = absolute(m_checkpointDir.empty() ? out.checkpointDir : m_checkpointDir);
}

const ProjectRun* Project::findRun(const std::string& variantKey) const {
    for (const auto& r : m_runs)
        if (r.variant == variantKey) return &r;
    return nullptr;
}

void Project::recordRun(const ProjectRun& run) {
    auto it = std::find_if(m_runs.begin(), m_runs.end(), [&](const ProjectRun& r) { return r.variant == run.variant; });
    if (it == m_runs.end()) {
        m_runs.push_back(run);
    } else {
        *it = run;
    }
    save();
}

void Project::forgetRun(const std::string& variantKey) {
    m_runs.erase(std::remove_if(m_runs.begin(), m_runs.end(), [&](const ProjectRun& r) { return r.variant == variantKey; }),
                 m_runs.end());
}

const ProjectRun* Project::findRunById(const std::string& runId) const {
    for (const auto& r : m_runs)
        if (std::find(r.runIds.begin(), r.runIds.end(), runId) != r.runIds.end()) return &r;
    return nullptr;
}

std::vector<std::string> Project::ownedFolders(const ProjectRun& run) const {
    const auto inside = [](const fs::path& dir, const fs::path& root) {
        const fs::path rel = dir.lexically_normal().lexically_relative(root.lexically_normal());
        return !rel.empty() && rel != "." && *rel.begin() != "..";
    };
    const fs::path results = m_config.output.resultsDir, checkpoints = m_config.output.checkpointDir;
    const fs::path base = m_baseModel.empty() ? fs::path() : fs::path(m_baseModel).lexically_normal();
    std::vector<std::string> out;
    for (const auto* dirs : {&run.resultDirs, &run.modelDirs})
        for (const auto& d : *dirs) {
            const fs::path dir = fs::path(absolute(d)).lexically_normal();
            if (dir == base || !(inside(dir, results) || inside(dir, checkpoints))) continue;
            if (std::find(out.begin(), out.end(), dir.string()) == out.end()) out.push_back(dir.string());
        }
    return out;
}

std::string Project::absolute(const std::string& relative) const {
    if (relative.empty()) return fs::path(m_path).parent_path().string();
    const fs::path p(relative);
    if (p.is_absolute()) return p.lexically_normal().string();
    return (fs::path(m_path).parent_path() / p).lexically_normal().string();
}

std::string Project::relative(const std::string& absolutePath) const {
    const fs::path rel = fs::path(absolutePath).lexically_relative(fs::path(m_path).parent_path());
    return rel.empty() ? absolutePath : rel.string();
}

}  // namespace tpq
