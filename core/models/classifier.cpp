#include "models/classifier.h"

namespace tpq {

int64_t Classifier::numParameters(bool trainableOnly) const {
    int64_t n = 0;
    for (const auto& p : parameters()) {
        if (!trainableOnly || p.requires_grad()) n += p.numel();
    }
    return n;
}

}  // namespace tpq
