#pragma once
/// \file project.h
/// A project file (`*.tpq.yaml`): the experiment config, the variants to run and the runs
/// done so far, with every path relative to the project file so that a project moved to
/// another folder or machine (with its results/ and checkpoints/) opens the same.
///
///     tpq_project: 1                  # format version
///     name: quickstart-demo
///     config: ../configs/quickstart.yaml   # or `experiment:` with the config inline
///     results_dir: results            # optional, relative to the project file
///     checkpoint_dir: checkpoints     # optional, relative to the project file
///     base_model: checkpoints/x       # optional: compress this folder instead of training a baseline
///     variants:
///       - baseline
///       - {method: unstructured, sparsity: [0.3, 0.5], fine_tune_epochs: 0}   # a sweep: two variants
///       - {method: structured, heads: 0.5, ffn_sparsity: 0, fine_tune_epochs: 1}
///       - {method: [dynamic, static]}
///       - {method: combined, pruning: structured, heads: 0.5, fine_tune_epochs: 1, quantization: dynamic}
///     runs:                           # written by tpq run
///       - {variant: "structured heads=0.5 ffn=0 ft=1", status: finished, run_ids: [...], ...}

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/method.h"
#include "util/block_shape.h"

namespace YAML {
class Node;
class Emitter;
}  // namespace YAML

namespace tpq {

/// One compression step as asked for — by a project variant (after sweeps are expanded),
/// `tpq prune`/`tpq quantize` flags or a GUI panel. A setting left unset is the config's;
/// resolve() (step_plan.h) turns it into the run options, the config it runs with and the
/// run id, the same way for every caller.
struct VariantSpec {
    Method method = Method::Baseline;
    std::optional<double> sparsity;         // unstructured: target sparsity; progressive: final sparsity
    std::optional<BlockShape> block;        // unstructured, progressive: weights pruned together (1x4, ...)
    std::optional<double> heads;            // structured: fraction of all heads to remove, in [0, 1)
    std::optional<int> numHeadsToPrune;     // structured: a count of heads to remove instead (tpq prune --heads)
    std::optional<double> ffnSparsity;      // structured: fraction of feed-forward neurons to remove
    std::optional<int> fineTuneEpochs;      // pruning: epochs of fine-tuning after pruning
    std::optional<std::string> observer;    // static: minmax, moving_average, histogram or percentile
    std::optional<int> calibrationBatches;  // static: training batches to calibrate on
    std::optional<int> qatEpochs;           // qat: epochs of quantization-aware training
    Method pruning = Method::Structured;    // combined: Unstructured, Progressive or Structured
    Method quantization = Method::Dynamic;  // combined: Dynamic, Static or Qat

    /// A stable description that identifies the variant ("structured heads=0.5 ffn=0 ft=1").
    std::string key() const;
    /// The pruning step of a combined variant as a variant of its own.
    VariantSpec pruningStep() const;
};

/// What happened to a variant: running while (or if killed while) it runs, cancelled when
/// the user stopped it, finished once its results are written. A running or cancelled
/// variant runs again under the same run id. The project file spells them as
/// runStatusName() does.
enum class RunStatus { Running, Cancelled, Finished };
const char* runStatusName(RunStatus s);                          // "running", "cancelled", "finished"
std::optional<RunStatus> parseRunStatus(std::string_view name);  // nullopt for anything else

struct ProjectRun {
    std::string variant;  // VariantSpec::key()
    RunStatus status = RunStatus::Running;
    std::vector<std::string> runIds;      // results/<id>/ (mixed precision writes several)
    std::vector<std::string> resultDirs;  // relative to the project file
    std::vector<std::string> modelDirs;   // relative to the project file
    /// Baseline runs: a hash of the model's weights file (weightsHash()).
    std::string weightsHash;
    /// Other runs: the run id and weights hash of the model they were made from.
    std::string madeFrom, madeFromHash;
    /// Who runs it: "slurm <job>[_<task>] on <host>" under Slurm, else "pid <pid> on <host>".
    std::string job;
};

/// A run as one entry of the project file's runs: (and of a per-variant state file).
void emitRun(YAML::Emitter& e, const ProjectRun& run);

/// ProjectRun::job for this process, from Slurm's environment or the pid and host name.
std::string currentJobDescription();

class Project {
public:
    static constexpr int kVersion = 1;

    /// Reads a project file. Errors (tpq::Error, with file:line): not YAML, a newer
    /// tpq_project version, unknown variant keys or methods, a run whose result folder is
    /// missing, a config that fails to load or validate.
    static Project load(const std::string& path);

    /// A new project at `path` around `config` (inlined) and `variants` (not yet saved);
    /// `baseModel` ("" = the baseline variant's) is the folder the variants compress.
    static Project create(const std::string& path, const ExperimentConfig& config,
                          const std::vector<VariantSpec>& variants, const std::string& baseModel = "");

    /// Writes the project file atomically (temporary file + rename).
    void save() const;
    /// Writes the project to another file; every path in it is rewritten relative to the
    /// new file, so it still names the same results and checkpoints. The project is at
    /// `path` afterwards.
    void saveAs(const std::string& path);

    /// Replaces the experiment config (inlined from now on; results_dir and
    /// checkpoint_dir stay). Throws tpq::Error when the config does not validate.
    void setConfig(const ExperimentConfig& config);
    /// Replaces the variants (written expanded, one per entry).
    void setVariants(const std::vector<VariantSpec>& variants);
    /// Appends a variant unless one with the same key() exists; returns whether it did.
    bool addVariant(const VariantSpec& variant);

    const std::string& path() const { return m_path; }
    const std::string& name() const { return m_name; }
    /// The config, its output folders resolved against the project file's folder.
    const ExperimentConfig& config() const { return m_config; }
    const std::vector<VariantSpec>& variants() const { return m_variants; }
    /// Absolute folder of the model the variants compress ("" = the baseline variant's).
    const std::string& baseModel() const { return m_baseModel; }

    const std::vector<ProjectRun>& runs() const { return m_runs; }
    /// The run recorded for a variant key, or nullptr.
    const ProjectRun* findRun(const std::string& variantKey) const;
    /// Records (or replaces) a variant's run and saves the project, through update(): the
    /// runs other processes recorded meanwhile are kept.
    void recordRun(const ProjectRun& run);
    /// Read-modify-write of the runs for many tpq processes on one project file (a Slurm job
    /// array, `tpq run --variant-index`): under an exclusive lock on `<project>.lock`
    /// (util/file_lock.h), re-reads the runs recorded in the file, calls `change` (which may
    /// putRun()), and saves atomically. A file not saved yet keeps the runs in memory.
    void update(const std::function<void(Project&)>& change);
    /// Records (or replaces) a variant's run without saving (inside update()).
    void putRun(const ProjectRun& run);
    /// The runs as the project file holds them now (what other processes recorded); a file
    /// not saved yet keeps the runs in memory.
    void reloadRuns();
    /// True when `run` was made from a model other than the baseline's current one (the
    /// baseline was trained again since): it runs again on the next start.
    bool isStale(const ProjectRun& run) const;
    /// The run ids of every stale run.
    std::vector<std::string> staleRunIds() const;
    /// Forgets the run of a variant (it runs again, under a new run id; its old result
    /// folders stay); does not save.
    void forgetRun(const std::string& variantKey);
    /// Whether `runId` is free for `variantKey`: no other variant's run uses it. Inside
    /// update() without file locks it is also claimed, atomically, by creating
    /// <stateFolder>/run_ids/<runId> (the first process to create it has it).
    bool claimRunId(const std::string& runId, const std::string& variantKey);
    /// The project file's path without .tpq.yaml (or .yaml/.yml) and with `suffix`: the
    /// folders that belong to it (`<project>.slurm`, `<project>.states`).
    std::string sideFolder(const std::string& suffix) const;
    /// `<project>.states/`: where the runs go when the filesystem has no file locks.
    std::string stateFolder() const { return sideFolder(".states"); }
    /// How many per-variant state files the last read merged (0: the project file is all).
    size_t stateFilesMerged() const { return m_stateFiles; }
    /// The recorded run that wrote results/<runId>, or nullptr.
    const ProjectRun* findRunById(const std::string& runId) const;
    /// The folders deleting `run` removes (absolute): its result and model folders that lie
    /// inside the project's results or checkpoint folder — never the base model, nor a
    /// folder elsewhere.
    std::vector<std::string> ownedFolders(const ProjectRun& run) const;

    /// Absolute path of a folder given relative to the project file, and back.
    std::string absolute(const std::string& relative) const;
    std::string relative(const std::string& absolute) const;

private:
    /// load(): the config: file or inline experiment: section, validated.
    void readConfig(const YAML::Node& root, const std::string& where);
    /// load(): the runs: list; a finished run's result folders must exist.
    void readRuns(const YAML::Node& runs, const std::string& where);
    ProjectRun parseRun(const YAML::Node& run, const std::string& where) const;
    /// Replaces the variant's run, or appends it.
    void setRun(const ProjectRun& run);

    // Without file locks (project_state_files.cpp): each variant's run in a file of its own
    // under stateFolder(), written only by the process running it, merged over the project
    // file's runs on every read.
    /// Replaces the runs with the state files' (each names its variant); throws tpq::Error
    /// (naming the file) for a damaged one.
    void mergeStateFiles();
    void writeStateFile(const ProjectRun& run) const;
    /// Removes the variants' state files (their word is in the project file now, or forgotten).
    void removeStateFiles(const std::set<std::string>& variants) const;
    std::string stateFileOf(const std::string& variant) const;
    /// Logs once per process which way the runs are kept and why.
    void noteLockless(const std::string& reason) const;
    /// The config's results and checkpoint folders, resolved against the project file.
    void resolveOutputFolders();
    /// Writes the current output folders into results_dir / checkpoint_dir when the project
    /// file did not name them (before the config or the file's place changes).
    void pinOutputFolders();

    std::string m_path;  // absolute
    std::string m_name;
    std::string m_configRef;                    // `config:` as written, "" when inline
    std::string m_configYaml;                   // the inline config (YAML) when m_configRef is empty
    std::string m_resultsDir, m_checkpointDir;  // as written (relative), "" = the config's
    std::string m_baseModelRef;                 // as written
    std::string m_baseModel;
    ExperimentConfig m_config;
    std::vector<VariantSpec> m_variants;
    std::string m_variantsYaml;  // the variants section as written (kept on save)
    std::vector<ProjectRun> m_runs;
    std::set<std::string> m_touched;  // variants putRun() changed in the current update()
    bool m_lockless = false;          // inside update() without a lock: state files
    size_t m_stateFiles = 0;          // state files merged at the last read
};

/// A hash of a model folder's weights (model.safetensors, else pytorch_model.bin, else
/// every file of the folder): "fnv1a64:<16 hex digits>", "" for a folder without files.
/// Throws tpq::Error when a file cannot be read.
std::string weightsHash(const std::string& modelDir);

/// Parses the variants of a project (the `variants:` sequence as YAML text), expanding
/// sweeps; `where` prefixes messages ("demo.tpq.yaml").
std::vector<VariantSpec> parseVariants(const std::string& yaml, const std::string& where, int lineOffset = 0);

}  // namespace tpq
