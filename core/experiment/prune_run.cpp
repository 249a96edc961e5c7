#include "experiment/prune_run.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "data/dataset_loader.h"
#include "models/model_folder.h"
#include "prune/unstructured_pruning.h"
#include "text/encode_dataset.h"
#include "train/evaluator.h"
#include "train/model_size.h"
#include "train/sparsity.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

std::string runName(const std::string& modelDir, double level, int fineTuneEpochs) {
    std::string base = fs::path(modelDir).lexically_normal().filename().string();
    if (base.empty() || base == ".") base = fs::path(modelDir).lexically_normal().parent_path().filename().string();
    std::string name = base + "_unstructured_" + std::to_string(int(std::lround(level * 100.0)));
    if (fineTuneEpochs > 0) name += "_ft" + std::to_string(fineTuneEpochs);
    return name;
}

// The base model's tpq.json with the pruning recorded and the new metrics.
std::string prunedTpqJson(const std::string& baseJson, const ExperimentConfig& config, const RunResult& result) {
    auto j = nlohmann::ordered_json::parse(baseJson.empty() ? std::string("{}") : baseJson, nullptr, false);
    if (j.is_discarded() || !j.is_object()) j = nlohmann::ordered_json::object();
    j["pruning"] = {{"method", "unstructured"},
                    {"criterion", config.pruning.unstructuredMethod},
                    {"global", config.pruning.globalPruning},
                    {"target_sparsity", result.targetSparsity},
                    {"fine_tune_epochs", result.fineTuneEpochs},
                    {"base_model_dir", result.baseModelDir}};
    j["metrics"] = nlohmann::ordered_json::parse(result.toJson());
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::vector<RunResult> runUnstructuredPruning(const ExperimentConfig& config, const PruneRunOptions& options,
                                              const TrainRunCallbacks& callbacks) {
    if (options.levels.empty())
        throw Error("no sparsity to prune to: give --sparsity or pruning.unstructured.sparsity_levels");
    for (double s : options.levels) {
        if (!(s >= 0.0 && s < 1.0)) {
            throw Error("pruning sparsity must be in [0, 1), got " + formatFixed(s, 4) +
                        " (0.5 removes half the weights)");
        }
    }
    if (options.fineTuneEpochs < 0) throw Error("fine-tuning epochs must be >= 0");
    prepareRun(config);
    LoadedModel base = loadModelFolder(options.modelDir);
    const DatasetSplits splits = loadAndSplit(config.data, config.seed, {callbacks.loading, callbacks.cancel});
    const auto& labels = splits.train.labelNames();
    if (base.model->numLabels() != int64_t(labels.size())) {
        throw Error("the model in " + options.modelDir + " predicts " + std::to_string(base.model->numLabels()) +
                    " classes but the data has " + std::to_string(labels.size()));
    }
    const Tokenizer& tokenizer = *base.tokenizer;
    const size_t maxLength = size_t(config.maxLength);
    const size_t evalBatch = size_t(config.training.evalBatchSize);
    DataLoader test(encodeTexts(tokenizer, splits.test.texts(), maxLength), splits.test.labels(), tokenizer.padId(),
                    evalBatch, false, config.seed);
    const double baselineAccuracy = Evaluator(*base.model).evaluate(test, callbacks.cancel).accuracy;
    logInfo("unpruned model: test accuracy " + formatFixed(baselineAccuracy, 4));

    std::unique_ptr<DataLoader> train, validation;
    if (options.fineTuneEpochs > 0) {
        train =
            std::make_unique<DataLoader>(encodeTexts(tokenizer, splits.train.texts(), maxLength), splits.train.labels(),
                                         tokenizer.padId(), size_t(config.training.batchSize), true, config.seed);
        train->setGroupByLength(config.training.groupByLength);
        validation =
            std::make_unique<DataLoader>(encodeTexts(tokenizer, splits.validation.texts(), maxLength),
                                         splits.validation.labels(), tokenizer.padId(), evalBatch, false, config.seed);
    }

    UnstructuredPruningOptions pruneOptions;
    pruneOptions.criterion = config.pruning.unstructuredMethod;
    pruneOptions.global = config.pruning.globalPruning;
    pruneOptions.seed = config.seed;

    std::vector<RunResult> results;
    for (double level : options.levels) {
        if (callbacks.cancel) callbacks.cancel->throwIfCancelled();
        const std::string run = runName(options.modelDir, level, options.fineTuneEpochs);
        const std::string modelDir = (fs::path(config.output.checkpointDir) / run).string();
        const std::string resultsDir = (fs::path(config.output.resultsDir) / run).string();
        torch::manual_seed(config.seed);
        LoadedModel loaded = loadModelFolder(options.modelDir);  // a fresh copy per level
        const ClassifierPtr model = loaded.model;
        UnstructuredPruning pruner(*model, pruneOptions);
        const PruningStats stats = pruner.applyPruning(level);
        logInfo("pruned " + std::to_string(stats.zeros) + " of " + std::to_string(stats.total) + " weights in " +
                std::to_string(pruner.layerNames().size()) + " layers (sparsity " + formatFixed(stats.sparsity, 4) +
                ")");

        RunResult result;
        result.runId = run;
        result.method = "unstructured";
        result.modelDir = modelDir;
        result.baseModelDir = options.modelDir;
        result.labelNames = labels;
        result.targetSparsity = level;
        result.fineTuneEpochs = options.fineTuneEpochs;
        result.baselineAccuracy = baselineAccuracy;
        const auto save = [&] {
            saveModelFolder(modelDir, *model, tokenizer, prunedTpqJson(loaded.tpqJson, config, result));
        };
        if (options.fineTuneEpochs > 0) {
            TrainerOptions trainOptions = trainerOptions(config.training);
            trainOptions.epochs = options.fineTuneEpochs;
            Trainer trainer(*model, trainOptions);
            trainer.setAfterOptimizerStep([&] { pruner.applyMasks(); });
            const auto start = std::chrono::steady_clock::now();
            const TrainHistory history = trainer.train(*train, *validation, callbacks.training, callbacks.cancel,
                                                       [&](int, const EpochRecord&) { save(); });
            result.trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            ensureDirectory(resultsDir);
            writeFileAtomic((fs::path(resultsDir) / "history.csv").string(), history.toCsv());
            loaded = loadModelFolder(modelDir);  // the best fine-tuned epoch, as saved
        } else {
            save();
        }
        Classifier& pruned = *loaded.model;
        result.test = Evaluator(pruned).evaluate(test, callbacks.cancel);
        measureModel(pruned, int64_t(maxLength), int64_t(tokenizer.vocabSize()), result);
        for (const auto& [name, s] : calculateSparsity(pruned).perLayer) result.layerSparsity.emplace_back(name, s);
        writeFileAtomic((fs::path(modelDir) / "tpq.json").string(), prunedTpqJson(loaded.tpqJson, config, result));
        result.sizeBytes = ModelSizeCalculator::folderBytes(modelDir);
        ensureDirectory(resultsDir);
        writeFileAtomic((fs::path(resultsDir) / "result.json").string(), result.toJson());
        const double drop = 100.0 * (baselineAccuracy - result.test.accuracy);
        logInfo(run + ": test accuracy " + formatFixed(result.test.accuracy, 4) + " (" +
                formatFixed(std::abs(drop), 2) + (drop >= 0 ? " points below" : " points above") +
                " the unpruned model)");
        results.push_back(std::move(result));
    }
    return results;
}

}  // namespace tpq
