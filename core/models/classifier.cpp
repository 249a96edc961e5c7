#include "models/classifier.h"

#include <torch/torch.h>

namespace tpq {

int64_t Classifier::numParameters(bool trainableOnly) const {
    int64_t n = 0;
    for (const auto& p : parameters()) {
        if (!trainableOnly || p.requires_grad()) n += p.numel();
    }
    return n;
}

std::vector<std::pair<std::string, at::Tensor>> Classifier::embeddingTables() {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& p : named_parameters()) {
        const std::string& key = p.key();
        const std::string suffix = ".weight";
        if (p.value().dim() == 2 && key.find("embedding") != std::string::npos && key.size() > suffix.size() &&
            key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
            out.emplace_back(key, p.value());
        }
    }
    return out;
}

bool Classifier::isQuantized() {
    if (!m_int8Embeddings.empty()) return true;
    for (const auto& l : linearLayers()) {
        if (l.kernel && *l.kernel) return true;
    }
    return false;
}

}  // namespace tpq
