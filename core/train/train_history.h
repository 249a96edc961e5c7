#pragma once
/// \file train_history.h
/// What a training run records — the loss of every optimizer step and a summary of every
/// epoch — and its file, history.csv: one type, one writer (toCsv), one reader (fromCsv),
/// the optimizer step in every row. Free of LibTorch so that the GUI can read it.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tpq {

struct EpochRecord {
    int epoch = 0;     // 1-based
    int64_t step = 0;  // optimizer steps done at the end of the epoch; 0 = unknown (files before 0.2)
    double trainLoss = 0, trainAccuracy = 0;
    double valLoss = 0, valAccuracy = 0, valF1 = 0;  // NaN: no validation split
    double seconds = 0;
};

struct TrainHistory {
    std::vector<std::pair<int64_t, double>> stepLoss;  // (optimizer step, loss)
    std::vector<EpochRecord> epochs;
    int bestEpoch = 0;  // 1-based; 0 = none yet
    double bestValAccuracy = -1;
    bool stoppedEarly = false;
    int resumedFromEpoch = 0;  // epochs already done when training resumed

    /// CSV: type,epoch,step,loss,train_loss,train_accuracy,val_loss,val_accuracy,val_f1,seconds
    /// with one "step" row per optimizer step and one "epoch" row per epoch; NaN is "nan".
    std::string toCsv() const;
    /// Reads toCsv()'s text (and that of earlier versions, whose epoch rows have no step: then
    /// the step is estimated from the epoch's share of the steps). Columns are found by the
    /// header's names; a row that is not a step or epoch row, or has no loss, is skipped.
    static TrainHistory fromCsv(const std::string& text);
    bool empty() const { return stepLoss.empty() && epochs.empty(); }
    /// The optimizer step at which epoch `e` (0-based index into epochs) ended.
    int64_t epochEndStep(size_t e) const;
};

}  // namespace tpq
