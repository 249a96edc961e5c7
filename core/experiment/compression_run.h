#pragma once
/// \file compression_run.h
/// What pruning and quantization runs share (internal to core/experiment): the base model
/// folder loaded once with its data and test accuracy, a RunResult per run, fine-tuning
/// with the best epoch saved, and finishing a run — reload the saved folder, test it,
/// measure it beside the base model, write tpq.json and result.json.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/experiment_config.h"
#include "data/data_loader.h"
#include "experiment/run_result.h"
#include "experiment/train_run.h"
#include "io/model_folder.h"

namespace tpq::detail {

/// The base model, the data and the base model's test accuracy.
struct CompressionContext {
    LoadedModel base;
    std::vector<std::string> labels;
    std::unique_ptr<DataLoader> test, train, validation;  // train/validation only when asked for
    double baselineAccuracy = 0;
    int64_t baselineSizeBytes = 0;
    size_t maxLength = 0;
};

/// The folder's name ("checkpoints/baseline/" -> "baseline").
std::string modelName(const std::string& modelDir);
/// 0.5 -> "50".
std::string percent(double s);

CompressionContext prepareCompression(const ExperimentConfig& config, const std::string& modelDir, bool needTraining,
                                      const TrainRunCallbacks& callbacks);

RunResult newResult(const CompressionContext& c, const ExperimentConfig& config, const std::string& modelDir,
                    int fineTuneEpochs, const std::string& run, Method method);

/// Reloads result.modelDir, tests it, measures it beside the base model, records `step` in
/// its tpq.json (`field`: &ModelInfo::pruning or &ModelInfo::quantization) and writes result.json.
void finishRun(const CompressionContext& c, const ExperimentConfig& config, ModelInfo::Step field,
               const nlohmann::ordered_json& step, const TrainRunCallbacks& callbacks, RunResult& result);

/// Writes `text` to <results_dir>/<run>/`name` (history.csv, result.json).
void writeRunFile(const ExperimentConfig& config, const RunResult& result, const std::string& name,
                  const std::string& text);

/// Fine-tunes `model` for `epochs` (calling `afterStep` after every optimizer step), saves
/// the best epoch with `save`, writes history.csv; with no epochs it only saves.
void fineTuneAndSave(const CompressionContext& c, const ExperimentConfig& config, int epochs, Classifier& model,
                     const std::function<void()>& save, const std::function<void()>& afterStep,
                     const TrainRunCallbacks& callbacks, RunResult& result);

}  // namespace tpq::detail
