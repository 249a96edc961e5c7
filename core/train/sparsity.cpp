#include "train/sparsity.h"

#include <torch/torch.h>

#include "models/classifier.h"

namespace tpq {

SparsityStats calculateSparsity(Classifier& model) {
    torch::NoGradGuard noGrad;
    SparsityStats stats;
    for (const auto& layer : model.linearLayers()) {
        const at::Tensor weight =
            layer.kernel && *layer.kernel ? (*layer.kernel)->dequantizedWeight() : layer.linear->weight;
        const int64_t total = weight.numel();
        const int64_t zeros = total - weight.count_nonzero().item<int64_t>();
        stats.perLayer.emplace_back(layer.name, total > 0 ? double(zeros) / double(total) : 0.0);
        stats.zeros += zeros;
        stats.total += total;
    }
    stats.overall = stats.total > 0 ? double(stats.zeros) / double(stats.total) : 0.0;
    return stats;
}

}  // namespace tpq
