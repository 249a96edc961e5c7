#include "experiment/project.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "config/yaml_support.h"
#include "experiment/method.h"
#include "experiment/step_plan.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/file_lock.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

const std::vector<std::string> kVariantKeys = {"method",
                                               "sparsity",
                                               "block",
                                               "heads",
                                               "num_heads_to_prune",
                                               "ffn_sparsity",
                                               "fine_tune_epochs",
                                               "observer",
                                               "calibration_batches",
                                               "qat_epochs",
                                               "pruning",
                                               "quantization"};
const std::vector<std::string> kProjectKeys = {"tpq_project",    "name",       "config",   "experiment", "results_dir",
                                               "checkpoint_dir", "base_model", "variants", "runs"};

// file:line:col, as the config reader writes it.
std::string at(const std::string& where, const YAML::Node& node, int lineOffset) {
    return yamlWhere(where, node.Mark(), lineOffset);
}

// 0.5 -> "0.5", 1 -> "1"
std::string shortNumber(double v) {
    std::string s = formatFixed(v, 6);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// The values of a key that may be one value or a list (a sweep). A block shape is itself
// a list of two numbers ([1, 4]); a sweep of them is a list of such lists or of "1x4" texts.
std::vector<YAML::Node> values(const YAML::Node& node, const std::string& key) {
    std::vector<YAML::Node> out;
    const bool oneBlock = key == "block" && node.IsSequence() && node.size() == 2 && node[0].IsScalar() &&
                          node[1].IsScalar() && node[0].Scalar().find_first_not_of("0123456789") == std::string::npos;
    if (node.IsSequence() && !oneBlock) {
        for (const auto& item : node) out.push_back(item);
    } else {
        out.push_back(node);
    }
    return out;
}

}  // namespace

const char* runStatusName(RunStatus s) {
    switch (s) {
        case RunStatus::Running:
            return "running";
        case RunStatus::Cancelled:
            return "cancelled";
        case RunStatus::Finished:
            return "finished";
    }
    return "running";
}

std::optional<RunStatus> parseRunStatus(std::string_view name) {
    for (RunStatus s : {RunStatus::Running, RunStatus::Cancelled, RunStatus::Finished})
        if (name == runStatusName(s)) return s;
    return std::nullopt;
}

std::string VariantSpec::key() const {
    const bool combined = method == Method::Combined;
    std::string k = methodName(method);
    if (combined) k += std::string(" ") + methodName(pruning);
    if (sparsity) k += " sparsity=" + shortNumber(*sparsity);
    if (block) k += " block=" + blockShapeName(*block);
    if (heads) k += " heads=" + shortNumber(*heads);
    if (numHeadsToPrune) k += " num_heads=" + std::to_string(*numHeadsToPrune);
    if (ffnSparsity) k += " ffn=" + shortNumber(*ffnSparsity);
    if (fineTuneEpochs) k += " ft=" + std::to_string(*fineTuneEpochs);
    if (observer) k += " observer=" + *observer;
    if (calibrationBatches) k += " calibration=" + std::to_string(*calibrationBatches);
    if (qatEpochs) k += " qat_epochs=" + std::to_string(*qatEpochs);
    if (combined) k += std::string(" + ") + methodName(quantization);
    return k;
}

VariantSpec VariantSpec::pruningStep() const {
    VariantSpec p = *this;
    p.method = pruning;
    p.pruning = Method::Structured;
    p.quantization = Method::Dynamic;
    p.observer.reset();
    p.calibrationBatches.reset();
    p.qatEpochs.reset();
    return p;
}

namespace {

// One value of a variant key into `v` (a sweep calls it once per value).
void setVariantKey(VariantSpec& v, const std::string& key, const YAML::Node& n, const std::string& where,
                   int lineOffset) {
    const std::string here = at(where, n, lineOffset);
    // The config reader's strict numbers: "0.5x", ".nan" and ".inf" are not numbers.
    const std::string text = n.IsScalar() ? n.Scalar() : std::string();
    const auto fraction = [&] {
        double f = 0;
        if (!parseDouble(text, f)) throw Error(here + ": " + key + " must be a number in [0, 1), got '" + text + "'");
        if (!(f >= 0 && f < 1)) throw Error(here + ": " + key + " must be in [0, 1), got " + shortNumber(f));
        return f;
    };
    const auto count = [&](int lo, int hi) {
        long long c = 0;
        if (!parseInt64(text, c)) throw Error(here + ": " + key + " must be a whole number, got '" + text + "'");
        if (c < lo || c > hi)
            throw Error(here + ": " + key + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        "], got " + std::to_string(c));
        return c;
    };
    const auto method = [&] { return requireMethod(n.as<std::string>(), here, "variant method"); };
    if (key == "method")
        v.method = method();
    else if (key == "sparsity")
        v.sparsity = fraction();
    else if (key == "block") {
        std::optional<BlockShape> b;
        if (n.IsScalar()) b = parseBlockShape(text);
        if (n.IsSequence() && n.size() == 2 && n[0].IsScalar() && n[1].IsScalar())
            b = parseBlockShape(n[0].Scalar() + "x" + n[1].Scalar());
        if (!b)
            throw Error(here + ": block must be a block shape like [1, 4] or 1x4 (rows x cols, each in [1, " +
                        std::to_string(kMaxBlockSide) + "])");
        v.block = *b;
    } else if (key == "heads")
        v.heads = fraction();
    else if (key == "num_heads_to_prune")
        v.numHeadsToPrune = count(0, 100000);
    else if (key == "ffn_sparsity")
        v.ffnSparsity = fraction();
    else if (key == "fine_tune_epochs")
        v.fineTuneEpochs = count(0, 1000);
    else if (key == "observer")
        v.observer = n.as<std::string>();
    else if (key == "calibration_batches")
        v.calibrationBatches = count(1, 100000);
    else if (key == "qat_epochs")
        v.qatEpochs = count(0, 1000);
    else if (key == "pruning") {
        v.pruning = method();
        if (v.pruning != Method::Structured && v.pruning != Method::Unstructured && v.pruning != Method::Progressive)
            throw Error(here + ": combined pruning must be structured, unstructured or progressive, got '" +
                        n.as<std::string>() + "'");
    } else if (key == "quantization") {
        v.quantization = method();
        if (v.quantization != Method::Dynamic && v.quantization != Method::Static && v.quantization != Method::Qat)
            throw Error(here + ": combined quantization must be dynamic, static or qat, got '" + n.as<std::string>() +
                        "'");
    }
}

// The variants of one entry of the list: a list-valued key (a sweep) makes one variant per value.
std::vector<VariantSpec> expandVariant(const YAML::Node& item, const std::string& where, int lineOffset) {
    std::vector<VariantSpec> expanded(1);
    for (const auto& key : kVariantKeys) {
        const YAML::Node node = item[key];
        if (!node) continue;
        // An empty list would silently make no variant at all.
        if (node.IsSequence() && node.size() == 0)
            throw Error(at(where, node, lineOffset) + ": variant key '" + key +
                        "' is an empty list: give a value, or a list of values for a sweep");
        if (node.IsNull()) throw Error(at(where, node, lineOffset) + ": variant key '" + key + "' has no value");
        std::vector<VariantSpec> next;
        for (const auto& spec : expanded) {
            for (const auto& value : values(node, key)) {
                VariantSpec v = spec;
                try {
                    setVariantKey(v, key, value, where, lineOffset);
                } catch (const YAML::Exception&) {
                    throw Error(at(where, value, lineOffset) + ": variant key '" + key +
                                "' has a value of the wrong type");
                }
                next.push_back(v);
            }
        }
        expanded = next;
    }
    return expanded;
}

std::vector<VariantSpec> parseVariantsNode(const YAML::Node& root, const std::string& where, int lineOffset) {
    if (!root.IsSequence() || root.size() == 0)
        throw Error(at(where, root, lineOffset) +
                    ": variants must be a list, e.g. [baseline, {method: unstructured, sparsity: 0.5}]");
    std::vector<VariantSpec> out;
    for (const auto& item : root) {
        const std::string here = at(where, item, lineOffset);
        if (item.IsScalar()) {
            VariantSpec v;
            setVariantKey(v, "method", item, where, lineOffset);
            out.push_back(v);
            continue;
        }
        if (!item.IsMap()) throw Error(here + ": a variant is a method name or a mapping with a method key");
        for (const auto& kv : item) {
            const std::string key = kv.first.as<std::string>();
            if (std::find(kVariantKeys.begin(), kVariantKeys.end(), key) == kVariantKeys.end()) {
                throw Error(at(where, kv.first, lineOffset) + ": " +
                            unknownKeyMessage("variant key", key, kVariantKeys));
            }
        }
        if (!item["method"]) throw Error(here + ": variant without a method key");
        for (auto& v : expandVariant(item, where, lineOffset)) {
            if (v.method != Method::Combined && (item["pruning"] || item["quantization"]))
                throw Error(here + ": pruning and quantization keys belong to combined variants (method " +
                            methodName(v.method) + ")");
            try {
                checkVariant(v);  // a setting for another method, two head settings
            } catch (const Error& e) {
                throw Error(here + ": " + e.what());
            }
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
    try {  // a syntax error, or a key or value of an unexpected kind
        return parseVariantsNode(YAML::Load(yaml), where, lineOffset);
    } catch (const YAML::Exception& e) {
        throw Error(where + ":" + std::to_string(e.mark.line + 1 + lineOffset) + ": " + e.msg);
    }
}

namespace {

// The tpq_project version (not newer than this build's) and no unknown top-level key.
void checkProjectHeader(const YAML::Node& root, const std::string& pathIn) {
    if (!root.IsMap() || !root["tpq_project"])
        throw Error(pathIn +
                    ": not a TPQ Studio project (no tpq_project: version key); create one with "
                    "tpq combined --config FILE or see README, Projects");
    long long version = 0;
    const YAML::Node v = root["tpq_project"];
    if (!v.IsScalar() || !parseInt64(v.Scalar(), version))
        throw Error(at(pathIn, v, 0) + ": tpq_project must be a version number");
    if (version > Project::kVersion) {
        throw Error(at(pathIn, root["tpq_project"], 0) + ": this project was written by a newer TPQ Studio (format " +
                    std::to_string(version) + "; this tpq reads format " + std::to_string(Project::kVersion) +
                    " and older): update TPQ Studio to open it");
    }
    if (version < 1) throw Error(at(pathIn, root["tpq_project"], 0) + ": tpq_project must be >= 1");
    for (const auto& kv : root) {
        const std::string key = kv.first.as<std::string>();
        if (std::find(kProjectKeys.begin(), kProjectKeys.end(), key) == kProjectKeys.end()) {
            throw Error(at(pathIn, kv.first, 0) + ": " + unknownKeyMessage("project key", key, kProjectKeys));
        }
    }
}

// A top-level text value, "" when absent.
std::string projectScalar(const YAML::Node& root, const char* key, const std::string& pathIn) {
    const YAML::Node n = root[key];
    if (!n) return std::string();
    if (!n.IsScalar()) throw Error(at(pathIn, n, 0) + ": " + key + " must be a text value");
    return n.as<std::string>();
}

}  // namespace

void Project::readConfig(const YAML::Node& root, const std::string& pathIn) {
    m_configRef = projectScalar(root, "config", pathIn);
    if (!m_configRef.empty() && root["experiment"])
        throw Error(at(pathIn, root["experiment"], 0) +
                    ": give either config: (a file) or experiment: (inline), not both");
    if (m_configRef.empty()) {
        if (!root["experiment"] || !root["experiment"].IsMap())
            throw Error(pathIn + ": the project has no config: file and no experiment: section");
        YAML::Emitter e;
        e << root["experiment"];
        m_configYaml = std::string(e.c_str()) + "\n";
        std::vector<std::string> warnings;
        m_config = ExperimentConfig::parse(m_configYaml, pathIn + " (experiment: section)", &warnings);
        for (const auto& w : warnings) logWarning(w);
    } else {
        const std::string configPath = absolute(m_configRef);
        std::error_code ec;
        if (!fs::is_regular_file(configPath, ec))
            throw Error(at(pathIn, root["config"], 0) + ": config file " + configPath +
                        " does not exist (paths are relative to the project file)");
        std::vector<std::string> warnings;
        m_config = ExperimentConfig::load(configPath, &warnings);
        for (const auto& w : warnings) logWarning(w);
    }
    const auto problems = m_config.validate();
    if (!problems.empty()) throw Error("the project's config is not valid:\n  " + join(problems, "\n  "));
}

ProjectRun Project::parseRun(const YAML::Node& r, const std::string& pathIn) const {
    ProjectRun run;
    try {
        run.variant = r["variant"].as<std::string>();
        const std::string status = r["status"].as<std::string>();
        const auto parsed = parseRunStatus(status);
        if (!parsed)
            throw Error(at(pathIn, r["status"], 0) + ": unknown run status '" + status +
                        "' (running, cancelled or finished)");
        run.status = *parsed;
        if (r["run_ids"]) run.runIds = r["run_ids"].as<std::vector<std::string>>();
        if (r["results"]) run.resultDirs = r["results"].as<std::vector<std::string>>();
        if (r["models"]) run.modelDirs = r["models"].as<std::vector<std::string>>();
        if (r["weights_hash"]) run.weightsHash = r["weights_hash"].as<std::string>();
        if (r["made_from"]) run.madeFrom = r["made_from"].as<std::string>();
        if (r["made_from_hash"]) run.madeFromHash = r["made_from_hash"].as<std::string>();
        if (r["job"]) run.job = r["job"].as<std::string>();
    } catch (const YAML::Exception&) {
        throw Error(at(pathIn, r, 0) + ": a run needs variant:, status: and lists run_ids:, results:, models:");
    }
    if (run.status == RunStatus::Finished) {
        for (const auto& dir : run.resultDirs) {
            const std::string abs = absolute(dir);
            std::error_code ec;
            if (!fs::is_regular_file(fs::path(abs) / "result.json", ec)) {
                throw Error(at(pathIn, r, 0) + ": run '" + run.variant + "' lists the result folder " + abs +
                            ", which is missing or has no result.json: restore the folder, or delete this "
                            "entry under runs: to run the variant again");
            }
        }
    }
    return run;
}

void Project::readRuns(const YAML::Node& runs, const std::string& pathIn) {
    if (!runs.IsSequence()) throw Error(at(pathIn, runs, 0) + ": runs must be a list");
    for (const auto& r : runs) m_runs.push_back(parseRun(r, pathIn));
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
    try {
        checkProjectHeader(root, pathIn);
        p.m_name = projectScalar(root, "name", pathIn);
        if (p.m_name.empty()) p.m_name = fs::path(p.m_path).stem().stem().string();
        p.readConfig(root, pathIn);
        p.m_resultsDir = projectScalar(root, "results_dir", pathIn);
        p.m_checkpointDir = projectScalar(root, "checkpoint_dir", pathIn);
        p.resolveOutputFolders();
        p.m_baseModelRef = projectScalar(root, "base_model", pathIn);
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
            throw Error(pathIn +
                        ": the variants have no baseline and no base_model: is given; add '- baseline' to "
                        "variants or set base_model: to a trained model folder");
        if (const YAML::Node runs = root["runs"]) p.readRuns(runs, pathIn);
        p.mergeStateFiles();
    } catch (const YAML::Exception& e) {  // a key or value of an unexpected kind
        throw Error(pathIn + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " +
                    e.msg + " (check the project file's layout against configs/demo.tpq.yaml)");
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
        if (v.sparsity) e << YAML::Key << "sparsity" << YAML::Value << *v.sparsity;
        if (v.block) e << YAML::Key << "block" << YAML::Value << blockShapeName(*v.block);
        if (v.heads) e << YAML::Key << "heads" << YAML::Value << *v.heads;
        if (v.numHeadsToPrune) e << YAML::Key << "num_heads_to_prune" << YAML::Value << *v.numHeadsToPrune;
        if (v.ffnSparsity) e << YAML::Key << "ffn_sparsity" << YAML::Value << *v.ffnSparsity;
        if (v.fineTuneEpochs) e << YAML::Key << "fine_tune_epochs" << YAML::Value << *v.fineTuneEpochs;
        if (v.observer) e << YAML::Key << "observer" << YAML::Value << *v.observer;
        if (v.calibrationBatches) e << YAML::Key << "calibration_batches" << YAML::Value << *v.calibrationBatches;
        if (v.qatEpochs) e << YAML::Key << "qat_epochs" << YAML::Value << *v.qatEpochs;
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

void emitRun(YAML::Emitter& e, const ProjectRun& r) {
    e << YAML::BeginMap;
    e << YAML::Key << "variant" << YAML::Value << r.variant;
    e << YAML::Key << "status" << YAML::Value << runStatusName(r.status);
    e << YAML::Key << "run_ids" << YAML::Value << YAML::Flow << r.runIds;
    e << YAML::Key << "results" << YAML::Value << YAML::Flow << r.resultDirs;
    e << YAML::Key << "models" << YAML::Value << YAML::Flow << r.modelDirs;
    if (!r.weightsHash.empty()) e << YAML::Key << "weights_hash" << YAML::Value << r.weightsHash;
    if (!r.madeFrom.empty()) e << YAML::Key << "made_from" << YAML::Value << r.madeFrom;
    if (!r.madeFromHash.empty()) e << YAML::Key << "made_from_hash" << YAML::Value << r.madeFromHash;
    if (!r.job.empty()) e << YAML::Key << "job" << YAML::Value << r.job;
    e << YAML::EndMap;
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
    for (const auto& r : m_runs) emitRun(e, r);
    e << YAML::EndSeq;
    e << YAML::EndMap;
    writeFileAtomic(m_path, "# TPQ Studio project: run it with  tpq run " + fs::path(m_path).filename().string() +
                                "\n" + std::string(e.c_str()) + "\n");
}

bool Project::isStale(const ProjectRun& run) const {
    if (run.madeFromHash.empty() || run.variant == VariantSpec().key()) return false;  // the baseline
    const ProjectRun* base = findRun("baseline");
    if (!base || base->status != RunStatus::Finished || base->weightsHash.empty()) return false;
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

std::string currentJobDescription() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    const char* job = std::getenv("SLURM_ARRAY_JOB_ID");
    const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
    if (job && task) return "slurm " + std::string(job) + "_" + task + " on " + host;
    if (const char* single = std::getenv("SLURM_JOB_ID")) return "slurm " + std::string(single) + " on " + host;
    return "pid " + std::to_string(::getpid()) + " on " + host;
}

void Project::recordRun(const ProjectRun& run) {
    update([&](Project& p) { p.putRun(run); });
}

void Project::putRun(const ProjectRun& run) {
    m_touched.insert(run.variant);
    setRun(run);
}

void Project::setRun(const ProjectRun& run) {
    auto it = std::find_if(m_runs.begin(), m_runs.end(), [&](const ProjectRun& r) { return r.variant == run.variant; });
    if (it == m_runs.end()) {
        m_runs.push_back(run);
    } else {
        *it = run;
    }
}

void Project::update(const std::function<void(Project&)>& change) {
    const FileLock lock(m_path + ".lock");
    reloadRuns();
    m_touched.clear();
    struct Mode {
        bool& lockless;
        ~Mode() { lockless = false; }
    } mode{m_lockless};
    m_lockless = !lock.held();
    if (m_lockless) noteLockless(lock.unavailableReason());
    change(*this);
    if (m_lockless) {
        for (const auto& variant : m_touched)
            if (const ProjectRun* r = findRun(variant)) writeStateFile(*r);
        return;
    }
    save();
    removeStateFiles(m_touched);  // the project file has the newest word on them now
}

void Project::reloadRuns() {
    std::error_code ec;
    if (!fs::exists(m_path, ec)) return;  // not saved yet: the runs in memory are all there is
    const std::string text = readFile(m_path, "project file");
    try {
        const YAML::Node root = YAML::Load(text);
        std::vector<ProjectRun> before = std::move(m_runs);
        m_runs.clear();
        try {
            if (const YAML::Node runs = root["runs"]) readRuns(runs, m_path);
            mergeStateFiles();
        } catch (...) {
            m_runs = std::move(before);
            throw;
        }
    } catch (const YAML::Exception& e) {
        throw Error(m_path + ":" + std::to_string(e.mark.line + 1) +
                    ": not valid YAML while re-reading its runs: " + e.msg);
    }
}

void Project::forgetRun(const std::string& variantKey) {
    removeStateFiles({variantKey});
    m_runs.erase(
        std::remove_if(m_runs.begin(), m_runs.end(), [&](const ProjectRun& r) { return r.variant == variantKey; }),
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

std::string Project::sideFolder(const std::string& suffix) const {
    std::string base = m_path;
    for (const char* ending : {".tpq.yaml", ".yaml", ".yml"})
        if (endsWith(base, ending)) {
            base.resize(base.size() - std::string(ending).size());
            break;
        }
    return base + suffix;
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
