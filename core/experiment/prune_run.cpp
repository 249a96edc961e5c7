#include "experiment/prune_run.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "data/dataset_loader.h"
#include "experiment/compression_run.h"
#include "io/model_folder.h"
#include "prune/progressive_pruning.h"
#include "prune/structured_pruning.h"
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

using namespace detail;

void checkOptions(const PruneRunOptions& options) {
    for (double s : options.levels) {
        if (!(s >= 0.0 && s < 1.0)) {
            throw Error("pruning sparsity must be in [0, 1), got " + formatFixed(s, 4) +
                        " (0.5 removes half the weights)");
        }
    }
    if (options.fineTuneEpochs < 0) throw Error("fine-tuning epochs must be >= 0");
}

// A criterion named by the config, read once ("pruning.unstructured.method must be ...").
template <class Criterion>
Criterion readCriterion(std::optional<Criterion> parsed, const char* key, const std::string& name,
                        const char* allowed) {
    if (!parsed) throw Error(std::string(key) + " must be " + allowed + ", got '" + name + "'");
    return *parsed;
}

// The id of run `i` (made by runStep()).
const std::string& runIdAt(const PruneRunOptions& options, size_t i) {
    if (i >= options.runIds.size()) throw Error("pruning run without a run id (run it through runStep())");
    return options.runIds[i];
}

}  // namespace

std::vector<RunResult> runUnstructuredPruning(const ExperimentConfig& config, const PruneRunOptions& options,
                                              const TrainRunCallbacks& callbacks) {
    if (options.levels.empty())
        throw Error("no sparsity to prune to: give --sparsity or pruning.unstructured.sparsity_levels");
    checkOptions(options);
    CompressionContext c = prepareCompression(config, options.modelDir, options.fineTuneEpochs > 0, callbacks);
    const Tokenizer& tokenizer = *c.base.tokenizer;

    UnstructuredPruningOptions pruneOptions;
    pruneOptions.criterion =
        readCriterion(parseUnstructuredCriterion(config.pruning.unstructuredMethod), "pruning.unstructured.method",
                      config.pruning.unstructuredMethod, "magnitude or random");
    pruneOptions.global = config.pruning.globalPruning;
    pruneOptions.seed = config.seed;
    pruneOptions.include = config.pruning.include;
    pruneOptions.exclude = config.pruning.exclude;
    pruneOptions.block = config.pruning.block;
    ModelSaveOptions saveOptions;
    saveOptions.compactSparse = config.pruning.compactStorage;

    std::vector<RunResult> results;
    for (size_t i = 0; i < options.levels.size(); ++i) {
        if (callbacks.cancel) callbacks.cancel->throwIfCancelled();
        const double level = options.levels[i];
        const std::string& run = runIdAt(options, i);
        RunResult result = newResult(c, config, options.modelDir, options.fineTuneEpochs, run, Method::Unstructured);
        result.targetSparsity = level;
        const nlohmann::ordered_json pruning = {
            {"method", "unstructured"},          {"criterion", criterionName(pruneOptions.criterion)},
            {"global", pruneOptions.global},     {"block", {pruneOptions.block.rows, pruneOptions.block.cols}},
            {"target_sparsity", level},          {"fine_tune_epochs", options.fineTuneEpochs},
            {"include", pruneOptions.include},   {"exclude", pruneOptions.exclude},
            {"base_model_dir", options.modelDir}};
        torch::manual_seed(config.seed);
        const ClassifierPtr model = loadModelFolder(options.modelDir).model;  // a fresh copy per level
        UnstructuredPruning pruner(*model, pruneOptions);
        const PruningStats stats = pruner.applyPruning(level);
        logInfo("pruned " + std::to_string(stats.zeros) + " of " + std::to_string(stats.total) + " weights in " +
                std::to_string(pruner.layerNames().size()) + " layers (sparsity " + formatFixed(stats.sparsity, 4) +
                ")");
        // The best fine-tuned epoch is saved, and tested by finishRun.
        fineTuneAndSave(
            c, config, options.fineTuneEpochs, *model,
            [&] { saveModelFolder(result.modelDir, *model, tokenizer, c.base.info, saveOptions); },
            [&] { pruner.applyMasks(); }, callbacks, result);
        finishRun(c, config, &ModelInfo::pruning, pruning, callbacks, result);
        results.push_back(std::move(result));
    }
    return results;
}

RunResult runProgressivePruning(const ExperimentConfig& config, const PruneRunOptions& options,
                                const TrainRunCallbacks& callbacks) {
    checkOptions(options);
    ProgressivePruningOptions progressive;
    progressive.initialSparsity = config.pruning.initialSparsity;
    progressive.finalSparsity = config.pruning.finalSparsity;
    progressive.numIterations = config.pruning.numIterations;
    progressive.schedule = config.pruning.progressiveSchedule;
    progressive.fineTuneEpochs = options.fineTuneEpochs;
    progressive.maxAccuracyDrop = config.pruning.maxAccuracyDrop;
    const auto problems = progressive.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));

    CompressionContext c = prepareCompression(config, options.modelDir, true, callbacks);
    RunResult result =
        newResult(c, config, options.modelDir, options.fineTuneEpochs, runIdAt(options, 0), Method::Progressive);
    result.targetSparsity = progressive.finalSparsity;

    torch::manual_seed(config.seed);
    const ClassifierPtr model = loadModelFolder(options.modelDir).model;
    UnstructuredPruningOptions scope;
    scope.global = config.pruning.globalPruning;
    scope.include = config.pruning.include;
    scope.exclude = config.pruning.exclude;
    scope.block = config.pruning.block;
    ModelSaveOptions saveOptions;
    saveOptions.compactSparse = config.pruning.compactStorage;
    ProgressivePruning pruner(*model, progressive, scope);
    const auto start = std::chrono::steady_clock::now();
    ProgressiveCallbacks pc;
    pc.training = callbacks.training;
    pc.cancel = callbacks.cancel;
    TrainerOptions fineTune = trainerOptions(config.training);
    fineTune.dataParallel = callbacks.group;
    const ProgressiveResult outcome = pruner.apply(*c.train, *c.validation, fineTune, pc);
    result.trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!writesResults(callbacks)) return result;  // rank 0 of a data-parallel run saves and tests
    for (const auto& s : outcome.history) {
        result.pruningHistory.push_back({s.iteration, s.targetSparsity, s.sparsity, s.valAccuracy, s.withinBudget});
    }
    saveModelFolder(result.modelDir, *model, *c.base.tokenizer, c.base.info, saveOptions);
    nlohmann::ordered_json pruning = {{"method", "progressive"},
                                      {"schedule", progressive.schedule},
                                      {"block", {scope.block.rows, scope.block.cols}},
                                      {"initial_sparsity", progressive.initialSparsity},
                                      {"final_sparsity", progressive.finalSparsity},
                                      {"num_iterations", progressive.numIterations},
                                      {"fine_tune_epochs", progressive.fineTuneEpochs},
                                      {"kept_iteration", outcome.keptIteration},
                                      {"stopped_by_budget", outcome.stoppedByBudget},
                                      {"base_model_dir", options.modelDir}};
    if (progressive.maxAccuracyDrop >= 0) pruning["max_accuracy_drop"] = progressive.maxAccuracyDrop;
    finishRun(c, config, &ModelInfo::pruning, pruning, callbacks, result);
    return result;
}

RunResult runStructuredPruning(const ExperimentConfig& config, const PruneRunOptions& options,
                               const TrainRunCallbacks& callbacks) {
    checkOptions(options);
    const PruningConfig& p = config.pruning;
    StructuredPruningOptions structured;
    structured.numHeadsToPrune = p.headPruningEnabled ? p.numHeadsToPrune : 0;
    structured.headCriterion =
        readCriterion(parseStructuredCriterion(p.headPruningMethod), "pruning.attention_head_pruning.pruning_method",
                      p.headPruningMethod, "importance or magnitude");
    structured.keepOneHeadPerLayer = p.keepOneHeadPerLayer;
    structured.ffnSparsity = p.ffnPruningEnabled ? p.ffnSparsity : 0.0;
    structured.ffnCriterion =
        readCriterion(parseStructuredCriterion(p.ffnPruningMethod), "pruning.ffn_pruning.pruning_method",
                      p.ffnPruningMethod, "importance or magnitude");
    structured.calibrationBatches = p.calibrationBatches;
    if (options.headFraction && !(*options.headFraction >= 0.0 && *options.headFraction < 1.0)) {
        throw Error("the fraction of heads to prune must be in [0, 1), got " + formatFixed(*options.headFraction, 4));
    }
    const auto problems = structured.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    // With a fraction the count is known once the model is loaded; until then only
    // whether there is any matters (for the calibration data).
    if (options.headFraction) structured.numHeadsToPrune = *options.headFraction > 0 ? 1 : 0;
    if (structured.numHeadsToPrune == 0 && structured.ffnSparsity == 0.0) {
        throw Error(
            "structured pruning has nothing to remove: set pruning.attention_head_pruning.num_heads_to_prune "
            "> 0 or pruning.ffn_pruning.intermediate_sparsity > 0 (with enabled: true)");
    }

    const bool needTraining = options.fineTuneEpochs > 0 || structured.needsCalibration();
    CompressionContext c = prepareCompression(config, options.modelDir, needTraining, callbacks);
    if (options.headFraction) {
        const auto heads = c.base.model->headsPerLayer();
        const int64_t total = std::accumulate(heads.begin(), heads.end(), int64_t(0));
        structured.numHeadsToPrune = int(std::lround(*options.headFraction * double(total)));
    }
    RunResult result =
        newResult(c, config, options.modelDir, options.fineTuneEpochs, runIdAt(options, 0), Method::Structured);

    torch::manual_seed(config.seed);
    const ClassifierPtr model = loadModelFolder(options.modelDir).model;
    StructuredPruning pruner(*model, structured);  // checks the head count against this model
    if (c.train) c.train->setEpoch(0);
    const StructuredPlan plan = pruner.plan(c.train.get(), callbacks.cancel);
    const StructuredPruningReport report = pruner.apply(plan);
    logInfo("removed " + std::to_string(report.headsRemoved) + " heads and " + std::to_string(report.neuronsRemoved) +
            " feed-forward neurons: " + std::to_string(report.parametersBefore) + " -> " +
            std::to_string(report.parametersAfter) + " parameters");
    result.headImportance = report.headImportance;
    result.headsKept = report.headsKept;
    result.ffnKept = report.ffnKept;
    result.ffnOriginal = report.ffnOriginal;

    fineTuneAndSave(
        c, config, options.fineTuneEpochs, *model,
        [&] { saveModelFolder(result.modelDir, *model, *c.base.tokenizer, c.base.info); }, nullptr, callbacks, result);
    nlohmann::ordered_json heads = nlohmann::ordered_json::object();
    for (const auto& [layer, list] : plan.heads) heads[std::to_string(layer)] = list;
    const nlohmann::ordered_json pruning = {{"method", "structured"},
                                            {"num_heads_to_prune", structured.numHeadsToPrune},
                                            {"head_criterion", criterionName(structured.headCriterion)},
                                            {"heads_removed", heads},
                                            {"intermediate_sparsity", structured.ffnSparsity},
                                            {"ffn_criterion", criterionName(structured.ffnCriterion)},
                                            {"ffn_kept", report.ffnKept},
                                            {"parameters_before", report.parametersBefore},
                                            {"parameters_after", report.parametersAfter},
                                            {"fine_tune_epochs", options.fineTuneEpochs},
                                            {"base_model_dir", options.modelDir}};
    finishRun(c, config, &ModelInfo::pruning, pruning, callbacks, result);
    return result;
}

}  // namespace tpq
