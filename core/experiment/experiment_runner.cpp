#include "experiment/experiment_runner.h"

#include "experiment/method.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "experiment/prune_run.h"
#include "experiment/quant_run.h"
#include "experiment/results_store.h"
#include "util/error.h"
#include "util/logging.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

std::string pct(double fraction) { return std::to_string(std::lround(fraction * 100.0)); }

int fineTuneEpochs(const VariantSpec& v, const ExperimentConfig& config) {
    return v.fineTuneEpochs >= 0 ? v.fineTuneEpochs : config.pruning.fineTuneEpochs;
}

}  // namespace

std::string variantRunId(const VariantSpec& v, const std::string& base, const ExperimentConfig& config) {
    const int epochs = fineTuneEpochs(v, config);
    const std::string ft = epochs > 0 ? "_ft" + std::to_string(epochs) : "";
    switch (v.method) {
        case Method::Baseline: return config.name;
        case Method::Unstructured:
            return base + "_unstructured_" + pct(v.sparsity >= 0 ? v.sparsity : config.pruning.sparsity) + ft;
        case Method::Structured: {
            const std::string heads =
                v.heads >= 0 ? "heads" + pct(v.heads) : "h" + std::to_string(config.pruning.numHeadsToPrune);
            return base + "_structured_" + heads + "_ffn" +
                   pct(v.ffnSparsity >= 0 ? v.ffnSparsity : config.pruning.ffnSparsity) + ft;
        }
        case Method::Progressive: return base + "_progressive_" + pct(config.pruning.finalSparsity) + ft;
        case Method::Dynamic: return base + "_dynamic_" + (config.quantization.dtype == "float16" ? "fp16" : "int8");
        case Method::Static:
            return base + "_static_int8_" + (v.observer.empty() ? config.quantization.observer : v.observer);
        case Method::Qat: return base + "_qat_int8";
        case Method::Mixed: return base + "_mixed";
        case Method::Combined: {
            const std::string pruned = variantRunId(v.pruningStep(), base, config);
            return base + "_combined" + pruned.substr(base.size()) + "_" + methodName(v.quantization) + "_int8";
        }
    }
    throw Error("unknown variant method");
}

std::string ExperimentRunner::baseModelDir() const {
    if (!m_project.baseModel().empty()) return m_project.baseModel();
    const auto& c = m_project.config();
    return (fs::path(c.output.checkpointDir) / c.name).string();
}

const std::string& ExperimentRunner::baseModelHash() {
    if (m_baseHash.empty()) m_baseHash = weightsHash(baseModelDir());  // hashed once, not per variant
    return m_baseHash;
}

std::vector<RunResult> ExperimentRunner::runVariant(const VariantSpec& v, const std::string& runId, bool interrupted,
                                                    const TrainRunCallbacks& callbacks) {
    ExperimentConfig config = m_project.config();
    const std::string base = baseModelDir();
    const Method m = v.method;
    if (m == Method::Baseline) {
        // Only a baseline this project left interrupted resumes, never another run's trainer state.
        const fs::path state = fs::path(config.output.checkpointDir) / (config.name + ".resume") / "trainer_state.json";
        std::error_code ec;
        const bool resume = interrupted && fs::exists(state, ec);
        if (resume) logInfo("resuming the baseline from its last finished epoch (" + state.parent_path().string() + ")");
        return {runTraining(config, resume, callbacks)};
    }
    PruneRunOptions prune;
    prune.modelDir = base;
    prune.fineTuneEpochs = fineTuneEpochs(v, config);
    prune.runId = runId;
    if (m == Method::Unstructured) {
        prune.levels = {v.sparsity >= 0 ? v.sparsity : config.pruning.sparsity};
        return runUnstructuredPruning(config, prune, callbacks);
    }
    if (m == Method::Structured) {
        if (v.heads >= 0) {
            prune.headFraction = v.heads;
            config.pruning.headPruningEnabled = v.heads > 0;
        }
        if (v.ffnSparsity >= 0) {
            config.pruning.ffnSparsity = v.ffnSparsity;
            config.pruning.ffnPruningEnabled = v.ffnSparsity > 0;
        }
        return {runStructuredPruning(config, prune, callbacks)};
    }
    if (m == Method::Progressive) return {runProgressivePruning(config, prune, callbacks)};
    QuantRunOptions quant;
    quant.modelDir = base;
    quant.method = m;
    quant.runId = runId;
    if (!v.observer.empty()) config.quantization.observer = v.observer;
    return runQuantization(config, quant, callbacks);
}

std::string ExperimentRunner::prunedModelFor(const VariantSpec& combined, const TrainRunCallbacks& callbacks,
                                             const std::function<void(const VariantProgress&)>& onVariant) {
    const VariantSpec step = combined.pruningStep();
    const ProjectRun* done = m_project.findRun(step.key());
    if (!done || done->status != "finished" || m_project.isStale(*done)) {
        logInfo("combined: pruning first (" + step.key() + ")");
        runRecorded(step, 0, 0, callbacks, onVariant);
        done = m_project.findRun(step.key());
    } else {
        logInfo("combined: quantizing the finished pruning run " + done->runIds.front());
    }
    if (!done || done->modelDirs.empty()) throw Error("the pruning step '" + step.key() + "' left no model folder");
    return m_project.absolute(done->modelDirs.front());
}

void ExperimentRunner::runRecorded(const VariantSpec& v, size_t index, size_t total, const TrainRunCallbacks& callbacks,
                                   const std::function<void(const VariantProgress&)>& onVariant) {
    const ExperimentConfig& config = m_project.config();
    const Method method = v.method;
    VariantProgress progress;
    progress.index = index;
    progress.total = total;
    progress.variant = v.key();
    const ProjectRun* existing = m_project.findRun(v.key());
    const bool stale = existing && m_project.isStale(*existing);
    if (existing && existing->status == "finished" && !stale) {
        progress.state = "skipped";
        progress.runIds = existing->runIds;
        if (onVariant) onVariant(progress);
        return;
    }
    if (stale) {
        logInfo(v.key() + ": made from an older baseline (" + existing->madeFrom + "), running it again");
        m_project.forgetRun(v.key());  // a fresh run id; the old results stay on disk
        existing = nullptr;
    }
    // An interrupted variant runs again under its recorded id, overwriting what it left.
    std::string runId;
    const bool interrupted = existing != nullptr;  // recorded, not finished: it stopped while running
    if (existing && !existing->runIds.empty()) {
        runId = existing->runIds.front();
    } else if (method == Method::Baseline) {
        runId = config.name;
    } else {
        const std::string base = fs::path(baseModelDir()).filename().string();
        runId = ResultsStore(config.output.resultsDir)
                    .uniqueRunId(variantRunId(v, base, config), config.output.checkpointDir, method == Method::Mixed);
    }
    ProjectRun record;
    record.variant = v.key();
    record.status = "running";
    record.runIds = {runId};
    if (method != Method::Baseline) {
        // The identity of the model it is made from: a retrained baseline makes it stale.
        const ProjectRun* base = m_project.findRun("baseline");
        const bool fromBaseline = m_project.baseModel().empty() && base && base->status == "finished" && !base->runIds.empty();
        record.madeFrom = fromBaseline ? base->runIds.front() : m_project.relative(baseModelDir());
        record.madeFromHash = fromBaseline && !base->weightsHash.empty() ? base->weightsHash : baseModelHash();
    }
    m_project.recordRun(record);
    progress.state = interrupted ? "resuming" : "running";
    progress.runIds = record.runIds;
    if (onVariant) onVariant(progress);

    const auto start = std::chrono::steady_clock::now();
    std::vector<RunResult> results;
    try {
        if (method == Method::Combined) {
            QuantRunOptions quant;
            quant.modelDir = prunedModelFor(v, callbacks, onVariant);
            quant.compareWith = baseModelDir();
            quant.method = v.quantization;
            quant.runId = runId;
            results = runQuantization(config, quant, callbacks);
        } else {
            results = runVariant(v, runId, interrupted, callbacks);
        }
    } catch (const Cancelled&) {
        record.status = "cancelled";  // runs again, under the same id, on the next start
        m_project.recordRun(record);
        throw;
    }
    record.status = "finished";
    record.runIds.clear();
    for (const auto& r : results) {
        record.runIds.push_back(r.runId);
        record.resultDirs.push_back(m_project.relative((fs::path(config.output.resultsDir) / r.runId).string()));
        record.modelDirs.push_back(m_project.relative(fs::absolute(r.modelDir).string()));
    }
    if (method == Method::Baseline && !results.empty()) {
        record.weightsHash = weightsHash(results.front().modelDir);
        m_baseHash = record.weightsHash;  // the model the variants after it are made from
    }
    m_project.recordRun(record);
    progress.state = "finished";
    progress.runIds = record.runIds;
    progress.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (onVariant) onVariant(progress);
}

void ExperimentRunner::run(const TrainRunCallbacks& callbacks,
                           const std::function<void(const VariantProgress&)>& onVariant) {
    // The baseline first: every other variant starts from its model.
    std::vector<VariantSpec> order;
    const auto isBaseline = [](const VariantSpec& v) { return v.method == Method::Baseline; };
    for (const auto& v : m_project.variants())
        if (isBaseline(v)) order.push_back(v);
    for (const auto& v : m_project.variants())
        if (!isBaseline(v)) order.push_back(v);
    if (!m_only.empty()) {
        // Only the asked-for variants, plus the baseline they start from when it is not done.
        const auto wanted = [&](const VariantSpec& v) {
            if (std::find(m_only.begin(), m_only.end(), v.key()) != m_only.end()) return true;
            if (!isBaseline(v) || !m_project.baseModel().empty()) return false;
            const ProjectRun* r = m_project.findRun(v.key());
            return !r || r->status != "finished";
        };
        order.erase(std::remove_if(order.begin(), order.end(), [&](const VariantSpec& v) { return !wanted(v); }),
                    order.end());
    }
    for (size_t i = 0; i < order.size(); ++i) {
        if (callbacks.cancel) callbacks.cancel->throwIfCancelled();
        runRecorded(order[i], i + 1, order.size(), callbacks, onVariant);
    }
}

}  // namespace tpq
