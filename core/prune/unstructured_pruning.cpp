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

// The blocks of one weight [out, in] (a 1-D tensor is one row), flattened row-major over
// [ceil(out / rows), ceil(in / cols)].
struct BlockScores {
    at::Tensor scores;  // float
    at::Tensor sizes;   // int64: elements of each block (smaller at the edges)
    int64_t gridRows = 0, gridCols = 0, rows = 1, cols = 1;
    int64_t elements = 0;
};

BlockScores scoreBlocks(const at::Tensor& weight, const at::Tensor& mask, BlockShape shape,
                        UnstructuredCriterion criterion, at::Generator& generator) {
    const at::Tensor w = weight.dim() == 2 ? weight : weight.reshape({1, -1});
    const at::Tensor m = mask.reshape(w.sizes());
    BlockScores b;
    b.rows = std::min<int64_t>(shape.rows, std::max<int64_t>(1, w.size(0)));
    b.cols = std::min<int64_t>(shape.cols, std::max<int64_t>(1, w.size(1)));
    b.gridRows = (w.size(0) + b.rows - 1) / b.rows;
    b.gridCols = (w.size(1) + b.cols - 1) / b.cols;
    b.elements = w.numel();
    const std::vector<int64_t> pad = {0, b.gridCols * b.cols - w.size(1), 0, b.gridRows * b.rows - w.size(0)};
    const std::vector<int64_t> grid = {b.gridRows, b.rows, b.gridCols, b.cols};
    const at::Tensor alive =
        torch::constant_pad_nd(m.to(torch::kUInt8), pad).view(grid).amax({1, 3}).to(torch::kBool).flatten();
    at::Tensor scores;
    if (criterion == UnstructuredCriterion::Random) {
        scores = torch::rand({b.gridRows * b.gridCols}, generator, w.options().dtype(torch::kFloat32));
    } else if (b.rows == 1 && b.cols == 1) {
        scores = w.abs().to(torch::kFloat32).flatten();
    } else {
        scores = torch::constant_pad_nd(w.to(torch::kFloat32), pad).view(grid).square().sum({1, 3}).sqrt().flatten();
    }
    b.scores = scores.masked_fill(alive.logical_not(), -1.0);
    auto extent = [](int64_t n, int64_t side, int64_t count) {
        at::Tensor e = torch::full({count}, side, torch::kInt64);
        if (count > 0) e[count - 1] = n - (count - 1) * side;
        return e;
    };
    b.sizes = extent(w.size(0), b.rows, b.gridRows).unsqueeze(1).mul(extent(w.size(1), b.cols, b.gridCols)).flatten();
    return b;
}

// Which blocks stay: the lowest scores go until their elements come nearest to `prune`.
at::Tensor keepBlocks(const at::Tensor& scores, const at::Tensor& sizes, int64_t prune) {
    at::Tensor keep = torch::ones({scores.numel()}, torch::kBool);
    if (prune <= 0 || scores.numel() == 0) return keep;
    const at::Tensor order = std::get<1>(torch::sort(scores, /*stable=*/c10::optional<bool>(true), /*dim=*/0));
    const at::Tensor cum = sizes.index_select(0, order).cumsum(0);
    // The first i whose running count reaches `prune`; one block fewer when that is nearer.
    int64_t i = torch::searchsorted(cum, torch::full({1}, prune, torch::kInt64)).item<int64_t>();
    i = std::min<int64_t>(i, cum.numel() - 1);
    int64_t n = i + 1;
    if (i > 0 && prune - cum[i - 1].item<int64_t>() < cum[i].item<int64_t>() - prune) n = i;
    keep.index_fill_(0, order.narrow(0, 0, n), false);
    return keep;
}

// A keep-per-block vector back to the weight's shape.
at::Tensor expandBlocks(const at::Tensor& keep, const BlockScores& b, at::IntArrayRef shape) {
    const at::Tensor full = keep.view({b.gridRows, 1, b.gridCols, 1})
                                .expand({b.gridRows, b.rows, b.gridCols, b.cols})
                                .reshape({b.gridRows * b.rows, b.gridCols * b.cols});
    const int64_t rows = shape.size() == 2 ? shape[0] : 1;
    const int64_t cols = shape.size() == 2 ? shape[1] : full.size(1);
    return full.narrow(0, 0, rows).narrow(1, 0, cols).reshape(shape);
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
    if (block.rows < 1 || block.cols < 1 || block.rows > kMaxBlockSide || block.cols > kMaxBlockSide)
        problems.push_back("pruning block " + blockShapeName(block) + " must have sides in [1, " +
                           std::to_string(kMaxBlockSide) + "]");
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
    // A score per block (magnitude: the L2 norm of its weights; 1 x 1: |w|) and its element
    // count: the lowest-scored blocks are pruned until `target` of the elements are. Blocks
    // whose weights were all pruned before score -1, so they stay pruned and count.
    std::vector<BlockScores> blocks;
    for (const auto& t : m_targets)
        blocks.push_back(scoreBlocks(t.weight, t.mask, m_options.block, m_options.criterion, generator));
    std::vector<at::Tensor> keeps;
    if (global) {
        std::vector<at::Tensor> scores, sizes;
        std::vector<int64_t> counts;
        int64_t total = 0;
        for (const auto& b : blocks) {
            scores.push_back(b.scores);
            sizes.push_back(b.sizes);
            counts.push_back(b.scores.numel());
            total += b.elements;
        }
        keeps = keepBlocks(torch::cat(scores), torch::cat(sizes), std::llround(target * double(total)))
                    .split_with_sizes(counts);
    } else {
        for (const auto& b : blocks)
            keeps.push_back(keepBlocks(b.scores, b.sizes, std::llround(target * double(b.elements))));
    }
    for (size_t i = 0; i < m_targets.size(); ++i) {
        Target& t = m_targets[i];
        t.mask = t.mask.logical_and(expandBlocks(keeps[i], blocks[i], t.weight.sizes()));
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
