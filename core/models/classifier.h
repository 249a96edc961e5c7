#pragma once
/// \file classifier.h
/// What pruning and quantization work through, for BERT and the custom Transformer
/// alike: logits from (inputIds, attentionMask), the named linear layers, heads and FFN
/// width per layer, parameter counts, and the model's config.json.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "models/layer_kernel.h"
#include "models/precision.h"
#include "util/progress.h"

namespace tpq {

/// Another way to compute a linear layer (int8 weights, ...), set by quantization in
/// place of the layer's float weights. The layer's nn::Linear stays as it was.
class LinearKernel {
public:
    virtual ~LinearKernel() = default;
    /// x: float [..., in] -> float [..., out].
    virtual at::Tensor forward(const at::Tensor& x) const = 0;
    /// gelu(forward(x)); a kernel that can apply GELU as it writes its result overrides it.
    virtual at::Tensor forwardGelu(const at::Tensor& x) const;
    /// forward(x) of this kernel and of each of `others`, computed together when this kernel
    /// can share the work on x with all of them (int8: x quantized once); else empty.
    virtual std::vector<at::Tensor> forwardSharingInput(const std::vector<const LinearKernel*>& others,
                                                        const at::Tensor& x) const {
        return {};
    }
    /// next(gelu(forward(x))) computed together when this kernel and `next` can (a sparse int8
    /// feed-forward pair: the intermediate never leaves the cache); else an undefined tensor.
    virtual at::Tensor forwardGeluThen(const LinearKernel& next, const at::Tensor& x) const { return {}; }
    /// What the weight is stored in.
    virtual Precision precision() const = 0;
    /// The precision as messages and memory tables name it ("int8", "fp32 (calibrating)").
    virtual std::string label() const { return precisionName(precision()); }
    /// The weight as the kernel computes with it, float32 [out, in].
    virtual at::Tensor dequantizedWeight() const = 0;
    /// Bytes the kernel holds in memory.
    virtual int64_t memoryBytes() const { return 0; }
    /// Where its products run: "amx", "avx512_vnni", "avx2" or "libtorch" (kernels/cpu_features.h).
    virtual std::string kernelPath() const { return "libtorch"; }
    /// Precision, path and, for a sparse kernel, its format and density.
    virtual LayerKernel describe() const;
};
using LinearKernelPtr = std::shared_ptr<const LinearKernel>;

/// Whether attention on the outputs of these query, key and value layers may multiply in
/// bf16 (multiHeadAttention's bf16Products): all three int8, whose quantized inputs already
/// carry more error than bf16's.
bool int8Attention(const LinearKernelPtr& query, const LinearKernelPtr& key, const LinearKernelPtr& value);

/// Runs `kernel` when one is set, else `linear`: in inference (eval mode, no gradients, fp32)
/// on our own fp32 kernel where the CPU has one (kernels/fp32_gemm.h), from a copy of the
/// weight reordered on first use and made again whenever the weight changes (the tensor's
/// version counter); elsewhere LibTorch's linear.
at::Tensor runLinear(torch::nn::Linear& linear, const LinearKernelPtr& kernel, const at::Tensor& x);

/// linear(x) for each layer of a list on the same input (a layer's query, key and value),
/// sharing the work on x when their kernels can (LinearKernel::forwardSharingInput).
std::vector<at::Tensor> runLinears(const std::vector<std::pair<torch::nn::Linear*, const LinearKernelPtr*>>& layers,
                                   const at::Tensor& x);

/// gelu(linear(x)), through the kernel when one is set.
at::Tensor runLinearGelu(torch::nn::Linear& linear, const LinearKernelPtr& kernel, const at::Tensor& x);

/// A linear layer, its parameter prefix ("bert.encoder.layer.0.attention.self.query")
/// and the slot where quantization puts its kernel (owned by the model).
struct NamedLinear {
    std::string name;
    torch::nn::Linear linear{nullptr};
    LinearKernelPtr* kernel = nullptr;
};

/// What `layer` runs on in inference: its kernel's description, or for an fp32 layer the
/// form the inference pack cache would give it (sparse where its density pays, our dense
/// kernel, or LibTorch's).
LayerKernel layerKernel(const NamedLinear& layer);

/// The kernel paths a model's linear layers run on, best first, joined by "+"
/// ("avx2", "avx2+libtorch"): result.json's and tpq bench's `kernel_path`.
class Classifier;
std::string modelKernelPath(Classifier& model);
/// What a reader of the model's speed must know about this CPU: kernels/cpu_features.h's
/// bf16EmulatedNote() when it has bf16 layers and no bf16 hardware; else empty.
std::vector<std::string> speedNotes(Classifier& model);

/// An embedding table stored as int8 rows: table ~= values * scales[row]. A model looks
/// rows up from it (embeddingLookup) and its float parameter is released.
struct Int8Table {
    at::Tensor values;  // int8 [rows, dim]
    at::Tensor scales;  // float16 (or float32) [rows], > 0
};
using Int8Tables = std::map<std::string, Int8Table>;  // by parameter name

/// Rows `ids` of `table` as float32 [..., dim]: values * scale of each row read.
at::Tensor lookupInt8(const Int8Table& table, const at::Tensor& ids);

/// Rows `ids` of embedding `e` (parameter `name`): from its int8 table in `tables` when it
/// has one (values * scale, exactly the rows of the dequantized table), else e(ids).
at::Tensor embeddingLookup(torch::nn::Embedding& e, const Int8Tables* tables, const std::string& name,
                           const at::Tensor& ids);

/// Replaces a parameter's storage by one zero broadcast to its shape (its shape and element
/// count stay, its memory goes): for weights a quantized kernel or an int8 table now holds.
void releaseParameter(at::Tensor& parameter);
/// True for a parameter releaseParameter() emptied.
bool isReleased(const at::Tensor& parameter);

class Classifier : public torch::nn::Module {
public:
    ~Classifier() override = default;

    /// `inputIds` and `attentionMask` are int64 [batch, length] (mask 1 = token, 0 = padding).
    /// Returns float logits [batch, numLabels()].
    virtual at::Tensor forward(const at::Tensor& inputIds, const at::Tensor& attentionMask) = 0;

    /// "bert" or "transformer".
    virtual std::string architecture() const = 0;
    virtual int64_t numLabels() const = 0;
    /// Every nn::Linear with its parameter prefix: six per encoder layer, in the order
    /// query, key, value, attention output, feed-forward in, feed-forward out; then the
    /// layers after the encoder (pooler, classifier).
    virtual std::vector<NamedLinear> linearLayers() = 0;
    /// Attention heads in each encoder layer (differs per layer after head pruning).
    virtual std::vector<int64_t> headsPerLayer() const = 0;
    /// Feed-forward (intermediate) width of each encoder layer.
    virtual std::vector<int64_t> ffnWidths() const = 0;
    /// The model's config.json (Hugging Face format for BERT).
    virtual std::string configJson() const = 0;

    /// Heads per layer before any head pruning (num_attention_heads / num_heads).
    virtual int64_t configuredHeads() const = 0;
    /// Feed-forward width per layer before any neuron pruning.
    virtual int64_t configuredFfnWidth() const = 0;
    /// Original indices of the heads still present in `layer`, in their current order.
    virtual std::vector<int64_t> presentHeads(int64_t layer) const = 0;

    /// Multiplies the output of each head of `layer` by `mask` ([heads in layer], float,
    /// may require grad); an undefined tensor removes the mask. Used to score heads
    /// (|d loss / d mask|, Michel et al. 2019) and to compare a masked model with a pruned one.
    virtual void setHeadMask(int64_t layer, const at::Tensor& mask) = 0;
    /// The same for the feed-forward neurons of `layer` ([width]), after the activation.
    virtual void setFfnMask(int64_t layer, const at::Tensor& mask) = 0;

    /// Physically removes heads of `layer` (current positions): query/key/value lose their
    /// rows and the attention output its columns; the config records the original indices
    /// (pruned_heads) so a saved folder reloads. Throws tpq::Error for a bad position.
    virtual void pruneHeads(int64_t layer, const std::vector<int64_t>& heads) = 0;
    /// Keeps only the feed-forward neurons `keep` (current positions, ascending) of `layer`;
    /// the config records the new width.
    virtual void pruneFfn(int64_t layer, const std::vector<int64_t>& keep) = 0;

    /// Number of parameter elements (all, or only those with requires_grad).
    int64_t numParameters(bool trainableOnly = false) const;

    /// The 2-D embedding tables, by parameter name ("bert.embeddings.word_embeddings.weight").
    std::vector<std::pair<std::string, at::Tensor>> embeddingTables();
    /// Embedding tables quantized to int8, by parameter name (see Int8Table).
    Int8Tables& int8Embeddings() { return m_int8Embeddings; }
    const Int8Tables& int8Embeddings() const { return m_int8Embeddings; }
    /// True when a linear layer has a kernel or an embedding table is int8.
    bool isQuantized();

    /// While set, forward() checks `cancel` before each encoder layer and throws
    /// tpq::Cancelled: a training step of a larger model takes seconds, and Cancel should
    /// not wait for it to end. nullptr (the default) turns the checks off.
    void setCancellation(const CancellationToken* cancel) { m_cancel = cancel; }

protected:
    void throwIfCancelled() const {
        if (m_cancel) m_cancel->throwIfCancelled();
    }

private:
    Int8Tables m_int8Embeddings;
    const CancellationToken* m_cancel = nullptr;
};

using ClassifierPtr = std::shared_ptr<Classifier>;

}  // namespace tpq
