#pragma once
/// \file train_run.h
/// `tpq train`: the baseline run of an experiment config, end to end.

#include <functional>

#include "config/experiment_config.h"
#include "experiment/run_result.h"
#include "io/model_folder.h"
#include "train/evaluator.h"
#include "train/trainer.h"

namespace tpq {

struct TrainRunCallbacks {
    ProgressCallback loading;                            // reading the dataset
    std::function<void(const TrainProgress&)> training;  // every optimizer step
    const CancellationToken* cancel = nullptr;
    /// This process is one rank of a data-parallel run (train/data_parallel.h; borrowed,
    /// nullptr = alone): training and every fine-tuning (pruning, QAT) go through the group,
    /// and only rank 0 writes models and results.
    DataParallel* group = nullptr;
};

/// Whether this process writes the run's folders: alone, or rank 0 of callbacks.group.
bool writesResults(const TrainRunCallbacks& callbacks);

/// Loads and splits the data, builds the tokenizer and the model (model.name preset or
/// custom Transformer, or the folder in model.path / $TPQ_MODEL_DIR), trains with the
/// config's training section, evaluates the best checkpoint on the test split and writes
///   <checkpoint_dir>/<name>/         the best model folder
///   <checkpoint_dir>/<name>.resume/  trainer state of the last finished epoch
///   <results_dir>/<name>/result.json and history.csv
/// With `resume`, continues from <checkpoint_dir>/<name>.resume/.
/// With callbacks.group (train/data_parallel.h) this process is one rank of a data-parallel
/// run: every rank trains, only rank 0 writes checkpoints and results; the other ranks
/// return a RunResult with only runId set.
RunResult runTraining(const ExperimentConfig& config, bool resume, const TrainRunCallbacks& callbacks);

/// The test split of `config`'s data (loaded and split as training split it), encoded for
/// `model` in batches of evaluation.eval_batch_size, with its label names. Throws tpq::Error
/// when the model and the data disagree on the number of classes.
struct TestSplit {
    DataLoader loader;
    std::vector<std::string> labelNames;
};
TestSplit loadTestSplit(const LoadedModel& model, const ExperimentConfig& config, const TrainRunCallbacks& callbacks);

/// `tpq evaluate`: loads and splits `config`'s data (as training split it) and evaluates
/// `model` on the test split, with a per-class report. Throws tpq::Error when the model
/// and the data disagree on the number of classes, tpq::Cancelled when cancelled.
Evaluator::DetailedReport evaluateOnTestSplit(LoadedModel& model, const ExperimentConfig& config,
                                              const TrainRunCallbacks& callbacks);

/// The Trainer's options from a config's training section (no resume folder).
TrainerOptions trainerOptions(const TrainingConfig& training);

/// Fills the parameter counts, linear-layer sparsity and latency (batches of 8 and 1 x `seqLen`
/// random ids below `vocabLimit`, the configured threads) of `result`.
void measureModel(Classifier& model, int64_t seqLen, int64_t vocabLimit, RunResult& result, bool latency = true);

/// Latency of two models measured side by side (alternating rounds on the same inputs,
/// `batchSize` x `seqLen`, the same threads); each gets its best round, so a burst of load
/// on the machine does not favour one of them.
void measureLatencySideBySide(Classifier& a, Classifier& b, int64_t seqLen, int64_t vocabLimit, LatencyStats& la,
                              LatencyStats& lb, const CancellationToken* cancel = nullptr, int64_t batchSize = 8);

/// Seeds torch and sets threads for a reproducible run.
void prepareRun(const ExperimentConfig& config);

}  // namespace tpq
