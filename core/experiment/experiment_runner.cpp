#include "experiment/experiment_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "experiment/method.h"
#include "experiment/step_plan.h"
#include "util/error.h"
#include "util/logging.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace tpq {

std::string ExperimentRunner::baseModelDir() const {
    if (!m_project.baseModel().empty()) return m_project.baseModel();
    const auto& c = m_project.config();
    return (fs::path(c.output.checkpointDir) / c.name).string();
}

const std::string& ExperimentRunner::baseModelHash() {
    if (m_baseHash.empty()) m_baseHash = weightsHash(baseModelDir());  // hashed once, not per variant
    return m_baseHash;
}

std::vector<RunResult> ExperimentRunner::runVariant(const VariantSpec& v, StepPlan plan, const std::string& runId,
                                                    bool interrupted, const TrainRunCallbacks& callbacks,
                                                    const std::function<void(const VariantProgress&)>& onVariant) {
    const ExperimentConfig& config = m_project.config();
    if (v.method == Method::Combined) plan.quant.modelDir = prunedModelFor(v, callbacks, onVariant);
    if (v.method == Method::Baseline) {
        // Only a baseline this project left interrupted resumes, never another run's trainer state.
        const fs::path state = fs::path(config.output.checkpointDir) / (config.name + ".resume") / "trainer_state.json";
        std::error_code ec;
        plan.resume = interrupted && fs::exists(state, ec);
        if (plan.resume)
            logInfo("resuming the baseline from its last finished epoch (" + state.parent_path().string() + ")");
    }
    return runStep(plan, callbacks, {runId});
}

std::string ExperimentRunner::prunedModelFor(const VariantSpec& combined, const TrainRunCallbacks& callbacks,
                                             const std::function<void(const VariantProgress&)>& onVariant) {
    const VariantSpec step = combined.pruningStep();
    const ProjectRun* done = m_project.findRun(step.key());
    if (!done || done->status != RunStatus::Finished || m_project.isStale(*done)) {
        logInfo("combined: pruning first (" + step.key() + ")");
        runRecorded(step, 0, 0, callbacks, onVariant);
        done = m_project.findRun(step.key());
    } else {
        logInfo("combined: quantizing the finished pruning run " + done->runIds.front());
    }
    if (!done || done->modelDirs.empty()) throw Error("the pruning step '" + step.key() + "' left no model folder");
    return m_project.absolute(done->modelDirs.front());
}

ProjectRun ExperimentRunner::startRecord(const VariantSpec& v, const StepPlan& plan, const ProjectRun* existing) {
    ProjectRun record;
    record.variant = v.key();
    record.status = RunStatus::Running;
    record.job = currentJobDescription();
    const bool recorded = existing && !existing->runIds.empty();
    record.runIds = {recorded ? existing->runIds.front() : numberedRunIds(plan).front()};
    if (v.method != Method::Baseline) {
        // The identity of the model it is made from: a retrained baseline makes it stale.
        const ProjectRun* base = m_project.findRun("baseline");
        const bool fromBaseline =
            m_project.baseModel().empty() && base && base->status == RunStatus::Finished && !base->runIds.empty();
        record.madeFrom = fromBaseline ? base->runIds.front() : m_project.relative(baseModelDir());
        record.madeFromHash = fromBaseline && !base->weightsHash.empty() ? base->weightsHash : baseModelHash();
    }
    // The run id reserved under the project's lock: a variant another process recorded
    // meanwhile under the same id (its folders not written yet) makes this one _2, _3, ...
    m_project.update([&](Project& p) {
        if (!recorded) {
            const std::string base = record.runIds.front();
            for (int n = 2; !p.claimRunId(record.runIds.front(), record.variant); ++n)
                record.runIds = {base + "_" + std::to_string(n)};
        }
        p.putRun(record);
    });
    return record;
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
    if (existing && existing->status == RunStatus::Finished && !stale) {
        progress.state = VariantState::Skipped;
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
    const bool interrupted = existing != nullptr;              // recorded, not finished: it stopped while running
    const StepPlan plan = resolve(v, config, baseModelDir());  // the settings and run id, once
    ProjectRun record = startRecord(v, plan, existing);
    const std::string runId = record.runIds.front();
    progress.state = interrupted ? VariantState::Resuming : VariantState::Running;
    progress.runIds = record.runIds;
    if (onVariant) onVariant(progress);

    const auto start = std::chrono::steady_clock::now();
    std::vector<RunResult> results;
    try {
        results = runVariant(v, plan, runId, interrupted, callbacks, onVariant);
    } catch (const Cancelled&) {
        record.status = RunStatus::Cancelled;  // runs again, under the same id, on the next start
        m_project.recordRun(record);
        throw;
    }
    record.status = RunStatus::Finished;
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
    progress.state = VariantState::Finished;
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
            return !r || r->status != RunStatus::Finished;
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
