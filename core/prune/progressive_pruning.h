#pragma once
/// \file progressive_pruning.h
/// Progressive (gradual) magnitude pruning: sparsity raised from initial to final over
/// `numIterations` steps on a linear or cubic schedule (Zhu & Gupta 2017, "To prune, or
/// not to prune"), fine-tuning between steps with the masks kept. With a validation
/// accuracy budget it stops when a step exceeds it and keeps the best model that met it.
///
///     ProgressivePruning pruner(model, {.finalSparsity = 0.9});
///     pruner.pruningSchedule();   // {0.4392, 0.7056, 0.8424, 0.8928, 0.9}: 5 cubic steps from 0
///     ProgressiveResult r = pruner.apply(train, validation, trainerOptions);

#include <functional>
#include <string>
#include <vector>

#include "data/data_loader.h"
#include "prune/unstructured_pruning.h"
#include "train/trainer.h"
#include "util/progress.h"

namespace tpq {

struct ProgressivePruningOptions {
    double initialSparsity = 0.0;    // sparsity the schedule starts from, in [0, finalSparsity]
    double finalSparsity = 0.5;      // sparsity after the last step, in [0, 1)
    int numIterations = 5;           // pruning steps, >= 1
    std::string schedule = "cubic";  // cubic (Zhu & Gupta 2017: fast first, gentle at the end) or linear
    int fineTuneEpochs = 1;          // epochs of fine-tuning after each step; 0 = none
    double maxAccuracyDrop = -1;     // validation accuracy budget as a fraction (0.01 = 1 point); < 0 = none

    std::vector<std::string> validate() const;
};

/// One step of the history.
struct ProgressiveStep {
    int iteration = 0;          // 1-based
    double targetSparsity = 0;  // the schedule's value
    double sparsity = 0;        // measured zero fraction in scope
    double valAccuracy = 0;     // after fine-tuning
    bool withinBudget = true;   // valAccuracy >= baseline - maxAccuracyDrop
};

struct ProgressiveResult {
    double baselineValAccuracy = 0;        // before any pruning
    std::vector<ProgressiveStep> history;  // every step run
    int keptIteration = 0;                 // the step whose model was kept; 0 = the unpruned model
    bool stoppedByBudget = false;
    double sparsity = 0;  // of the kept model, in scope
};

struct ProgressiveCallbacks {
    std::function<void(const TrainProgress&)> training;  // fine-tuning steps
    std::function<void(const ProgressiveStep&)> step;    // after each pruning step
    const CancellationToken* cancel = nullptr;
};

class ProgressivePruning {
public:
    /// The model is borrowed and must outlive the pruner. Throws tpq::Error for invalid options.
    ProgressivePruning(Classifier& model, ProgressivePruningOptions options, UnstructuredPruningOptions scope = {});

    /// The planned sparsity after each step (numIterations values, the last = finalSparsity).
    std::vector<double> pruningSchedule() const;

    /// Runs the schedule. `trainerOptions.epochs` is replaced by fineTuneEpochs. When the
    /// budget is exceeded, the model's weights are restored to the best step within it.
    ProgressiveResult apply(DataLoader& train, DataLoader& validation, TrainerOptions trainerOptions,
                            const ProgressiveCallbacks& callbacks = {});

private:
    Classifier& m_model;
    ProgressivePruningOptions m_options;
    UnstructuredPruning m_pruner;
};

}  // namespace tpq
