#pragma once
/// \file int8_kernels.h
/// The int8 building blocks of quantization, on LibTorch's quantized kernels: weights
/// quantized symmetrically to int8 (per output channel or per tensor), a linear layer that
/// runs on prepacked int8 weights with dynamically quantized activations
/// (quantized::linear_prepack + apply_dynamic on the ONEDNN engine), and an embedding
/// table stored as int8 rows with one scale per row.
///
///     Int8Weight q = quantizeWeightInt8(linear->weight, /*perChannel=*/true);
///     Int8Linear fast(q, linear->bias);
///     at::Tensor y = fast.forward(x);  // ~ linear(x), int8 matrix products
///
/// The whole-model workflow (PostTrainingQuantization) builds on these.

#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "models/classifier.h"

namespace tpq {

/// Symmetric int8 weights: w ~= values * scales (per row when per-channel).
struct Int8Weight {
    at::Tensor values;       // int8, the weight's shape
    at::Tensor scales;       // float32 [rows] (per-channel) or [1] (per-tensor); > 0
    bool perChannel = true;  // one scale per output channel (row)
};

/// Quantizes a float weight matrix [out, in] to int8 with scale = max|w| / 127 (per row or
/// for the whole tensor; an all-zero row gets a tiny positive scale). Zeros stay exactly zero.
Int8Weight quantizeWeightInt8(const at::Tensor& weight, bool perChannel = true);

/// values * scales as float32.
at::Tensor dequantize(const Int8Weight& weight);

/// Selects the quantized engine ("onednn" or "qnnpack") for the whole process; throws
/// tpq::Error naming the engines this LibTorch has when it is not available.
void setQuantizedEngine(const std::string& name);
/// The current quantized engine's name ("onednn", "qnnpack", "fbgemm", "x86").
std::string quantizedEngine();

/// An affine quantization of an activation tensor to uint8: x ~= (q - zeroPoint) * scale.
struct QParams {
    double scale = 1.0;     // > 0
    int64_t zeroPoint = 0;  // in [0, 255]
};

/// A linear layer with int8 weights. forward() quantizes its input on the fly (asymmetric
/// uint8 from the input's own min/max: dynamic quantization): on CPUs with AVX2 or AVX-512
/// VNNI with our own kernel (kernels/int8_gemm.h, one scale per input row), elsewhere with LibTorch's
/// quantized::linear_dynamic on the current quantized engine (one scale per tensor).
/// forwardStatic() takes given input and output quantization (quantized::linear). All take
/// and return float32.
class Int8Linear {
public:
    /// What the layer is for: the weight is packed for that path when constructed (the other
    /// path still works; its packing is made on first use).
    enum class Use { Dynamic, Static };
    /// `bias` may be undefined.
    Int8Linear(const Int8Weight& weight, const at::Tensor& bias, Use use = Use::Dynamic);
    ~Int8Linear();
    Int8Linear(Int8Linear&&) noexcept;
    Int8Linear& operator=(Int8Linear&&) noexcept;

    /// x: float [..., in] -> float [..., out], input quantized from its own range.
    at::Tensor forward(const at::Tensor& x) const;
    /// gelu(forward(x)), the GELU applied in the kernel's epilogue when it is ours.
    at::Tensor forwardGelu(const at::Tensor& x) const;
    /// forward(x) of each layer (same input width), x quantized once; empty when our kernel
    /// is not in use (then call forward() on each).
    static std::vector<at::Tensor> forwardShared(const std::vector<const Int8Linear*>& layers, const at::Tensor& x);
    /// forwardStatic(x) of each layer with its own scales, in one pass; empty when the static
    /// form does not run on our kernel here (then call forwardStatic() on each).
    static std::vector<at::Tensor> forwardStaticShared(const std::vector<const Int8Linear*>& layers,
                                                       const std::vector<std::pair<QParams, QParams>>& scales,
                                                       const at::Tensor& x);
    /// second.forward(gelu(first.forward(x))) in one pass where our sparse kernel runs both
    /// (int8gemm::linearGeluLinear); an undefined tensor otherwise.
    static at::Tensor forwardGeluThen(const Int8Linear& first, const Int8Linear& second, const at::Tensor& x);
    /// The same with the input quantized by `input` and the result requantized by `output`
    /// (then GELU when `gelu`): our kernel where int8gemm::staticAvailable(), else
    /// LibTorch's quantized::linear.
    at::Tensor forwardStatic(const at::Tensor& x, QParams input, QParams output, bool gelu = false) const;

    /// Where forward() (or forwardStatic() when `staticForm`) runs: "avx512_vnni", "avx2", "libtorch".
    std::string kernelPath(bool staticForm) const;
    /// The same with, where the weight runs on the sparse kernel, its format and density.
    LayerKernel describe(bool staticForm) const;
    /// The int8 weight (values and scales as given).
    Int8Weight weight() const;
    /// Bytes held: the weight, its packed copies and the bias.
    int64_t memoryBytes() const;

    int64_t inFeatures() const { return m_in; }
    int64_t outFeatures() const { return m_out; }

private:
    at::Tensor forwardDynamic(const at::Tensor& x, bool gelu) const;
    struct Packed;
    std::unique_ptr<Packed> m_packed;
    int64_t m_in = 0, m_out = 0;
};

/// An embedding table as int8 rows with one float16 scale per row (symmetric); a lookup
/// dequantizes only the rows it reads.
struct Int8Embedding : Int8Table {
    static Int8Embedding quantize(const at::Tensor& table);
    /// ids: int64 [...] -> float32 [..., dim].
    at::Tensor lookup(const at::Tensor& ids) const { return lookupInt8(*this, ids); }
};

}  // namespace tpq
