#pragma once
/// \file structured_pruning.h
/// Structured pruning: whole attention heads and feed-forward neurons are removed, and the
/// layers are rebuilt smaller, so parameter count, file size and latency really drop
/// (unlike zeros from UnstructuredPruning).
///
///     StructuredPruning pruner(model, {.numHeadsToPrune = 4, .ffnSparsity = 0.3});
///     StructuredPlan plan = pruner.plan(&calibration);  // importance, then what goes
///     StructuredPruningReport r = pruner.apply(plan);    // physically smaller model
///
/// Head importance is either gradient based — |d loss / d head mask| accumulated over
/// calibration batches and normalized per layer (Michel et al. 2019, "Are Sixteen Heads
/// Really Better than One?") — or the weight norm of each head's query/key/value rows and
/// output columns. Heads are ranked globally; by default every layer keeps one head.
/// Feed-forward neurons are ranked per layer by |activation x gradient| (first-order
/// Taylor, through a neuron mask) or by the norms of their input and output weights.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ATen/core/Tensor.h>

#include "data/data_loader.h"
#include "util/progress.h"

namespace tpq {

class Classifier;

/// How heads and neurons are scored: importance (|gradient| based, needs calibration data)
/// or magnitude (weight norms).
enum class StructuredCriterion { Importance, Magnitude };
const char* criterionName(StructuredCriterion c);  // "importance", "magnitude" (config and tpq.json)
std::optional<StructuredCriterion> parseStructuredCriterion(std::string_view name);

struct StructuredPruningOptions {
    int numHeadsToPrune = 0;  // heads removed in total, lowest importance first; 0 = none
    StructuredCriterion headCriterion = StructuredCriterion::Importance;  // importance: Michel et al. 2019
    bool keepOneHeadPerLayer = true;                                      // never remove the last head of a layer
    double ffnSparsity = 0.0;  // fraction of each layer's feed-forward neurons removed, in [0, 1)
    StructuredCriterion ffnCriterion = StructuredCriterion::Importance;  // importance: |activation x gradient|
    int calibrationBatches = 16;  // batches scored for the importance criteria; 0 = the whole loader

    std::vector<std::string> validate() const;
    /// True when a criterion needs calibration batches.
    bool needsCalibration() const;
};

/// What to remove, in current positions, with the scores it was chosen by.
struct StructuredPlan {
    std::map<int64_t, std::vector<int64_t>> heads;        // layer -> head positions to remove
    std::map<int64_t, std::vector<int64_t>> keepNeurons;  // layer -> feed-forward positions kept (ascending)
    std::vector<std::vector<double>> headImportance;      // layer -> score per present head
    std::vector<std::vector<double>> ffnImportance;       // layer -> score per present neuron
};

/// For the heatmaps: indexed by layer and original head (heads pruned earlier score -1
/// and are not kept).
struct StructuredPruningReport {
    std::vector<std::vector<double>> headImportance;  // layers x configured heads
    std::vector<std::vector<bool>> headsKept;         // layers x configured heads
    std::vector<int64_t> ffnKept;                     // per layer, neurons left
    std::vector<int64_t> ffnOriginal;                 // per layer, configured width
    int64_t headsRemoved = 0;
    int64_t neuronsRemoved = 0;
    int64_t parametersBefore = 0;
    int64_t parametersAfter = 0;
};

class StructuredPruning {
public:
    /// The model is borrowed and must outlive the pruner. Throws tpq::Error for invalid
    /// options and for more heads to prune than the model can lose.
    explicit StructuredPruning(Classifier& model, StructuredPruningOptions options = {});

    /// Scores heads and neurons (over `calibration` when a criterion needs it; then it is
    /// required) and chooses what to remove. The model is not changed.
    StructuredPlan plan(const DataLoader* calibration, const CancellationToken* cancel = nullptr);
    /// A plan that removes the given heads (current positions per layer) and no neurons;
    /// checks positions and the one-head-per-layer rule.
    StructuredPlan planHeads(const std::map<int64_t, std::vector<int64_t>>& heads) const;

    /// Physically removes what `plan` names and reports the result.
    StructuredPruningReport apply(const StructuredPlan& plan);
    /// The same model at full size with the plan's heads and neurons multiplied by zero
    /// (head and feed-forward masks); clearMasks() undoes it. Gives the logits apply() will.
    void applyAsMasks(const StructuredPlan& plan);
    void clearMasks();

    /// Scores per present head, per layer (see the options' criterion).
    std::vector<std::vector<double>> headImportance(const DataLoader* calibration, const CancellationToken* cancel);
    /// Scores per present feed-forward neuron, per layer.
    std::vector<std::vector<double>> ffnImportance(const DataLoader* calibration, const CancellationToken* cancel);

private:
    void checkPlan(const StructuredPlan& plan) const;
    // Gradient scores of head masks and/or neuron masks over the calibration batches.
    void gradientScores(const DataLoader& calibration, const CancellationToken* cancel, bool heads, bool neurons,
                        std::vector<std::vector<double>>* headScores, std::vector<std::vector<double>>* ffnScores);

    Classifier& m_model;
    StructuredPruningOptions m_options;
};

}  // namespace tpq
