#include "prune/unstructured_pruning.h"

#include <algorithm>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "models/classifier.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

const std::vector<std::string> kDefaultExclude = UnstructuredPruningOptions().exclude;

bool matchesAny(const std::string& name, const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return name.find(p) != std::string::npos; });
}

}  // namespace

const char* criterionName(UnstructuredCriterion c) {
    return c == UnstructuredCriterion::Random ? "random" : "magnitude";
}

std::optional<UnstructuredCriterion> parseUnstructuredCriterion(std::string_view name) {
    for (auto c : {UnstructuredCriterion::Magnitude, UnstructuredCriterion::Random})
        if (name == criterionName(c)) return c;
    return std::nullopt;
}

std::vector<std::string> UnstructuredPruningOptions::validate() const {
    std::vector<std::string> problems;
    for (const auto* list : {&include, &exclude}) {
        for (const auto& p : *list) {
            if (p.empty()) problems.push_back("an empty layer name in unstructured pruning's include/exclude list");
        }
    }
    return problems;
}

UnstructuredPruning::UnstructuredPruning(Classifier& model, UnstructuredPruningOptions options)
    : m_options(std::move(options)) {
    const auto problems = m_options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    // Candidates: every linear layer, and the embedding tables (only when an include
    // entry names them: they hold most of a small model's weights).
    struct Candidate {
        std::string name;
        at::Tensor weight;
        bool embedding;
    };
    if (model.isQuantized()) {
        throw Error(
            "cannot prune a quantized model: prune the float model first, then quantize it "
            "(quantization keeps the zeros)");
    }
    std::vector<Candidate> candidates;
    for (const auto& l : model.linearLayers()) candidates.push_back({l.name, l.linear->weight, false});
    for (const auto& [key, table] : model.embeddingTables()) {
        candidates.push_back({key.substr(0, key.size() - 7), table, true});
    }
    auto check = [&](const std::vector<std::string>& patterns, const std::string& what,
                     const std::vector<std::string>& mayBeAbsent) {
        for (const auto& p : patterns) {
            const bool found = std::any_of(candidates.begin(), candidates.end(),
                                           [&](const Candidate& c) { return matchesAny(c.name, {p}); });
            if (found || std::find(mayBeAbsent.begin(), mayBeAbsent.end(), p) != mayBeAbsent.end()) continue;
            throw Error("pruning " + what + " entry '" + p + "' matches no layer of this " + model.architecture() +
                        " model; its layers are named like '" + candidates.front().name + "' … '" +
                        candidates.back().name + "'");
        }
    };
    check(m_options.include, "include", {});
    // A default exclusion need not exist in every architecture (no pooler in the Transformer).
    check(m_options.exclude, "exclude", kDefaultExclude);
    torch::NoGradGuard noGrad;
    for (const auto& c : candidates) {
        const bool included = m_options.include.empty() ? !c.embedding : matchesAny(c.name, m_options.include);
        if (!included || matchesAny(c.name, m_options.exclude)) continue;
        m_targets.push_back({c.name, c.weight, c.weight.ne(0)});
    }
    if (m_targets.empty()) {
        throw Error("no layer is left to prune after include/exclude (" + std::to_string(candidates.size()) +
                    " candidate layers in the model)");
    }
}

PruningStats UnstructuredPruning::applyPruning(double sparsity) {
    return applyPruning(sparsity, m_options.global);
}

PruningStats UnstructuredPruning::applyPruning(double target, bool global) {
    if (!(target >= 0.0 && target < 1.0)) {
        throw Error("pruning sparsity must be in [0, 1), got " + formatFixed(target, 4) +
                    " (0.5 removes half of the weights in scope)");
    }
    torch::NoGradGuard noGrad;
    // Each call draws fresh random scores, reproducibly for a given seed.
    at::Generator generator = at::detail::createCPUGenerator(m_options.seed + 0x9E3779B97F4A7C15ULL * ++m_calls);
    // A score per weight: the smallest `k` are pruned. Weights pruned before score -1, so
    // they stay pruned and count toward the target.
    std::vector<at::Tensor> scores;
    for (const auto& t : m_targets) {
        at::Tensor s = m_options.criterion == UnstructuredCriterion::Random
                           ? torch::rand(t.weight.sizes(), generator, t.weight.options())
                           : t.weight.abs();
        scores.push_back(s.masked_fill(t.mask.logical_not(), -1.0).flatten());
    }
    auto keepMask = [](const at::Tensor& flatScores, int64_t k) {
        at::Tensor keep = torch::ones({flatScores.numel()}, torch::kBool);
        if (k > 0) {
            const at::Tensor idx = std::get<1>(torch::topk(flatScores, k, 0, /*largest=*/false, /*sorted=*/false));
            keep.index_fill_(0, idx, false);
        }
        return keep;
    };
    std::vector<at::Tensor> keeps;
    if (global) {
        std::vector<int64_t> sizes;
        for (const auto& s : scores) sizes.push_back(s.numel());
        const at::Tensor all = torch::cat(scores);
        const at::Tensor keep = keepMask(all, std::llround(target * double(all.numel())));
        keeps = keep.split_with_sizes(sizes);
    } else {
        for (const auto& s : scores) keeps.push_back(keepMask(s, std::llround(target * double(s.numel()))));
    }
    for (size_t i = 0; i < m_targets.size(); ++i) {
        Target& t = m_targets[i];
        t.mask = t.mask.logical_and(keeps[i].view(t.weight.sizes()));
    }
    applyMasks();
    m_lastTarget = target;
    PruningStats stats = this->stats();
    stats.targetSparsity = target;
    return stats;
}

void UnstructuredPruning::applyMasks() {
    torch::NoGradGuard noGrad;
    for (auto& t : m_targets) t.weight.masked_fill_(t.mask.logical_not(), 0.0);
}

PruningStats UnstructuredPruning::stats() const {
    torch::NoGradGuard noGrad;
    PruningStats out;
    out.targetSparsity = m_lastTarget;
    for (const auto& t : m_targets) {
        const int64_t n = t.weight.numel();
        const int64_t zeros = n - t.weight.count_nonzero().item<int64_t>();
        out.perLayer.emplace_back(t.name, n > 0 ? double(zeros) / double(n) : 0.0);
        out.zeros += zeros;
        out.total += n;
    }
    out.sparsity = out.total > 0 ? double(out.zeros) / double(out.total) : 0.0;
    return out;
}

double UnstructuredPruning::sparsity() const {
    return stats().sparsity;
}

std::vector<std::string> UnstructuredPruning::layerNames() const {
    std::vector<std::string> out;
    for (const auto& t : m_targets) out.push_back(t.name);
    return out;
}

}  // namespace tpq
