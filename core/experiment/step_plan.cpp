#include "experiment/step_plan.h"

#include <cmath>

#include "experiment/compression_run.h"
#include "experiment/results_store.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {

using detail::modelName;
using detail::percent;

void checkVariant(const VariantSpec& v) {
    const Method pruning = v.method == Method::Combined ? v.pruning : v.method;
    const Method quantization = v.method == Method::Combined ? v.quantization : v.method;
    const auto refuse = [&](const char* setting, const char* forWhat) {
        throw Error(std::string(setting) + " is for " + forWhat + " (the variant is " + v.key() + ")");
    };
    if (v.sparsity && pruning != Method::Unstructured && pruning != Method::Progressive)
        refuse("sparsity", "unstructured or progressive pruning");
    if (v.block && pruning != Method::Unstructured && pruning != Method::Progressive)
        refuse("block", "unstructured or progressive pruning");
    if ((v.heads || v.numHeadsToPrune || v.ffnSparsity) && pruning != Method::Structured)
        refuse(v.ffnSparsity ? "ffn_sparsity" : "heads", "structured pruning");
    if (v.heads && v.numHeadsToPrune)
        refuse("heads (a fraction) or num_heads_to_prune (a count), not both,", "structured pruning");
    if (v.fineTuneEpochs && !isPruning(pruning)) refuse("fine_tune_epochs", "pruning");
    if ((v.observer || v.calibrationBatches) && quantization != Method::Static)
        refuse(v.observer ? "observer" : "calibration_batches", "static quantization");
    if (v.qatEpochs && quantization != Method::Qat) refuse("qat_epochs", "quantization-aware training (qat)");
    const auto fraction = [](const std::optional<double>& f, const char* name) {
        if (f && !(*f >= 0.0 && *f < 1.0))  // NaN too
            throw Error(std::string(name) + " must be in [0, 1) (0.5 removes half), got " + formatFixed(*f, 4));
    };
    fraction(v.sparsity, "sparsity");
    fraction(v.heads, "heads");
    fraction(v.ffnSparsity, "ffn_sparsity");
    const auto atLeast = [](const std::optional<int>& n, int lo, const char* name) {
        if (n && *n < lo)
            throw Error(std::string(name) + " must be >= " + std::to_string(lo) + ", got " + std::to_string(*n));
    };
    atLeast(v.numHeadsToPrune, 0, "num_heads_to_prune");
    atLeast(v.fineTuneEpochs, 0, "fine_tune_epochs");
    atLeast(v.calibrationBatches, 1, "calibration_batches");
    atLeast(v.qatEpochs, 0, "qat_epochs");
}

namespace {

// Writes a pruning variant's settings into the plan; returns the run id's method part
// ("_structured_heads50_ffn0").
std::string resolvePruning(const VariantSpec& v, StepPlan& plan) {
    PruningConfig& p = plan.config.pruning;
    if (v.block) p.block = *v.block;
    // Blocks other than single weights name themselves: "_unstructured_90_b1x4".
    const std::string block = p.block.isSingle() ? "" : "_b" + blockShapeName(p.block);
    switch (v.method) {
        case Method::Unstructured: {
            const double level = v.sparsity.value_or(p.sparsity);
            plan.prune.levels = {level};
            return "_unstructured_" + percent(level) + block;
        }
        case Method::Progressive:
            if (v.sparsity) p.finalSparsity = *v.sparsity;
            return "_progressive_" + percent(p.finalSparsity) + block;
        case Method::Structured: {
            if (v.heads) {
                plan.prune.headFraction = *v.heads;
                p.headPruningEnabled = *v.heads > 0;
            }
            if (v.numHeadsToPrune) {
                p.numHeadsToPrune = *v.numHeadsToPrune;
                p.headPruningEnabled = *v.numHeadsToPrune > 0;
            }
            if (v.ffnSparsity) {
                p.ffnSparsity = *v.ffnSparsity;
                p.ffnPruningEnabled = *v.ffnSparsity > 0;
            }
            const std::string heads = v.heads ? "heads" + percent(*v.heads)
                                              : "h" + std::to_string(p.headPruningEnabled ? p.numHeadsToPrune : 0);
            return "_structured_" + heads + "_ffn" + percent(p.ffnPruningEnabled ? p.ffnSparsity : 0.0);
        }
        default:
            throw Error(std::string("not a pruning method: ") + methodName(v.method));
    }
}

// Writes a quantization variant's settings (of `method`) into the plan; returns the run
// id's method part ("_static_int8_minmax").
std::string resolveQuantization(const VariantSpec& v, Method method, StepPlan& plan) {
    QuantizationConfig& q = plan.config.quantization;
    plan.quant.method = method;
    if (v.observer) q.observer = *v.observer;
    if (v.calibrationBatches) q.calibrationBatches = *v.calibrationBatches;
    if (v.qatEpochs) q.qatEpochs = *v.qatEpochs;
    switch (method) {
        case Method::Dynamic:
            return std::string("_dynamic_") + precisionName(dynamicWeights(q));
        case Method::Static:
            return "_static_int8_" + q.observer;
        case Method::Qat:
            return "_qat_int8";
        case Method::Mixed:
            return "_mixed";
        default:
            throw Error(std::string("not a quantization method: ") + methodName(method));
    }
}

}  // namespace

StepPlan resolve(const VariantSpec& v, const ExperimentConfig& config, const std::string& modelDir) {
    checkVariant(v);
    StepPlan plan;
    plan.method = v.method;
    plan.config = config;
    if (v.method == Method::Baseline) {
        plan.runIds = {config.name};
        return plan;
    }
    const std::string base = modelName(modelDir);
    const int epochs = v.fineTuneEpochs.value_or(config.pruning.fineTuneEpochs);
    const std::string ft = epochs > 0 ? "_ft" + std::to_string(epochs) : "";
    if (isPruning(v.method)) {
        plan.prune.modelDir = modelDir;
        plan.prune.fineTuneEpochs = epochs;
        plan.runIds = {base + resolvePruning(v, plan) + ft};
    } else if (isQuantization(v.method)) {
        plan.quant.modelDir = modelDir;
        plan.runIds = {base + resolveQuantization(v, v.method, plan)};
    } else {  // combined: the pruning step's settings, then the quantization's
        const StepPlan pruned = resolve(v.pruningStep(), config, modelDir);
        plan.config = pruned.config;
        resolveQuantization(v, v.quantization, plan);
        plan.quant.compareWith = modelDir;  // quant.modelDir: the pruned model, once its step ran
        plan.runIds = {base + "_combined" + pruned.runIds.front().substr(base.size()) + "_" +
                       methodName(v.quantization) + "_int8"};
    }
    return plan;
}

StepPlan resolveSweep(const std::vector<VariantSpec>& levels, const ExperimentConfig& config,
                      const std::string& modelDir) {
    if (levels.empty()) throw Error("no sparsity to prune to: give --sparsity or pruning.unstructured.sparsity_levels");
    StepPlan plan = resolve(levels.front(), config, modelDir);
    for (size_t i = 1; i < levels.size(); ++i) {
        VariantSpec same = levels.front();
        same.sparsity = levels[i].sparsity;
        if (levels[i].method != Method::Unstructured || same.key() != levels[i].key())
            throw Error("a sweep is unstructured levels that differ only in sparsity");
        const StepPlan level = resolve(levels[i], config, modelDir);
        plan.prune.levels.push_back(level.prune.levels.front());
        plan.runIds.push_back(level.runIds.front());
    }
    return plan;
}

std::vector<VariantSpec> unstructuredSweep(const ExperimentConfig& config) {
    const PruningConfig& p = config.pruning;
    const bool onlySparsity =
        config.locations.count("pruning.sparsity") && !config.locations.count("pruning.unstructured.sparsity_levels");
    std::vector<VariantSpec> out;
    for (double level : onlySparsity ? std::vector<double>{p.sparsity} : p.sparsityLevels) {
        VariantSpec v;
        v.method = Method::Unstructured;
        v.sparsity = level;
        out.push_back(v);
    }
    return out;
}

std::vector<std::string> numberedRunIds(const StepPlan& plan) {
    if (plan.method == Method::Baseline) return plan.runIds;
    const ResultsStore store(plan.config.output.resultsDir);
    std::vector<std::string> ids;
    for (const auto& id : plan.runIds)
        ids.push_back(store.uniqueRunId(id, plan.config.output.checkpointDir, plan.method == Method::Mixed));
    return ids;
}

std::vector<RunResult> runStep(const StepPlan& plan, const TrainRunCallbacks& callbacks,
                               const std::vector<std::string>& runIds) {
    if (!runIds.empty() && runIds.size() != plan.runIds.size())
        throw Error("runStep: " + std::to_string(runIds.size()) + " run ids for a step that writes " +
                    std::to_string(plan.runIds.size()));
    const std::vector<std::string> ids = runIds.empty() ? numberedRunIds(plan) : runIds;
    PruneRunOptions prune = plan.prune;
    QuantRunOptions quant = plan.quant;
    prune.runIds = ids;
    quant.runId = ids.empty() ? "" : ids.front();
    switch (plan.method) {
        case Method::Baseline:
            return {runTraining(plan.config, plan.resume, callbacks)};
        case Method::Unstructured:
            return runUnstructuredPruning(plan.config, prune, callbacks);
        case Method::Structured:
            return {runStructuredPruning(plan.config, prune, callbacks)};
        case Method::Progressive:
            return {runProgressivePruning(plan.config, prune, callbacks)};
        case Method::Combined:
            if (quant.modelDir.empty()) throw Error("a combined step needs its pruned model (plan.quant.modelDir)");
            return runQuantization(plan.config, quant, callbacks);
        default:
            return runQuantization(plan.config, quant, callbacks);
    }
}

}  // namespace tpq
