#pragma once
/// \file unstructured_pruning.h
/// Unstructured pruning: individual weights of a Classifier's linear layers set to exactly
/// zero, ranked by magnitude |w| (or at random, as a control), globally across the layers
/// in scope or per layer; or blocks of them (options.block, e.g. 1 x 4: four neighbouring
/// inputs of one output), ranked by the block's L2 norm, so that a sparse kernel can skip
/// whole blocks (kernels/sparse_gemm.h). Masks are kept: applyMasks() after every optimizer step keeps
/// pruned weights at zero during fine-tuning (Trainer::setAfterOptimizerStep).
///
///     UnstructuredPruning pruner(model);              // encoder linear layers
///     PruningStats s = pruner.applyPruning(0.5);      // s.sparsity == 0.5 (within rounding)
///     trainer.setAfterOptimizerStep([&] { pruner.applyMasks(); });
///
/// Zeros do not make dense matrix products faster: in inference, layers sparse enough run on
/// the sparse kernels instead (1 x 4 blocks pay most for int8); StructuredPruning makes a
/// model physically smaller.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "util/block_shape.h"

namespace tpq {

class Classifier;

/// Which weights go first: the smallest |w| (magnitude), or random ones (a control).
enum class UnstructuredCriterion { Magnitude, Random };
const char* criterionName(UnstructuredCriterion c);  // "magnitude", "random" (config and tpq.json)
std::optional<UnstructuredCriterion> parseUnstructuredCriterion(std::string_view name);

struct UnstructuredPruningOptions {
    UnstructuredCriterion criterion = UnstructuredCriterion::Magnitude;
    bool global = true;                // rank weights across all layers in scope, not per layer
    std::vector<std::string> include;  // name substrings that select layers (linear layers, or embedding
                                       // tables such as "embedding"); empty = all linear layers
    std::vector<std::string> exclude = {"classifier", "pooler"};  // name substrings removed from the scope
    uint64_t seed = 0;                                            // random criterion: generator seed
    BlockShape block;  // weights pruned together: rows (outputs) x cols (inputs); 1 x 1 = single weights.
                       // Blocks at a layer's edge that do not fit are smaller.

    /// All problems at once; empty when valid.
    std::vector<std::string> validate() const;
};

struct PruningStats {
    double targetSparsity = 0.0;                           // what was asked, in [0, 1)
    double sparsity = 0.0;                                 // zero fraction of the weights in scope after pruning
    int64_t zeros = 0;                                     // zero weights in scope
    int64_t total = 0;                                     // weights in scope
    std::vector<std::pair<std::string, double>> perLayer;  // (layer, zero fraction), in scope order
};

class UnstructuredPruning {
public:
    /// The model is borrowed and must outlive the pruner. Throws tpq::Error for invalid
    /// options and for an include/exclude entry that names no linear layer of the model.
    explicit UnstructuredPruning(Classifier& model, UnstructuredPruningOptions options = {});

    /// Zeros weights (in blocks of options.block) until `sparsity` of the weights in scope
    /// are zero, to the nearest whole block (counting weights already pruned, which stay
    /// pruned). Throws tpq::Error unless 0 <= sparsity < 1.
    PruningStats applyPruning(double sparsity);
    /// Same, overriding options.global.
    PruningStats applyPruning(double sparsity, bool global);

    /// Re-applies the masks (pruned weights back to exactly zero), e.g. after an optimizer step.
    void applyMasks();

    /// Current zero fraction of the weights in scope.
    double sparsity() const;
    /// Statistics of the weights in scope as they are now.
    PruningStats stats() const;

    /// Linear layer names in scope, in linearLayers() order.
    std::vector<std::string> layerNames() const;

private:
    struct Target {
        std::string name;
        at::Tensor weight;  // shares storage with the layer's parameter
        at::Tensor mask;    // bool, same shape; true = kept
    };
    std::vector<Target> m_targets;
    UnstructuredPruningOptions m_options;
    double m_lastTarget = 0.0;
    uint64_t m_calls = 0;
};

}  // namespace tpq
