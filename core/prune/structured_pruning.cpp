#include "prune/structured_pruning.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <torch/torch.h>

#include "models/classifier.h"
#include "models/layer_surgery.h"
#include "train/eval_mode_guard.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

constexpr size_t kLinearsPerLayer = 6;  // query, key, value, attention output, ffn in, ffn out
enum LinearSlot { kQuery = 0, kKey, kValue, kAttnOut, kFfnIn, kFfnOut };

std::vector<double> toVector(const at::Tensor& t) {
    const at::Tensor c = t.detach().to(torch::kFloat64).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Per-layer L2 normalization of head scores (Michel et al. 2019; Hugging Face's bertology).
void normalizeRows(std::vector<std::vector<double>>& rows) {
    for (auto& row : rows) {
        const double norm = std::sqrt(std::inner_product(row.begin(), row.end(), row.begin(), 0.0));
        if (norm > 0)
            for (double& v : row) v /= norm;
    }
}

}  // namespace

const char* criterionName(StructuredCriterion c) {
    return c == StructuredCriterion::Magnitude ? "magnitude" : "importance";
}

std::optional<StructuredCriterion> parseStructuredCriterion(std::string_view name) {
    for (auto c : {StructuredCriterion::Importance, StructuredCriterion::Magnitude})
        if (name == criterionName(c)) return c;
    return std::nullopt;
}

std::vector<std::string> StructuredPruningOptions::validate() const {
    std::vector<std::string> p;
    if (numHeadsToPrune < 0) p.push_back("num_heads_to_prune must be >= 0, got " + std::to_string(numHeadsToPrune));
    if (!(ffnSparsity >= 0.0 && ffnSparsity < 1.0))
        p.push_back("ffn_pruning.intermediate_sparsity must be in [0, 1), got " + formatFixed(ffnSparsity, 4));
    if (calibrationBatches < 0)
        p.push_back("calibration_batches must be >= 0 (0 = all), got " + std::to_string(calibrationBatches));
    return p;
}

bool StructuredPruningOptions::needsCalibration() const {
    return (numHeadsToPrune > 0 && headCriterion == StructuredCriterion::Importance) ||
           (ffnSparsity > 0 && ffnCriterion == StructuredCriterion::Importance);
}

StructuredPruning::StructuredPruning(Classifier& model, StructuredPruningOptions options)
    : m_model(model), m_options(std::move(options)) {
    if (model.isQuantized()) {
        throw Error("cannot prune a quantized model: prune the float model first, then quantize it");
    }
    const auto problems = m_options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    const auto heads = m_model.headsPerLayer();
    const int64_t total = std::accumulate(heads.begin(), heads.end(), int64_t(0));
    const int64_t layers = int64_t(heads.size());
    if (m_options.numHeadsToPrune > total) {
        throw Error("cannot prune " + std::to_string(m_options.numHeadsToPrune) + " heads: the model has only " +
                    std::to_string(total) + " (" + std::to_string(layers) + " layers)");
    }
    const int64_t layersWithHeads = std::count_if(heads.begin(), heads.end(), [](int64_t h) { return h > 0; });
    if (m_options.keepOneHeadPerLayer && m_options.numHeadsToPrune > total - layersWithHeads) {
        throw Error("pruning " + std::to_string(m_options.numHeadsToPrune) +
                    " heads would remove every head of a layer: with one head kept in each of the " +
                    std::to_string(layersWithHeads) + " layers at most " + std::to_string(total - layersWithHeads) +
                    " of the " + std::to_string(total) +
                    " heads can go (lower num_heads_to_prune, or allow it with keep_one_head_per_layer: false)");
    }
}

void StructuredPruning::gradientScores(const DataLoader& calibration, const CancellationToken* cancel, bool heads,
                                       bool neurons, std::vector<std::vector<double>>* headScores,
                                       std::vector<std::vector<double>>* ffnScores) {
    const auto headCounts = m_model.headsPerLayer();
    const auto widths = m_model.ffnWidths();
    const size_t layers = headCounts.size();
    std::vector<at::Tensor> headMasks, ffnMasks, headSum, ffnSum;
    for (size_t l = 0; l < layers; ++l) {
        if (heads) {
            headMasks.push_back(torch::ones({headCounts[l]}, torch::requires_grad()));
            headSum.push_back(torch::zeros({headCounts[l]}, torch::kFloat64));
            m_model.setHeadMask(int64_t(l), headMasks.back());
        }
        if (neurons) {
            ffnMasks.push_back(torch::ones({widths[l]}, torch::requires_grad()));
            ffnSum.push_back(torch::zeros({widths[l]}, torch::kFloat64));
            m_model.setFfnMask(int64_t(l), ffnMasks.back());
        }
    }
    // Only the masks need gradients; the weights are left untouched.
    std::vector<std::pair<at::Tensor, bool>> params;
    for (auto& p : m_model.parameters()) {
        params.emplace_back(p, p.requires_grad());
        p.set_requires_grad(false);
    }
    const auto restore = [&] {
        for (auto& [p, req] : params) p.set_requires_grad(req);
        for (size_t l = 0; l < layers; ++l) {
            if (heads) m_model.setHeadMask(int64_t(l), at::Tensor());
            if (neurons) m_model.setFfnMask(int64_t(l), at::Tensor());
        }
    };
    try {
        EvalModeGuard evalMode(m_model);  // no dropout: the scores depend on the weights only
        torch::AutoGradMode grad(true);
        const size_t n = m_options.calibrationBatches > 0
                             ? std::min(calibration.numBatches(), size_t(m_options.calibrationBatches))
                             : calibration.numBatches();
        if (n == 0) throw Error("the calibration data for importance scores is empty");
        std::vector<at::Tensor> inputs(headMasks.begin(), headMasks.end());  // what the gradients are taken of
        inputs.insert(inputs.end(), ffnMasks.begin(), ffnMasks.end());
        for (size_t b = 0; b < n; ++b) {
            if (cancel) cancel->throwIfCancelled();
            const Batch batch = calibration.batch(b);
            const auto logits = m_model.forward(batch.inputIds, batch.attentionMask);
            const auto loss = torch::nn::functional::cross_entropy(logits, batch.labels);
            const auto grads = torch::autograd::grad({loss}, inputs, {}, false, false, true);
            size_t i = 0;
            for (auto& s : headSum) {
                if (grads[i].defined()) s += grads[i].abs().to(torch::kFloat64);
                ++i;
            }
            for (auto& s : ffnSum) {
                if (grads[i].defined()) s += grads[i].abs().to(torch::kFloat64);
                ++i;
            }
        }
    } catch (...) {
        restore();
        throw;
    }
    restore();
    if (headScores) {
        headScores->clear();
        for (const auto& s : headSum) headScores->push_back(toVector(s));
    }
    if (ffnScores) {
        ffnScores->clear();
        for (const auto& s : ffnSum) ffnScores->push_back(toVector(s));
    }
}

std::vector<std::vector<double>> StructuredPruning::headImportance(const DataLoader* calibration,
                                                                   const CancellationToken* cancel) {
    std::vector<std::vector<double>> scores;
    if (m_options.headCriterion == StructuredCriterion::Importance) {
        if (!calibration) throw Error("gradient-based head importance needs calibration data");
        gradientScores(*calibration, cancel, true, false, &scores, nullptr);
    } else {
        torch::NoGradGuard noGrad;
        const auto linears = m_model.linearLayers();
        const auto heads = m_model.headsPerLayer();
        for (size_t l = 0; l < heads.size(); ++l) {
            const auto& q = linears[l * kLinearsPerLayer + kQuery].linear;
            const int64_t h = heads[l];
            if (h == 0) {
                scores.emplace_back();
                continue;
            }
            const int64_t headSize = q->weight.size(0) / h;
            // Sum of squares of the head's rows in query/key/value and columns in the output.
            at::Tensor sq = torch::zeros({h}, torch::kFloat64);
            for (LinearSlot slot : {kQuery, kKey, kValue}) {
                const auto w = linears[l * kLinearsPerLayer + slot].linear->weight.to(torch::kFloat64);
                sq += w.pow(2).view({h, headSize, -1}).sum(at::IntArrayRef{1, 2});
            }
            const auto out = linears[l * kLinearsPerLayer + kAttnOut].linear->weight.to(torch::kFloat64);
            sq += out.pow(2).view({out.size(0), h, headSize}).sum(at::IntArrayRef{0, 2});
            scores.push_back(toVector(sq.sqrt()));
        }
    }
    normalizeRows(scores);
    return scores;
}

std::vector<std::vector<double>> StructuredPruning::ffnImportance(const DataLoader* calibration,
                                                                  const CancellationToken* cancel) {
    std::vector<std::vector<double>> scores;
    if (m_options.ffnCriterion == StructuredCriterion::Importance) {
        if (!calibration) throw Error("activation x gradient neuron importance needs calibration data");
        gradientScores(*calibration, cancel, false, true, nullptr, &scores);
        return scores;
    }
    torch::NoGradGuard noGrad;
    const auto linears = m_model.linearLayers();
    const size_t layers = m_model.ffnWidths().size();
    for (size_t l = 0; l < layers; ++l) {
        // A neuron's effect scales with both its input and its output weights.
        const auto in = linears[l * kLinearsPerLayer + kFfnIn].linear->weight.to(torch::kFloat64);
        const auto out = linears[l * kLinearsPerLayer + kFfnOut].linear->weight.to(torch::kFloat64);
        scores.push_back(toVector(in.norm(2, {1}) * out.norm(2, {0})));
    }
    return scores;
}

StructuredPlan StructuredPruning::plan(const DataLoader* calibration, const CancellationToken* cancel) {
    StructuredPlan plan;
    const auto heads = m_model.headsPerLayer();
    const auto widths = m_model.ffnWidths();
    if (m_options.needsCalibration() && !calibration) {
        throw Error("importance-based structured pruning needs calibration data (training batches)");
    }
    if (m_options.numHeadsToPrune > 0) {
        plan.headImportance = headImportance(calibration, cancel);
        // Global ranking, lowest first; ties broken by layer then head for reproducibility.
        struct Candidate {
            double score;
            int64_t layer, head;
        };
        std::vector<Candidate> all;
        for (size_t l = 0; l < heads.size(); ++l)
            for (int64_t h = 0; h < heads[l]; ++h) all.push_back({plan.headImportance[l][size_t(h)], int64_t(l), h});
        std::stable_sort(all.begin(), all.end(),
                         [](const Candidate& a, const Candidate& b) { return a.score < b.score; });
        std::vector<int64_t> left(heads.begin(), heads.end());
        int removed = 0;
        for (const auto& c : all) {
            if (removed == m_options.numHeadsToPrune) break;
            if (m_options.keepOneHeadPerLayer && left[size_t(c.layer)] <= 1) continue;
            plan.heads[c.layer].push_back(c.head);
            --left[size_t(c.layer)];
            ++removed;
        }
        for (auto& [layer, list] : plan.heads) std::sort(list.begin(), list.end());
    }
    if (m_options.ffnSparsity > 0) {
        plan.ffnImportance = ffnImportance(calibration, cancel);
        for (size_t l = 0; l < widths.size(); ++l) {
            const auto& s = plan.ffnImportance[l];
            const int64_t width = widths[l];
            const int64_t drop = std::min<int64_t>(width, std::llround(m_options.ffnSparsity * double(width)));
            std::vector<int64_t> order(static_cast<size_t>(width));
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(),
                             [&](int64_t a, int64_t b) { return s[size_t(a)] < s[size_t(b)]; });
            std::vector<int64_t> keep(order.begin() + drop, order.end());
            std::sort(keep.begin(), keep.end());
            plan.keepNeurons[int64_t(l)] = std::move(keep);
        }
    }
    return plan;
}

StructuredPlan StructuredPruning::planHeads(const std::map<int64_t, std::vector<int64_t>>& heads) const {
    StructuredPlan plan;
    plan.heads = heads;
    for (auto& [layer, list] : plan.heads) std::sort(list.begin(), list.end());
    checkPlan(plan);
    return plan;
}

void StructuredPruning::checkPlan(const StructuredPlan& plan) const {
    const auto heads = m_model.headsPerLayer();
    const auto widths = m_model.ffnWidths();
    for (const auto& [layer, list] : plan.heads) {
        checkLayerIndex(layer, heads.size());
        const std::set<int64_t> unique(list.begin(), list.end());
        for (int64_t h : list) {
            if (h < 0 || h >= heads[size_t(layer)]) {
                throw Error("cannot prune head " + std::to_string(h) + " of layer " + std::to_string(layer) +
                            ": it has " + std::to_string(heads[size_t(layer)]) + " heads");
            }
        }
        if (unique.size() != list.size())
            throw Error("a head of layer " + std::to_string(layer) + " is listed twice for pruning");
        if (m_options.keepOneHeadPerLayer && int64_t(unique.size()) >= heads[size_t(layer)]) {
            throw Error("pruning " + std::to_string(unique.size()) + " heads would remove every head of layer " +
                        std::to_string(layer) + "; at least one head per layer is kept (keep_one_head_per_layer)");
        }
    }
    for (const auto& [layer, keep] : plan.keepNeurons) {
        checkLayerIndex(layer, widths.size());
        neuronIndex(keep, widths[size_t(layer)], layer);  // throws for a bad list
    }
}

StructuredPruningReport StructuredPruning::apply(const StructuredPlan& plan) {
    checkPlan(plan);
    StructuredPruningReport r;
    r.parametersBefore = m_model.numParameters();
    const int64_t configured = m_model.configuredHeads();
    const size_t layers = m_model.headsPerLayer().size();
    // Importance by original head index, before positions shift.
    r.headImportance.assign(layers, std::vector<double>(size_t(configured), -1.0));
    for (size_t l = 0; l < layers; ++l) {
        const auto present = m_model.presentHeads(int64_t(l));
        if (l < plan.headImportance.size()) {
            for (size_t i = 0; i < present.size() && i < plan.headImportance[l].size(); ++i)
                r.headImportance[l][size_t(present[i])] = plan.headImportance[l][i];
        }
    }
    torch::NoGradGuard noGrad;
    for (const auto& [layer, list] : plan.heads) {
        m_model.pruneHeads(layer, list);
        r.headsRemoved += int64_t(list.size());
    }
    const auto widthsBefore = m_model.ffnWidths();
    for (const auto& [layer, keep] : plan.keepNeurons) {
        m_model.pruneFfn(layer, keep);
        r.neuronsRemoved += widthsBefore[size_t(layer)] - int64_t(keep.size());
    }
    for (size_t l = 0; l < layers; ++l) {
        std::vector<bool> kept(size_t(configured), false);
        for (int64_t h : m_model.presentHeads(int64_t(l))) kept[size_t(h)] = true;
        r.headsKept.push_back(kept);
    }
    r.ffnKept = m_model.ffnWidths();
    r.ffnOriginal.assign(layers, m_model.configuredFfnWidth());
    r.parametersAfter = m_model.numParameters();
    return r;
}

void StructuredPruning::applyAsMasks(const StructuredPlan& plan) {
    checkPlan(plan);
    const auto heads = m_model.headsPerLayer();
    const auto widths = m_model.ffnWidths();
    for (const auto& [layer, list] : plan.heads) {
        auto mask = torch::ones({heads[size_t(layer)]});
        for (int64_t h : list) mask[h] = 0.0;
        m_model.setHeadMask(layer, mask);
    }
    for (const auto& [layer, keep] : plan.keepNeurons) {
        auto mask = torch::zeros({widths[size_t(layer)]});
        if (!keep.empty()) mask.index_fill_(0, torch::tensor(keep, torch::kInt64), 1.0);
        m_model.setFfnMask(layer, mask);
    }
}

void StructuredPruning::clearMasks() {
    const size_t layers = m_model.headsPerLayer().size();
    for (size_t l = 0; l < layers; ++l) {
        m_model.setHeadMask(int64_t(l), at::Tensor());
        m_model.setFfnMask(int64_t(l), at::Tensor());
    }
}

}  // namespace tpq
