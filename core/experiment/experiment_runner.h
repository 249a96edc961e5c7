#pragma once
/// \file experiment_runner.h
/// Runs a Project's variants one after the other: the baseline (trained, or resumed from
/// its last finished epoch), pruning, quantization and combined (prune -> fine-tune ->
/// quantize) variants. Each variant is recorded in the project file as "running" before it
/// starts and "finished" with its run ids once its results are written, so a re-run skips
/// finished variants and runs an interrupted one again under the same run id.

#include <functional>
#include <string>
#include <vector>

#include "experiment/project.h"
#include "experiment/train_run.h"

namespace tpq {

struct VariantProgress {
    size_t index = 0;  // 1-based
    size_t total = 0;
    std::string variant;             // VariantSpec::key()
    std::string state;               // "skipped" (finished before), "running", "resuming", "finished"
    std::vector<std::string> runIds;
    double seconds = 0;              // "finished": how long it took
};

class ExperimentRunner {
public:
    explicit ExperimentRunner(Project& project) : m_project(project) {}

    /// Runs every variant not finished yet; `onVariant` hears each variant's start and end.
    /// Throws what the runs throw (tpq::Cancelled when `callbacks.cancel` is set); what
    /// finished before stays recorded.
    void run(const TrainRunCallbacks& callbacks, const std::function<void(const VariantProgress&)>& onVariant = {});

    /// Runs only the variants with these keys (VariantSpec::key()), and the baseline first
    /// when they need it and it is not finished; empty = all.
    void setOnly(std::vector<std::string> variantKeys) { m_only = std::move(variantKeys); }

    /// The model folder variants start from: the project's base_model, else the baseline's.
    std::string baseModelDir() const;

private:
    std::vector<RunResult> runVariant(const VariantSpec& v, const std::string& runId, bool interrupted,
                                      const TrainRunCallbacks& callbacks);
    std::string prunedModelFor(const VariantSpec& combined, const TrainRunCallbacks& callbacks,
                               const std::function<void(const VariantProgress&)>& onVariant);
    void runRecorded(const VariantSpec& v, size_t index, size_t total, const TrainRunCallbacks& callbacks,
                     const std::function<void(const VariantProgress&)>& onVariant);

    /// weightsHash() of baseModelDir(), computed on first use.
    const std::string& baseModelHash();

    Project& m_project;
    std::vector<std::string> m_only;
    std::string m_baseHash;
};

/// The run id a variant gets in results/ ("<base>_structured_h50_ffn0_ft1", ...) before
/// numbering; `base` is the base model's folder name.
std::string variantRunId(const VariantSpec& v, const std::string& base, const ExperimentConfig& config);

}  // namespace tpq
