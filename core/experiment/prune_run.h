#pragma once
/// \file prune_run.h
/// `tpq prune`: prunes a trained model folder to one or more sparsities
/// (optionally fine-tuning with the masks kept) and writes one model folder and
/// result.json per level.

#include <optional>
#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/run_result.h"
#include "experiment/train_run.h"

namespace tpq {

/// What a pruning run needs besides its config; made by resolve() (step_plan.h).
struct PruneRunOptions {
    std::string modelDir;                // the trained model folder to start from (it is not modified)
    std::vector<double> levels;          // unstructured: target sparsities, each in [0, 1); one run per level
    int fineTuneEpochs = 0;              // epochs of fine-tuning after pruning, masks kept; 0 = none
    std::vector<std::string> runIds;     // the runs' ids, as used (one per level; else one)
    std::optional<double> headFraction;  // structured: fraction of the model's heads to remove, in [0, 1),
                                         // instead of the config's num_heads_to_prune
};

/// For each level: reloads the model, prunes the linear layers in scope (encoder layers;
/// `pruning.unstructured.method`, `pruning.global_pruning`), fine-tunes with the config's
/// training section when asked, evaluates on the test split of `config.data` and writes
///   <checkpoint_dir>/<run>/  the pruned model folder (tpq.json gains "pruning")
///   <results_dir>/<run>/result.json  with layer_sparsity, target_sparsity, accuracy_drop
/// where <run> is options.runIds[level] (resolve(): "<model>_unstructured_<percent>" + "_ft<epochs>").
/// The unpruned model is evaluated once on the same split for accuracy_drop.
std::vector<RunResult> runUnstructuredPruning(const ExperimentConfig& config, const PruneRunOptions& options,
                                              const TrainRunCallbacks& callbacks);

/// Progressive magnitude pruning (ProgressivePruning) with the config's
/// pruning.progressive keys (initial/final sparsity, num_iterations, schedule,
/// max_accuracy_drop), fine-tuning `options.fineTuneEpochs` after every step
/// (`options.levels` is not used). Writes one run (resolve():
/// "<model>_progressive_<final percent>" + "_ft<epochs>"), whose result.json adds
/// pruning_history (iteration, target_sparsity, sparsity, val_accuracy, within_budget).
RunResult runProgressivePruning(const ExperimentConfig& config, const PruneRunOptions& options,
                                const TrainRunCallbacks& callbacks);

/// Structured pruning (StructuredPruning) with the config's attention_head_pruning and
/// ffn_pruning keys: heads and feed-forward neurons scored on `pruning.calibration_batches`
/// training batches and physically removed, then `options.fineTuneEpochs` of fine-tuning.
/// Writes one run (resolve(): "<model>_structured_h<count>_ffn<percent>", or heads<percent>
/// for a fraction, + "_ft<epochs>"),
/// whose result.json adds head_importance, heads_kept, ffn_kept, and the side-by-side
/// latency and size of the unpruned model (speedup, size_ratio).
RunResult runStructuredPruning(const ExperimentConfig& config, const PruneRunOptions& options,
                               const TrainRunCallbacks& callbacks);

}  // namespace tpq
