#pragma once
/// \file trainer.h
/// Fine-tuning / training loop: AdamW (no weight decay on biases and LayerNorm), linear
/// warm-up then linear decay, gradient clipping and accumulation, validation every epoch,
/// best and last checkpoints, early stopping, resume with optimizer state, NaN/inf loss
/// detection, progress and cancellation within one batch, history as CSV.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "data/data_loader.h"
#include "models/classifier.h"
#include "train/train_history.h"
#include "util/progress.h"

namespace tpq {

class DataParallel;

struct TrainerOptions {
    int epochs = 3;                     // passes over the training data
    double learningRate = 2e-5;         // peak learning rate
    double weightDecay = 0.01;          // AdamW decay for weights (never biases / LayerNorm)
    double warmupRatio = 0.1;           // fraction of optimizer steps with linear warm-up
    double maxGradNorm = 1.0;           // clip the global gradient norm; 0 = no clipping
    int gradientAccumulationSteps = 1;  // batches per optimizer step
    int earlyStoppingPatience = 0;      // epochs without validation improvement before stopping; 0 = off
    std::string resumeDir;              // folder with trainer state to save into / resume from; "" = none
    bool resume = false;                // continue from the state in resumeDir
    /// Train as one rank of this group (borrowed; nullptr = alone): see setDataParallel().
    DataParallel* dataParallel = nullptr;

    std::vector<std::string> validate() const;
};

/// One training progress report (also what the GUI's live curves plot).
struct TrainProgress {
    int64_t step = 0;        // optimizer steps done
    int64_t totalSteps = 0;  // optimizer steps planned
    int epoch = 0;           // 1-based
    int epochs = 0;
    double loss = 0;  // running mean training loss of this epoch
    double learningRate = 0;
    double samplesPerSecond = 0;
    double etaSeconds = -1;
    double stepLoss = 0;  // this optimizer step's loss (what the live loss curve plots)
    // One extra report after each epoch's validation, with epochEnd set: the step fields
    // repeat the epoch's last step, the rest is that epoch's summary.
    bool epochEnd = false;
    double trainAccuracy = -1, valLoss = -1, valAccuracy = -1;  // epochEnd reports; < 0 = none
};

class Trainer {
public:
    /// Called with the 1-based epoch whenever validation accuracy improves: save the best model.
    using SaveBest = std::function<void(int epoch, const EpochRecord& record)>;

    Trainer(Classifier& model, TrainerOptions options);

    /// Trains. Throws tpq::Error for NaN/inf loss (naming the step) and tpq::Cancelled when
    /// `cancel` is set (checked before every batch); trainer state of the last finished
    /// epoch stays in resumeDir.
    TrainHistory train(DataLoader& train, DataLoader& validation,
                       const std::function<void(const TrainProgress&)>& progress, const CancellationToken* cancel,
                       const SaveBest& saveBest);

    /// Called after every optimizer step, e.g. to keep pruned weights at zero
    /// (`UnstructuredPruning::applyMasks`).
    void setAfterOptimizerStep(std::function<void()> hook) { m_afterStep = std::move(hook); }
    /// Trains as one rank of `group` (borrowed; nullptr = alone): each global batch split by
    /// rank, gradients summed across the ranks before each step, the weights made rank 0's
    /// at the start; every rank validates (same weights, same result), only rank 0 writes the
    /// trainer state.
    void setDataParallel(DataParallel* group) { m_dp = group; }

private:
    struct BatchOutcome {
        double meanLoss = 0;  // the global batch's mean loss (every rank's rows)
        int64_t correct = 0;  // of the global batch
    };
    /// Forward and backward of one batch (this rank's rows of it), the loss divided by
    /// `accum`; no backward when the loss is not finite.
    BatchOutcome forwardBackward(const Batch& batch, double accum);
    /// Sums the gradients across the ranks (a parameter without one counts as zeros).
    void sumGradients();
    struct Session;  // one train() call: optimizer, schedule, history, step counters
    /// Reads resumeDir's trainer state (weights, optimizer, RNG, history) into `s`.
    void loadState(Session& s);
    /// Writes the state after `epoch` into resumeDir; the JSON last, as the commit point.
    void saveState(const Session& s, int epoch) const;
    /// One pass over the training data; the record's validation fields are left unset.
    EpochRecord runEpoch(Session& s, DataLoader& trainData, int epoch,
                         const std::function<void(const TrainProgress&)>& progress, const CancellationToken* cancel);
    /// Validates, reports and logs the epoch; saves the best model. Returns whether training
    /// stops early.
    bool finishEpoch(Session& s, EpochRecord record, DataLoader& validation,
                     const std::function<void(const TrainProgress&)>& progress, const CancellationToken* cancel,
                     const SaveBest& saveBest);

    Classifier& m_model;
    TrainerOptions m_options;
    std::function<void()> m_afterStep;
    DataParallel* m_dp = nullptr;
};

}  // namespace tpq
