#include "prune/progressive_pruning.h"

#include <cmath>

#include <torch/torch.h>

#include "models/classifier.h"
#include "prune/pruning_schedule.h"
#include "train/evaluator.h"
#include "util/error.h"
#include "util/logging.h"
#include "util/strings.h"

namespace tpq {
namespace {

UnstructuredPruningOptions magnitudeScope(UnstructuredPruningOptions scope) {
    scope.criterion = UnstructuredCriterion::Magnitude;
    return scope;
}

std::vector<at::Tensor> snapshot(Classifier& model) {
    torch::NoGradGuard noGrad;
    std::vector<at::Tensor> out;
    for (const auto& p : model.parameters()) out.push_back(p.detach().clone());
    return out;
}

void restore(Classifier& model, const std::vector<at::Tensor>& saved) {
    torch::NoGradGuard noGrad;
    const auto params = model.parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(saved[i]);
}

}  // namespace

std::vector<std::string> ProgressivePruningOptions::validate() const {
    std::vector<std::string> problems;
    if (!(finalSparsity >= 0.0 && finalSparsity < 1.0)) {
        problems.push_back("progressive.final_sparsity must be in [0, 1), got " + formatFixed(finalSparsity, 4));
    }
    if (!(initialSparsity >= 0.0 && initialSparsity <= finalSparsity)) {
        problems.push_back("progressive.initial_sparsity must be in [0, final_sparsity], got " +
                           formatFixed(initialSparsity, 4));
    }
    if (numIterations < 1)
        problems.push_back("progressive.num_iterations must be >= 1, got " + std::to_string(numIterations));
    if (schedule != "cubic" && schedule != "linear") {
        problems.push_back("progressive.schedule must be cubic or linear, got '" + schedule + "'");
    }
    if (fineTuneEpochs < 0) problems.push_back("fine_tune_epochs must be >= 0, got " + std::to_string(fineTuneEpochs));
    if (maxAccuracyDrop > 1.0) {
        problems.push_back("progressive.max_accuracy_drop is a fraction (0.01 = 1 point), got " +
                           formatFixed(maxAccuracyDrop, 4));
    }
    return problems;
}

ProgressivePruning::ProgressivePruning(Classifier& model, ProgressivePruningOptions options,
                                       UnstructuredPruningOptions scope)
    : m_model(model), m_options(std::move(options)), m_pruner(model, magnitudeScope(std::move(scope))) {
    const auto problems = m_options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
}

std::vector<double> ProgressivePruning::pruningSchedule() const {
    return tpq::pruningSchedule(m_options.initialSparsity, m_options.finalSparsity, m_options.numIterations,
                                m_options.schedule);
}

ProgressiveResult ProgressivePruning::apply(DataLoader& train, DataLoader& validation, TrainerOptions trainerOptions,
                                            const ProgressiveCallbacks& callbacks) {
    ProgressiveResult result;
    result.baselineValAccuracy = Evaluator(m_model).evaluate(validation, callbacks.cancel).accuracy;
    const bool budget = m_options.maxAccuracyDrop >= 0;
    std::vector<at::Tensor> kept;  // weights of the last step within the budget (budget mode only)
    if (budget) kept = snapshot(m_model);
    trainerOptions.epochs = m_options.fineTuneEpochs;  // used only when > 0
    trainerOptions.resumeDir.clear();
    trainerOptions.resume = false;

    const std::vector<double> plan = pruningSchedule();
    for (size_t i = 0; i < plan.size(); ++i) {
        if (callbacks.cancel) callbacks.cancel->throwIfCancelled();
        ProgressiveStep step;
        step.iteration = int(i + 1);
        step.targetSparsity = plan[i];
        step.sparsity = m_pruner.applyPruning(plan[i]).sparsity;
        if (m_options.fineTuneEpochs > 0) {
            Trainer trainer(m_model, trainerOptions);
            trainer.setAfterOptimizerStep([this] { m_pruner.applyMasks(); });
            trainer.train(train, validation, callbacks.training, callbacks.cancel, nullptr);
        }
        step.valAccuracy = Evaluator(m_model).evaluate(validation, callbacks.cancel).accuracy;
        step.withinBudget = !budget || result.baselineValAccuracy - step.valAccuracy <= m_options.maxAccuracyDrop;
        result.history.push_back(step);
        logInfo("progressive pruning step " + std::to_string(step.iteration) + "/" + std::to_string(plan.size()) +
                ": sparsity " + formatFixed(step.sparsity, 4) + ", validation accuracy " +
                formatFixed(step.valAccuracy, 4) + (step.withinBudget ? "" : " (over the accuracy budget)"));
        if (callbacks.step) callbacks.step(step);
        if (!step.withinBudget) {
            result.stoppedByBudget = true;
            restore(m_model, kept);
            break;
        }
        result.keptIteration = step.iteration;
        if (budget) kept = snapshot(m_model);
    }
    result.sparsity = m_pruner.sparsity();
    return result;
}

}  // namespace tpq
