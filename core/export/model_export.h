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
///         Face architecture: refused.
///
///     const ExportReport r = exportModel("checkpoints/quickstart", {ExportFormat::HuggingFace, "out/hf"});

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tpq {

enum class ExportFormat { HuggingFace };
const char* exportFormatName(ExportFormat f);  // "hf"
std::optional<ExportFormat> parseExportFormat(std::string_view name);

struct ExportOptions {
    ExportFormat format = ExportFormat::HuggingFace;
    std::string output;  // hf: the folder to write (export.json goes into it)
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
/// existing without force, an architecture the format cannot hold, a folder that does not load.
ExportReport exportModel(const std::string& modelDir, const ExportOptions& options);

}  // namespace tpq
