#pragma once
/// \file step_plan.h
/// One way from a request to a model. A compression step is asked for as a VariantSpec — by
/// a project variant, by `tpq prune` / `tpq quantize` flags, by a GUI panel — and resolve()
/// turns it into everything the run needs: the config with the step's settings written in,
/// the run options and the run id. runStep() runs it. Every caller goes through the pair,
/// so the same settings make the same model under the same run id wherever they come from.
///
///     VariantSpec v;
///     v.method = Method::Unstructured;
///     v.sparsity = 0.5;
///     const StepPlan plan = resolve(v, config, "checkpoints/baseline");   // plan.runIds =
///     {"baseline_unstructured_50"} const std::vector<RunResult> results = runStep(plan, callbacks);    // numbered _2
///     when taken

#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/project.h"
#include "experiment/prune_run.h"
#include "experiment/quant_run.h"
#include "experiment/run_result.h"
#include "experiment/train_run.h"

namespace tpq {

/// A step with nothing left to decide.
struct StepPlan {
    Method method = Method::Baseline;
    /// The config the step runs with: the caller's, with the variant's settings written in
    /// (the caller's config is never modified).
    ExperimentConfig config;
    PruneRunOptions prune;  // pruning methods
    QuantRunOptions quant;  // quantization methods and combined (its quantization step)
    /// The run ids before numbering: one per run the step writes (an unstructured sweep: one
    /// per level; mixed precision: the prefix of its settings' runs).
    std::vector<std::string> runIds;
    bool resume = false;  // baseline: continue from the trainer state of an interrupted run
};

/// Throws tpq::Error when a setting of `v` does not apply to its method ("observer is for
/// static quantization") or is out of range ("sparsity must be in [0, 1)"); resolve() and
/// the project reader call it.
void checkVariant(const VariantSpec& v);

/// Resolves `v` against `config` for a step starting from the model in `modelDir`.
/// Combined variants compare with `modelDir` and quantize the pruned model, which the
/// caller puts in plan.quant.modelDir once the pruning step ran (the run id is known before). Throws what
/// checkVariant() throws.
StepPlan resolve(const VariantSpec& v, const ExperimentConfig& config, const std::string& modelDir);

/// One plan for several unstructured levels of the same model and settings (`tpq prune
/// --unstructured` over pruning.unstructured.sparsity_levels): the base model is loaded and
/// tested once for all of them.
StepPlan resolveSweep(const std::vector<VariantSpec>& levels, const ExperimentConfig& config,
                      const std::string& modelDir);

/// The levels `tpq prune --unstructured` runs without --sparsity, as variants:
/// pruning.unstructured.sparsity_levels, or pruning.sparsity when only that is set.
std::vector<VariantSpec> unstructuredSweep(const ExperimentConfig& config);

/// The plan's run ids, numbered _2, _3 when results/ or checkpoints/ hold a run of that name
/// (mixed precision: a run starting with "<id>_" counts too); a baseline's as they are.
std::vector<std::string> numberedRunIds(const StepPlan& plan);

/// Runs the plan. `runIds` ("" = the plan's, numbered _2, _3 when results/ or checkpoints/
/// hold a run of that name) are used as given: a project re-running an interrupted variant
/// passes the id it recorded.
std::vector<RunResult> runStep(const StepPlan& plan, const TrainRunCallbacks& callbacks,
                               const std::vector<std::string>& runIds = {});

}  // namespace tpq
