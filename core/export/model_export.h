#pragma once
/// \file model_export.h
/// `tpq export`: a model folder written for another tool, and an `export.json` beside it
/// saying what it came from, the precision of each layer, the opset and what was
/// approximated.
///   hf    a Hugging Face BERT folder (config.json with id2label/label2id and pruned_heads,
///         vocab.txt, model.safetensors with Hugging Face names) that transformers v4 and any
///         BERT loader read: head-pruned layers keep their smaller tensors (pruned_heads, as
///         save_pretrained writes them); feed-forward layers pruned to fewer neurons are
///         padded back to the uniform intermediate_size with zero weights in and out (exact);
///         quantized layers are dequantized to fp32. The custom Transformer has no Hugging
///         Face architecture: refused, pointing to ONNX.
///   onnx  an ONNX model (export/onnx_export.h) of BERT or the custom Transformer, quantized
///         layers in ONNX's int8 forms; `output` is the .onnx file (export.json and vocab.txt
///         go beside it), or a folder that gets model.onnx, export.json and vocab.txt.
///
///     const ExportReport r = exportModel("checkpoints/quickstart", {ExportFormat::HuggingFace, "out/hf"});

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tpq {

enum class ExportFormat { Onnx, HuggingFace };
const char* exportFormatName(ExportFormat f);  // "onnx", "hf"
std::optional<ExportFormat> parseExportFormat(std::string_view name);

struct ExportOptions {
    ExportFormat format = ExportFormat::Onnx;
    std::string output;  // hf: the folder to write; onnx: the .onnx file, or a folder for model.onnx
    int opset = 17;      // onnx: opset of the default domain, 11 to 17 (int8 layers: 13 or later)
    bool force = false;  // replace `output` when it exists
};

/// One layer as the export wrote it.
struct ExportedLayer {
    std::string name;        // the model's layer name
    std::string precision;   // in the model: fp32, int8, int4, bf16, fp16
    std::string exportedAs;  // in the file: "fp32", "int8 (DynamicQuantizeLinear + MatMulInteger)", ...
};

struct ExportReport {
    std::string output;                 // the folder written
    std::string exportJson;             // the export.json written beside it
    std::vector<ExportedLayer> layers;  // every linear layer
    std::vector<std::string> notes;     // what was approximated or changed, one sentence each
};

/// Exports the model folder `modelDir`. Throws tpq::Error naming the problem: `output`
/// existing without force, an architecture the format cannot hold, an opset out of range or
/// too low for the model's int8 layers, a folder that does not load.
ExportReport exportModel(const std::string& modelDir, const ExportOptions& options);

}  // namespace tpq
