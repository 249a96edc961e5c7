#pragma once
/// \file onnx_export.h
/// ONNX export of BERT and the custom Transformer (model_export.h's `--format onnx`):
/// inputs `input_ids` and `attention_mask` (int64 [batch, sequence], both dynamic), output
/// `logits` (float [batch, labels]), the default domain at opsets 11 to 17, checked with
/// onnx::checker. Each linear layer in the form of its precision:
///   fp32            MatMul (weight transposed once) + Add
///   int8 dynamic    DynamicQuantizeLinear + MatMulInteger + Cast + Mul (input scale x the
///                   per-channel weight scales) + Add: what ONNX Runtime fuses into
///                   DynamicQuantizeMatMul; inputs quantized per tensor (ours: per token)
///   int8 static/QAT QuantizeLinear/DequantizeLinear pairs with the calibrated input and
///                   output scales around MatMul over a per-channel DequantizeLinear of the
///                   int8 weight (the QDQ form); needs opset 13
///   bf16/fp16       the half-precision weight and a Cast to float before the MatMul
///   int4            its values (-7..7) as int8 [in / g, g, out] and the group scales, dequantized
///                   in the graph (Cast, Mul, Reshape): exact; no 4-bit type before opset 21
/// int8 embedding tables are a Gather over a per-row DequantizeLinear of the int8 table;
/// sparse (bitmask) folders are written dense. Structured pruning's uneven head counts and
/// feed-forward widths are just shapes.

#include <string>

#include "export/model_export.h"

namespace tpq {

class Classifier;

/// The ONNX bytes of `model` (eval mode, no gradients; `version` is the producer's version);
/// fills report.layers and adds what was approximated to report.notes. Throws tpq::Error for an opset outside 11-17,
/// int8 layers below opset 13, or a model over the 2 GB a protobuf can hold.
std::string exportOnnx(Classifier& model, int opset, ExportReport& report, const std::string& version);

}  // namespace tpq
