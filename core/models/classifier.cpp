#include "models/classifier.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <torch/torch.h>

#include "kernels/cpu_features.h"
#include "kernels/fp32_gemm.h"
#include "kernels/sparse_gemm.h"
#include "models/architecture_estimate.h"
#include "util/single_threaded_blas.h"
#include "util/strings.h"

namespace tpq {

at::Tensor LinearKernel::forwardGelu(const at::Tensor& x) const {
    return torch::gelu(forward(x));
}

namespace {

// Rows below which a LibTorch product in inference runs on one BLAS thread (runLinear).
constexpr int64_t kFewRows = 64;

// How an fp32 linear layer runs in inference: sparse (CSR, kernels/sparse_gemm.h), on our
// dense kernel (kernels/fp32_gemm.h), or on LibTorch's linear.
struct Fp32Inference {
    enum class Form { LibTorch, Dense, Sparse };
    Form form = Form::LibTorch;
    double density = 1.0;  // non-zero share of the weight
    fp32gemm::PackedWeight dense;
    sparse::Fp32Weight sparse;

    at::Tensor forward(const at::Tensor& x, bool gelu) const {
        const auto activation = gelu ? fp32gemm::Activation::Gelu : fp32gemm::Activation::None;
        return form == Form::Sparse ? sparse::linearFp32(x, sparse, activation)
                                    : fp32gemm::linear(x, dense, activation);
    }
};

// The form a weight takes (its density measured only where the sparse kernel could run).
Fp32Inference::Form fp32Form(const at::Tensor& weight, double* density) {
    *density = 1.0;
    if (weight.dim() == 2 && sparse::fp32Available()) {
        const sparse::Density d = sparse::density(weight);
        *density = d.elements;
        if (sparse::fp32Pays(d)) return Fp32Inference::Form::Sparse;
    }
    return fp32gemm::available() ? Fp32Inference::Form::Dense : Fp32Inference::Form::LibTorch;
}

Fp32Inference packFp32Inference(const at::Tensor& weight, const at::Tensor& bias) {
    Fp32Inference p;
    p.form = fp32Form(weight, &p.density);
    if (p.form == Fp32Inference::Form::Sparse) p.sparse = sparse::packFp32(weight, bias);
    if (p.form == Fp32Inference::Form::Dense) p.dense = fp32gemm::pack(weight, bias);
    return p;
}

// The packed copies of fp32 weights that inference has used, by weight tensor: sparse
// (CSR), for our dense kernel, or neither (LibTorch's linear: the decision is cached too).
// An entry is valid while its tensor lives and has not changed since (same version
// counter and storage); entries of tensors that are gone are dropped as new ones come.
class Fp32PackCache {
public:
    using Packed = std::shared_ptr<const Fp32Inference>;

    Packed get(const at::Tensor& weight, const at::Tensor& bias) {
        const auto version = weight._version();
        const int64_t biasVersion = bias.defined() ? int64_t(bias._version()) : -1;
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = m_entries.find(weight.unsafeGetTensorImpl());
        if (it != m_entries.end() && !it->second.weight.expired() && it->second.version == version &&
            it->second.data == weight.data_ptr() &&
            it->second.biasData == (bias.defined() ? bias.data_ptr() : nullptr) &&
            it->second.biasVersion == biasVersion &&
            it->second.biasImpl == (bias.defined() ? bias.unsafeGetTensorImpl() : nullptr))
            return it->second.packed;
        if (m_entries.size() >= m_nextSweep) {
            for (auto e = m_entries.begin(); e != m_entries.end();)
                e = e->second.weight.expired() ? m_entries.erase(e) : std::next(e);
            m_nextSweep = 2 * m_entries.size() + 64;
        }
        Entry entry{c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>(weight.getIntrusivePtr()),
                    version,
                    biasVersion,
                    bias.defined() ? bias.unsafeGetTensorImpl() : nullptr,
                    weight.data_ptr(),
                    bias.defined() ? bias.data_ptr() : nullptr,
                    std::make_shared<const Fp32Inference>(packFp32Inference(weight, bias))};
        Packed packed = entry.packed;
        m_entries.insert_or_assign(weight.unsafeGetTensorImpl(), std::move(entry));
        return packed;
    }

private:
    struct Entry {
        c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl> weight;
        int64_t version;
        int64_t biasVersion;
        const c10::TensorImpl* biasImpl;
        const void* data;  // set_data() swaps the storage without a new version
        const void* biasData;
        Packed packed;
    };
    std::mutex m_mutex;
    std::unordered_map<const c10::TensorImpl*, Entry> m_entries;
    size_t m_nextSweep = 64;
};

Fp32PackCache& packCache() {
    static Fp32PackCache cache;
    return cache;
}

// The packed weight when this product may run on one of our fp32 kernels, else null.
Fp32PackCache::Packed inferencePacked(torch::nn::Linear& linear, const at::Tensor& x) {
    if ((!fp32gemm::available() && !sparse::fp32Available()) || linear->is_training() || at::GradMode::is_enabled() ||
        x.scalar_type() != at::kFloat || linear->weight.scalar_type() != at::kFloat || x.dim() == 0 ||
        isReleased(linear->weight))
        return nullptr;
    auto packed = packCache().get(linear->weight, linear->bias);
    return packed->form == Fp32Inference::Form::LibTorch ? nullptr : packed;
}

}  // namespace

at::Tensor runLinear(torch::nn::Linear& linear, const LinearKernelPtr& kernel, const at::Tensor& x) {
    if (kernel) return kernel->forward(x);
    if (const auto packed = inferencePacked(linear, x)) return packed->forward(x, false);
    // A product of a few rows in inference (the pooler and classifier on the batch's first
    // tokens) on one OpenBLAS thread: two would leave its pool spinning on a core while our
    // kernels run the next layers (util/single_threaded_blas.h).
    std::optional<SingleThreadedBlas> oneBlasThread;
    if (!linear->is_training() && !at::GradMode::is_enabled() && x.numel() < kFewRows * x.size(-1))
        oneBlasThread.emplace();
    return linear(x);
}

std::vector<at::Tensor> runLinears(const std::vector<std::pair<torch::nn::Linear*, const LinearKernelPtr*>>& layers,
                                   const at::Tensor& x) {
    if (!layers.empty() && !*layers.front().second) {
        // fp32 layers in inference on our dense kernel: the products on one input together.
        std::vector<Fp32PackCache::Packed> packed;
        for (const auto& [linear, kernel] : layers) {
            if (*kernel) break;
            auto p = inferencePacked(*linear, x);
            if (!p || p->form != Fp32Inference::Form::Dense) break;
            packed.push_back(std::move(p));
        }
        if (packed.size() == layers.size()) {
            std::vector<const fp32gemm::PackedWeight*> weights;
            for (const auto& p : packed) weights.push_back(&p->dense);
            return fp32gemm::linearShared(x, weights);
        }
    }
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
    if (kernel) return kernel->forwardGelu(x);
    if (const auto packed = inferencePacked(linear, x)) return packed->forward(x, true);
    return torch::gelu(linear(x));
}

LayerKernel LinearKernel::describe() const {
    LayerKernel k;
    k.precision = precisionName(precision());
    k.path = kernelPath();
    return k;
}

LayerKernel layerKernel(const NamedLinear& layer) {
    if (layer.kernel && *layer.kernel) return (*layer.kernel)->describe();
    torch::NoGradGuard noGrad;
    LayerKernel k;
    k.precision = precisionName(Precision::Fp32);
    const auto form = fp32Form(layer.linear->weight, &k.density);
    k.sparse = form == Fp32Inference::Form::Sparse;
    if (k.sparse) k.format = sparse::fp32Blocks(sparse::density(layer.linear->weight)) ? "blocks" : "csr";
    k.path = kernels::kernelPathName(k.sparse                                ? kernels::KernelPath::Avx512
                                     : form == Fp32Inference::Form::LibTorch ? kernels::KernelPath::LibTorch
                                                                             : kernels::fp32Path());
    return k;
}

std::string modelKernelPath(Classifier& model) {
    std::vector<std::string> paths;
    for (const NamedLinear& l : model.linearLayers()) {
        const std::string p = layerKernel(l).path;
        if (std::find(paths.begin(), paths.end(), p) == paths.end()) paths.push_back(p);
    }
    const std::vector<std::string> order = {"amx", "avx512_vnni", "avx512", "avx2", "libtorch"};
    std::sort(paths.begin(), paths.end(), [&](const std::string& a, const std::string& b) {
        return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
    });
    return paths.empty() ? std::string(kernels::kernelPathName(kernels::fp32Path())) : join(paths, "+");
}

std::vector<std::string> speedNotes(Classifier& model) {
    if (!kernels::bf16IsEmulated()) return {};
    for (const NamedLinear& l : model.linearLayers()) {
        if (l.kernel && *l.kernel && (*l.kernel)->precision() == Precision::Bf16) return {kernels::bf16EmulatedNote()};
    }
    return {};
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

bool int8Attention(const LinearKernelPtr& query, const LinearKernelPtr& key, const LinearKernelPtr& value) {
    for (const LinearKernelPtr* k : {&query, &key, &value})
        if (!*k || (*k)->precision() != Precision::Int8) return false;
    return true;
}

bool Classifier::isQuantized() {
    if (!m_int8Embeddings.empty()) return true;
    for (const auto& l : linearLayers()) {
        if (l.kernel && *l.kernel) return true;
    }
    return false;
}

}  // namespace tpq
