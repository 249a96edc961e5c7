#pragma once
/// \file quantized_linear.h
/// The quantized forms a linear layer can take, as LinearKernels a model runs in place of
/// its float weights, each able to say how it is stored (so a model folder can be saved
/// in that form and reloaded to the same logits):
///   int8 dynamic      int8 weights, inputs quantized per call (per row on our kernels,
///                     kernels/int8_gemm.h; per tensor on LibTorch's ONEDNN elsewhere)
///   int8 static       int8 weights, inputs quantized with a calibrated scale/zero point,
///                     output requantized with a calibrated scale (our AVX2 kernel, else
///                     LibTorch's quantized::linear)
///   int4 weight-only  two weights per byte with one scale per group of inputs; computed as
///                     W4A8 on our AVX2 kernel (nibbles unpacked in registers, inputs
///                     quantized per row); without AVX2 the weight is expanded to float
///   bf16              weights and compute in bfloat16
///   fp16              weights stored in float16, computed in float32 (PyTorch's
///                     quantize_dynamic with dtype=float16)
/// Kernels are the layer below the models (as in CTranslate2: kernels, layers, models):
/// they know nothing of a model's structure.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/classifier.h"
#include "quant/int8_kernels.h"

namespace tpq {

/// Everything about a quantized layer besides its tensors (saved as JSON beside them).
struct QuantizedLayerLayout {
    Precision precision = Precision::Int8;      // Int8, Int4, Bf16 or Fp16
    QuantScheme scheme = QuantScheme::Dynamic;  // how the input is treated
    bool perChannel = true;                     // int8: one weight scale per output channel
    int64_t groupSize = 0;                      // int4: inputs per scale
    QParams input, output;                      // static int8: calibrated activation quantization
};

class QuantizedLinear : public LinearKernel {
public:
    Precision precision() const override { return layout().precision; }
    virtual const QuantizedLayerLayout& layout() const = 0;
    /// The tensors that store the weight, by suffix: {"q", values} and, when scaled, {"scale", scales}.
    virtual std::vector<std::pair<std::string, at::Tensor>> storedWeight() const = 0;
    /// Bytes of storedWeight().
    int64_t storedBytes() const;
};
using QuantizedLinearPtr = std::shared_ptr<const QuantizedLinear>;

/// int4 weights: w[o, i] ~= (nibble - 8) * scales[o, i / groupSize], values in [-7, 7];
/// two per byte (the even input in the low nibble).
struct Int4Weight {
    at::Tensor packed;  // uint8 [out, in / 2]
    at::Tensor scales;  // float32 [out, in / groupSize]
    int64_t groupSize = 32;
};

/// Quantizes [out, in] to int4 with scale = max|w| / 7 per group of `groupSize` inputs.
/// Throws tpq::Error when `groupSize` is not even and positive or `in` is not a multiple
/// of it (saying which sizes would work). Zeros stay zero; a tiny non-zero weight becomes +-1.
Int4Weight quantizeWeightInt4(const at::Tensor& weight, int64_t groupSize);
at::Tensor dequantize(const Int4Weight& weight);

QuantizedLinearPtr makeDynamicInt8Linear(const Int8Weight& weight, const at::Tensor& bias);
/// `input` quantizes the layer's input, `output` its result (dequantized to float after).
QuantizedLinearPtr makeStaticInt8Linear(const Int8Weight& weight, const at::Tensor& bias, QParams input,
                                        QParams output);
QuantizedLinearPtr makeInt4Linear(const Int4Weight& weight, const at::Tensor& bias);
/// `precision` Bf16 or Fp16.
QuantizedLinearPtr makeHalfLinear(const at::Tensor& weight, const at::Tensor& bias, Precision precision);

/// Rebuilds a kernel from what storedWeight() gave and the layout. Throws tpq::Error
/// naming `where` for a missing or mis-shaped tensor or an unknown precision/scheme.
QuantizedLinearPtr restoreQuantizedLinear(const QuantizedLayerLayout& layout,
                                          const std::vector<std::pair<std::string, at::Tensor>>& stored,
                                          const at::Tensor& bias, const std::string& where);

/// The precisions a layer can be given, for error messages and validation.

}  // namespace tpq
