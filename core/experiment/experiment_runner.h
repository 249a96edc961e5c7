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
#include "experiment/step_plan.h"
#include "experiment/train_run.h"
#include "experiment/variant_state.h"

namespace tpq {

struct VariantProgress {
    size_t index = 0;  // 1-based
    size_t total = 0;
    std::string variant;  // VariantSpec::key()
    VariantState state = VariantState::Running;
    std::vector<std::string> runIds;
    double seconds = 0;  // Finished: how long it took
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
    /// Runs `plan` (resolved from `v`) under `runId`: a combined variant's pruning step first
    /// (or the finished one reused), an interrupted baseline from its trainer state.
    std::vector<RunResult> runVariant(const VariantSpec& v, StepPlan plan, const std::string& runId, bool interrupted,
                                      const TrainRunCallbacks& callbacks,
                                      const std::function<void(const VariantProgress&)>& onVariant);
    /// Records the variant as running (under its recorded id when it was interrupted, else a
    /// new one) with the model it is made from, and saves the project.
    ProjectRun startRecord(const VariantSpec& v, const StepPlan& plan, const ProjectRun* existing);
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

}  // namespace tpq
