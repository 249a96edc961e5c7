#include "experiment/compression_run.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include <torch/torch.h>

#include "data/dataset_loader.h"
#include "experiment/results_store.h"
#include "text/encode_dataset.h"
#include "train/evaluator.h"
#include "train/model_size.h"
#include "train/sparsity.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq::detail {
namespace {

// The saved folder's tpq.json with the step that made it (in `field`) and the run's metrics.
ModelInfo withStep(ModelInfo info, ModelInfo::Step field, const nlohmann::ordered_json& step, const RunResult& result) {
    info.*field = step;
    info.metrics = nlohmann::ordered_json::parse(result.toJson());
    return info;
}

}  // namespace

std::string modelName(const std::string& modelDir) {
    const fs::path p = fs::path(modelDir).lexically_normal();
    const std::string name = p.filename().string();
    return name.empty() || name == "." ? p.parent_path().filename().string() : name;
}

std::string percent(double s) {
    return std::to_string(int(std::lround(s * 100.0)));
}

CompressionContext prepareCompression(const ExperimentConfig& config, const std::string& modelDir, bool needTraining,
                                      const TrainRunCallbacks& callbacks) {
    prepareRun(config);
    CompressionContext c;
    c.base = loadModelFolder(modelDir);
    const DatasetSplits splits = loadAndSplit(config.data, config.seed, {callbacks.loading, callbacks.cancel});
    c.labels = splits.train.labelNames();
    if (c.base.model->numLabels() != int64_t(c.labels.size())) {
        throw Error("the model in " + modelDir + " predicts " + std::to_string(c.base.model->numLabels()) +
                    " classes but the data has " + std::to_string(c.labels.size()));
    }
    const Tokenizer& tokenizer = *c.base.tokenizer;
    c.maxLength = size_t(config.maxLength);
    const size_t evalBatch = size_t(config.training.evalBatchSize);
    auto loader = [&](const TextClassificationDataset& d, size_t batch, bool shuffle) {
        return std::make_unique<DataLoader>(encodeTexts(tokenizer, d.texts(), c.maxLength), d.labels(),
                                            tokenizer.padId(), batch, shuffle, config.seed);
    };
    c.test = loader(splits.test, evalBatch, false);
    if (needTraining) {
        c.train = loader(splits.train, size_t(config.training.batchSize), true);
        c.train->setGroupByLength(config.training.groupByLength);
        c.validation = loader(splits.validation, evalBatch, false);
    }
    c.baselineAccuracy = Evaluator(*c.base.model).evaluate(*c.test, callbacks.cancel).accuracy;
    c.baselineSizeBytes = ModelSizeCalculator::folderBytes(modelDir);
    logInfo("base model: test accuracy " + formatFixed(c.baselineAccuracy, 4));
    return c;
}

// Tests the saved folder of a run and writes its tpq.json and result.json.
void finishRun(const CompressionContext& c, const ExperimentConfig& config, ModelInfo::Step field,
               const nlohmann::ordered_json& step, const TrainRunCallbacks& callbacks, RunResult& result) {
    if (!writesResults(callbacks)) return;  // rank 0 of a data-parallel run tests and writes
    LoadedModel saved = loadModelFolder(result.modelDir);
    Classifier& model = *saved.model;
    result.test = Evaluator(model).evaluate(*c.test, callbacks.cancel);
    const int64_t vocab = int64_t(c.base.tokenizer->vocabSize());
    measureModel(model, int64_t(c.maxLength), vocab, result, /*latency=*/false);
    measureLatencySideBySide(*c.base.model, model, int64_t(c.maxLength), vocab, result.baselineLatency, result.latency,
                             callbacks.cancel);
    measureLatencySideBySide(*c.base.model, model, int64_t(c.maxLength), vocab, result.baselineLatencyBatch1,
                             result.latencyBatch1, callbacks.cancel, 1);
    result.baselineParameters = c.base.model->numParameters();
    for (const auto& [name, s] : calculateSparsity(model).perLayer) result.layerSparsity.emplace_back(name, s);
    writeFileAtomic((fs::path(result.modelDir) / "tpq.json").string(),
                    withStep(saved.info, field, step, result).toJson());
    result.sizeBytes = ModelSizeCalculator::folderBytes(result.modelDir);
    result.baselineSizeBytes = c.baselineSizeBytes;
    writeRunFile(config, result, "result.json", result.toJson());
    const double drop = 100.0 * (c.baselineAccuracy - result.test.accuracy);
    logInfo(result.runId + ": test accuracy " + formatFixed(result.test.accuracy, 4) + " (" +
            formatFixed(std::abs(drop), 2) + (drop >= 0 ? " points below" : " points above") +
            " the base model); latency p50 " + formatFixed(result.latency.p50Ms, 2) + " ms vs " +
            formatFixed(result.baselineLatency.p50Ms, 2) + " ms for the base model; " +
            formatBytes(double(result.sizeBytes)) + " vs " + formatBytes(double(result.baselineSizeBytes)));
}

RunResult newResult(const CompressionContext& c, const ExperimentConfig& config, const std::string& modelDir,
                    int fineTuneEpochs, const std::string& run, Method method) {
    RunResult r;
    r.runId = run;
    r.method = method;
    r.modelDir = (fs::path(config.output.checkpointDir) / run).string();
    r.baseModelDir = modelDir;
    r.labelNames = c.labels;
    r.fineTuneEpochs = fineTuneEpochs;
    r.baselineAccuracy = c.baselineAccuracy;
    return r;
}

// Fine-tunes `model` for `epochs` through the Trainer (calling `afterStep`, if any, after
// every optimizer step), saves the best epoch with `save` and writes the run's history.csv;
// with no epochs it only saves.
void fineTuneAndSave(const CompressionContext& c, const ExperimentConfig& config, int epochs, Classifier& model,
                     const std::function<void()>& save, const std::function<void()>& afterStep,
                     const TrainRunCallbacks& callbacks, RunResult& result) {
    const bool writer = writesResults(callbacks);
    if (epochs <= 0) {
        if (writer) save();
        return;
    }
    TrainerOptions trainOptions = trainerOptions(config.training);
    trainOptions.epochs = epochs;
    trainOptions.dataParallel = callbacks.group;
    Trainer trainer(model, trainOptions);  // built after pruning: it optimizes the layers as they are now
    if (afterStep) trainer.setAfterOptimizerStep(afterStep);
    const auto start = std::chrono::steady_clock::now();
    const TrainHistory history =
        trainer.train(*c.train, *c.validation, callbacks.training, callbacks.cancel, [&](int, const EpochRecord&) {
            if (writer) save();
        });
    result.trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (writer) writeRunFile(config, result, "history.csv", history.toCsv());
}

void writeRunFile(const ExperimentConfig& config, const RunResult& result, const std::string& name,
                  const std::string& text) {
    const fs::path dir = fs::path(config.output.resultsDir) / result.runId;
    ensureDirectory(dir.string());
    writeFileAtomic((dir / name).string(), text);
}

}  // namespace tpq::detail
