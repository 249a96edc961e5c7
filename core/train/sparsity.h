#pragma once
/// \file sparsity.h
/// Fraction of exactly-zero weights in a Classifier's linear layers, overall and per layer:
/// what unstructured pruning reports and the sparsity heatmap shows. Weight matrices only;
/// biases, embeddings and LayerNorm are not counted.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tpq {

class Classifier;

struct SparsityStats {
    double overall = 0.0;  // zeros / total over all weight matrices, in [0, 1]; 0 without linear layers
    int64_t zeros = 0;     // weight elements that are exactly 0
    int64_t total = 0;     // weight elements of all linear layers
    std::vector<std::pair<std::string, double>> perLayer;  // (linear layer name, zero fraction), linearLayers() order
};

/// Sparsity of the weight matrices of `model.linearLayers()`.
SparsityStats calculateSparsity(Classifier& model);

}  // namespace tpq
