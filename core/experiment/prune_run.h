#pragma once
/// \file prune_run.h
/// `tpq prune`: prunes a trained model folder to one or more sparsities
/// (optionally fine-tuning with the masks kept) and writes one model folder and
/// result.json per level.

#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/run_result.h"
#include "experiment/train_run.h"

namespace tpq {

struct PruneRunOptions {
    std::string modelDir;        // the trained model folder to start from (it is not modified)
    std::vector<double> levels;  // target sparsities, each in [0, 1); one run per level
    int fineTuneEpochs = 0;      // epochs of fine-tuning after pruning, masks kept; 0 = none
    std::string runId;           // the run's id; "" = derived from the method and its settings, numbered
                                 // (_2, _3) when taken; with several levels, "<runId>_<percent>"
    double headFraction = -1;    // structured: fraction of the model's heads to remove, in [0, 1), instead of
                                 // num_heads_to_prune; < 0 = the config's count
};

/// For each level: reloads the model, prunes the linear layers in scope (encoder layers;
/// `pruning.unstructured.method`, `pruning.global_pruning`), fine-tunes with the config's
/// training section when asked, evaluates on the test split of `config.data` and writes
///   <checkpoint_dir>/<run>/  the pruned model folder (tpq.json gains "pruning")
///   <results_dir>/<run>/result.json  with layer_sparsity, target_sparsity, accuracy_drop
/// where <run> is "<model folder name>_unstructured_<percent>" (+ "_ft<epochs>").
/// The unpruned model is evaluated once on the same split for accuracy_drop.
std::vector<RunResult> runUnstructuredPruning(const ExperimentConfig& config, const PruneRunOptions& options,
                                              const TrainRunCallbacks& callbacks);

/// Progressive magnitude pruning (ProgressivePruning) with the config's
/// pruning.progressive keys (initial/final sparsity, num_iterations, schedule,
/// max_accuracy_drop), fine-tuning `options.fineTuneEpochs` after every step
/// (`options.levels` is not used). Writes one run,
/// "<model folder name>_progressive_<final percent>", whose result.json adds
/// pruning_history (iteration, target_sparsity, sparsity, val_accuracy, within_budget).
RunResult runProgressivePruning(const ExperimentConfig& config, const PruneRunOptions& options,
                                const TrainRunCallbacks& callbacks);

/// Structured pruning (StructuredPruning) with the config's attention_head_pruning and
/// ffn_pruning keys: heads and feed-forward neurons scored on `pruning.calibration_batches`
/// training batches and physically removed, then `options.fineTuneEpochs` of fine-tuning.
/// Writes one run, "<model folder name>_structured_h<heads>_ffn<percent>" (+ "_ft<epochs>"),
/// whose result.json adds head_importance, heads_kept, ffn_kept, and the side-by-side
/// latency and size of the unpruned model (speedup, size_ratio).
RunResult runStructuredPruning(const ExperimentConfig& config, const PruneRunOptions& options,
                               const TrainRunCallbacks& callbacks);

}  // namespace tpq
