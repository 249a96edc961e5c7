#include "export/model_export.h"

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "export/onnx_export.h"
#include "io/model_folder.h"
#include "models/bert_model.h"
#include "models/safetensors.h"
#include "models/state_dict.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

using Json = nlohmann::ordered_json;

// Refuses an output that exists unless forced, and makes sure its parent folder exists.
void checkOutput(const ExportOptions& options) {
    if (options.output.empty())
        throw Error("give the output with --output (a folder for hf; a .onnx file or a folder for onnx)");
    std::error_code ec;
    if (fs::exists(options.output, ec) && !options.force)
        throw Error(options.output + " exists; pass --force to replace it, or choose another --output");
    const fs::path parent = fs::path(options.output).parent_path();
    if (!parent.empty()) ensureDirectory(parent.string());
}

// The float weight a layer computes with: the kernel's dequantized one for a quantized layer.
at::Tensor floatWeight(const NamedLinear& l) {
    if (l.kernel && *l.kernel) return (*l.kernel)->dequantizedWeight().to(torch::kFloat32).contiguous();
    return l.linear->weight.detach().to(torch::kFloat32).contiguous();
}

// Every tensor of the model in fp32 under its name, quantized layers and int8 embedding
// tables dequantized (their float parameters were released).
std::map<std::string, at::Tensor> floatTensors(Classifier& model, ExportReport& report) {
    std::map<std::string, at::Tensor> out;
    for (const NamedTensor& t : stateDict(model)) out[t.name] = t.tensor.to(torch::kFloat32).contiguous();
    for (const NamedLinear& l : model.linearLayers()) {
        out[l.name + ".weight"] = floatWeight(l);
        const LayerKernel k = layerKernel(l);
        report.layers.push_back({l.name, k.precision, "fp32"});
    }
    bool dequantized = false;
    for (const auto& [name, table] : model.int8Embeddings()) {
        out[name] = (table.values.to(torch::kFloat32) * table.scales.to(torch::kFloat32).unsqueeze(1)).contiguous();
        dequantized = true;
    }
    for (const auto& l : report.layers) dequantized = dequantized || l.precision != "fp32";
    if (dequantized)
        report.notes.push_back(
            "quantized layers and embedding tables were dequantized to fp32 (the values the quantized model computes "
            "with; a Hugging Face folder has no int8 layout)");
    return out;
}

// Feed-forward layers pruned to fewer neurons, padded back to the uniform width with zero
// weights in and out: the padded neurons add exactly nothing (their input weights and bias
// are 0, GELU(0) = 0, and their output weights are 0).
void padFeedForward(const BertConfig& config, std::map<std::string, at::Tensor>& tensors, ExportReport& report) {
    if (config.intermediateSizes.empty()) return;
    std::vector<std::string> widths;
    for (int64_t layer = 0; layer < config.numHiddenLayers; ++layer) {
        const int64_t width = config.intermediateInLayer(layer), full = config.intermediateSize;
        widths.push_back(std::to_string(width));
        if (width == full) continue;
        const std::string p = "bert.encoder.layer." + std::to_string(layer);
        at::Tensor& in = tensors.at(p + ".intermediate.dense.weight");
        at::Tensor& bias = tensors.at(p + ".intermediate.dense.bias");
        at::Tensor& out = tensors.at(p + ".output.dense.weight");
        in = torch::constant_pad_nd(in, {0, 0, 0, full - width}).contiguous();
        bias = torch::constant_pad_nd(bias, {0, full - width}).contiguous();
        out = torch::constant_pad_nd(out, {0, full - width}).contiguous();
    }
    report.notes.push_back("feed-forward layers pruned to fewer neurons were zero-padded back to intermediate_size " +
                           std::to_string(config.intermediateSize) +
                           " (exact); their real widths: " + join(widths, ", "));
}

void exportHuggingFace(LoadedModel& loaded, const ExportOptions& options, ExportReport& report) {
    auto* bert = dynamic_cast<BertModel*>(loaded.model.get());
    if (!bert)
        throw Error(
            "the custom Transformer has no Hugging Face architecture, so no Hugging Face folder can hold it "
            "(--format hf is for BERT models); export it as ONNX with --format onnx");
    BertConfig config = bert->config();
    if (!loaded.info.labelNames.empty()) config.labelNames = loaded.info.labelNames;
    std::map<std::string, at::Tensor> tensors = floatTensors(*bert, report);
    padFeedForward(config, tensors, report);
    config.intermediateSizes.clear();
    if (!config.prunedHeads.empty())
        report.notes.push_back(
            "attention heads removed by structured pruning are listed in config.json's pruned_heads, with the smaller "
            "query/key/value/output tensors, as transformers' save_pretrained writes them");
    const fs::path tmp = fs::path(options.output + ".tmp-export");
    std::error_code ec;
    fs::remove_all(tmp, ec);
    ensureDirectory(tmp.string());
    try {
        writeFileAtomic((tmp / "config.json").string(), config.toJson());
        std::vector<NamedTensor> named;
        for (auto& [name, t] : tensors) named.push_back({name, t});
        saveSafetensors((tmp / "model.safetensors").string(), named, {{"format", "pt"}});
        loaded.tokenizer->save((tmp / "vocab.txt").string());
        const auto* wordpiece = dynamic_cast<const WordPieceTokenizer*>(loaded.tokenizer.get());
        const Json tokenizerConfig = {{"tokenizer_class", "BertTokenizer"},
                                      {"do_lower_case", wordpiece ? wordpiece->lowercase() : true},
                                      {"model_max_length", config.maxPositionEmbeddings}};
        writeFileAtomic((tmp / "tokenizer_config.json").string(), tokenizerConfig.dump(2) + "\n");
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    replaceDirectory(tmp.string(), options.output);
    report.output = options.output;
    report.exportJson = (fs::path(options.output) / "export.json").string();
}

bool endsWithOnnx(const std::string& path) {
    return fs::path(path).extension() == ".onnx";
}

void exportOnnxFile(const std::string& modelDir, LoadedModel& loaded, const ExportOptions& options,
                    ExportReport& report) {
    // The file, and the folder export.json and vocab.txt go into.
    const bool file = endsWithOnnx(options.output);
    const fs::path onnxPath = file ? fs::path(options.output) : fs::path(options.output) / "model.onnx";
    const fs::path folder = onnxPath.has_parent_path() ? onnxPath.parent_path() : fs::path(".");
    const std::string bytes = exportOnnx(*loaded.model, options.opset, report, TPQ_VERSION);
    // A folder is written beside as <folder>.export-tmp and then put in place: a failure
    // leaves a folder that --force would replace as it was.
    const fs::path writeTo = file ? folder : fs::path(options.output + ".export-tmp");
    std::error_code ec;
    if (!file) fs::remove_all(writeTo, ec);
    try {
        ensureDirectory(writeTo.string());
        writeFileAtomic((writeTo / onnxPath.filename()).string(), bytes);
        loaded.tokenizer->save((writeTo / "vocab.txt").string());
        if (!loaded.info.labelNames.empty()) {
            const Json labels = loaded.info.labelNames;
            writeFileAtomic((writeTo / "labels.json").string(), labels.dump() + "\n");
        }
    } catch (...) {
        if (!file) fs::remove_all(writeTo, ec);
        throw;
    }
    if (!file) replaceDirectory(writeTo.string(), options.output);
    report.output = onnxPath.string();
    report.exportJson = (folder / "export.json").string();
    logInfo("wrote " + onnxPath.string() + " (" + formatBytes(double(bytes.size())) + ", opset " +
            std::to_string(options.opset) + ") from " + modelDir);
}

void writeExportJson(const std::string& modelDir, const ExportOptions& options, const ExportReport& report) {
    Json j;
    j["source_model"] = modelDir;
    j["format"] = exportFormatName(options.format);
    if (options.format == ExportFormat::Onnx) j["opset"] = options.opset;
    j["output"] = report.output;
    Json layers = Json::object();
    for (const auto& l : report.layers) layers[l.name] = {{"precision", l.precision}, {"exported_as", l.exportedAs}};
    j["layers"] = layers;
    j["notes"] = report.notes;
    writeFileAtomic(report.exportJson, j.dump(2) + "\n");
}

}  // namespace

const char* exportFormatName(ExportFormat f) {
    return f == ExportFormat::HuggingFace ? "hf" : "onnx";
}

std::optional<ExportFormat> parseExportFormat(std::string_view name) {
    if (name == "hf" || name == "huggingface") return ExportFormat::HuggingFace;
    if (name == "onnx") return ExportFormat::Onnx;
    return std::nullopt;
}

ExportReport exportModel(const std::string& modelDir, const ExportOptions& given) {
    ExportOptions options = given;
    // "out/" names the folder out: the temporary folder beside it is out.export-tmp, not
    // inside it.
    while (options.output.size() > 1 && options.output.back() == '/') options.output.pop_back();
    checkOutput(options);
    LoadedModel loaded = loadModelFolder(modelDir);
    requireTrainedHead(loaded);
    torch::NoGradGuard noGrad;
    ExportReport report;
    if (options.format == ExportFormat::HuggingFace)
        exportHuggingFace(loaded, options, report);
    else
        exportOnnxFile(modelDir, loaded, options, report);
    writeExportJson(modelDir, options, report);  // the caller shows report.notes
    return report;
}

}  // namespace tpq
