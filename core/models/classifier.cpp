#include "models/classifier.h"

#include <torch/torch.h>

#include "models/architecture_estimate.h"
#include "util/strings.h"

namespace tpq {

at::Tensor LinearKernel::forwardGelu(const at::Tensor& x) const { return torch::gelu(forward(x)); }

std::vector<at::Tensor> runLinears(const std::vector<std::pair<torch::nn::Linear*, const LinearKernelPtr*>>& layers,
                                   const at::Tensor& x) {
    if (!layers.empty() && *layers.front().second) {
        std::vector<const LinearKernel*> others;
        for (size_t i = 1; i < layers.size() && *layers[i].second; ++i) others.push_back(layers[i].second->get());
        if (others.size() + 1 == layers.size()) {
            auto together = (*layers.front().second)->forwardSharingInput(others, x);
            if (together.size() == layers.size()) return together;
        }
    }
    std::vector<at::Tensor> out;
    for (const auto& [linear, kernel] : layers) out.push_back(runLinear(*linear, *kernel, x));
    return out;
}

at::Tensor runLinearGelu(torch::nn::Linear& linear, const LinearKernelPtr& kernel, const at::Tensor& x) {
    return kernel ? kernel->forwardGelu(x) : torch::gelu(linear(x));
}

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
        if (p.value().dim() == 2 && isEmbeddingTable(key) && endsWith(key, ".weight") && key != ".weight")
            out.emplace_back(key, p.value());
    }
    return out;
}

at::Tensor embeddingLookup(torch::nn::Embedding& e, const Int8Tables* tables, const std::string& name,
                           const at::Tensor& ids) {
    if (tables) {
        const auto it = tables->find(name);
        if (it != tables->end()) return lookupInt8(it->second, ids);
    }
    return e(ids);
}

at::Tensor lookupInt8(const Int8Table& table, const at::Tensor& ids) {
    const at::Tensor flat = ids.reshape({-1});
    const at::Tensor rows = table.values.index_select(0, flat).to(torch::kFloat32) *
                            table.scales.index_select(0, flat).to(torch::kFloat32).unsqueeze(1);
    std::vector<int64_t> shape = ids.sizes().vec();
    shape.push_back(table.values.size(1));
    return rows.view(shape);
}

void releaseParameter(at::Tensor& parameter) {
    torch::NoGradGuard noGrad;
    if (parameter.grad().defined()) parameter.mutable_grad().reset();
    parameter.set_requires_grad(false);
    parameter.set_data(torch::zeros({}, parameter.options()).expand(parameter.sizes()));
}

bool isReleased(const at::Tensor& parameter) {
    return parameter.numel() > 1 && parameter.storage().nbytes() <= size_t(parameter.element_size());
}

bool Classifier::isQuantized() {
    if (!m_int8Embeddings.empty()) return true;
    for (const auto& l : linearLayers()) {
        if (l.kernel && *l.kernel) return true;
    }
    return false;
}

}  // namespace tpq
