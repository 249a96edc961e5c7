#include "io/model_folder.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include "io/quantized_storage.h"
#include "io/sparse_storage.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "text/word_vocab_tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {

ClassifierPtr createModelFromConfig(const std::string& configJson, const std::string& source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(configJson);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(source + ": not valid JSON (" + e.what() + ")");
    }
    const std::string type = j.is_object() ? j.value("model_type", "") : "";
    if (type == "bert") return std::make_shared<BertModel>(BertConfig::fromJson(configJson, source));
    if (type == "tpq-transformer") {
        return std::make_shared<TransformerModel>(TransformerConfig::fromJson(configJson, source));
    }
    throw Error(source + ": model_type '" + type + "' is not supported (bert or tpq-transformer)");
}

void saveModelFolder(const std::string& dir, Classifier& model, const Tokenizer& tokenizer, const ModelInfo& info,
                     const ModelSaveOptions& options) {
    const fs::path target(dir);
    if (target.has_parent_path()) ensureDirectory(target.parent_path().string());
    const fs::path tmp = fs::path(dir + ".tmp-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(tmp, ec);
    ensureDirectory(tmp.string());
    try {
        writeFileAtomic((tmp / "config.json").string(), model.configJson());
        std::map<std::string, std::string> metadata = {{"format", "pt"}};
        std::vector<NamedTensor> tensors = stateDict(model);
        int quantized = 0;
        tensors = packQuantizedWeights(model, tensors, metadata, &quantized);
        int compressed = 0;
        if (options.compactSparse) tensors = compressSparseTensors(tensors, metadata, 0.9, 256, &compressed);
        saveSafetensors((tmp / "model.safetensors").string(), tensors, metadata);
        tokenizer.save((tmp / "vocab.txt").string());
        ModelInfo saved = info;
        saved.weightsStorage = nullptr;  // this save's own
        if (compressed > 0 || quantized > 0) {
            auto& storage = saved.weightsStorage;
            if (compressed > 0) storage["format"] = kSparseFormat, storage["sparse_tensors"] = compressed;
            if (quantized > 0) storage["quant_format"] = kQuantFormat, storage["quantized_tensors"] = quantized;
        }
        writeFileAtomic((tmp / "tpq.json").string(), saved.toJson());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    // Swap in the new folder; the old one is removed only after the new one is in place.
    const fs::path old = fs::path(dir + ".old-" + std::to_string(::getpid()));
    const bool hadOld = fs::exists(target, ec);
    if (hadOld) {
        fs::rename(target, old, ec);
        if (ec) throw Error("cannot replace model folder " + dir + ": " + ec.message());
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        if (hadOld) fs::rename(old, target, ec);
        throw Error("cannot write model folder " + dir + ": " + ec.message());
    }
    if (hadOld) fs::remove_all(old, ec);
}

LoadedModel loadModelFolder(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error("model folder not found: " + dir +
                    " (a model folder holds config.json, vocab.txt and model.safetensors or pytorch_model.bin)");
    }
    const fs::path root(dir);
    const fs::path configPath = root / "config.json";
    if (!fs::exists(configPath, ec)) {
        throw Error("model folder " + dir +
                    " has no config.json; it needs config.json, vocab.txt and "
                    "model.safetensors or pytorch_model.bin (as saved by tpq train or Hugging Face save_pretrained)");
    }
    LoadedModel out;
    out.model = createModelFromConfig(readFile(configPath.string(), "model config"), configPath.string());

    const fs::path safetensors = root / "model.safetensors";
    const fs::path bin = root / "pytorch_model.bin";
    std::vector<NamedTensor> tensors;
    QuantizedParts quantized;
    if (fs::exists(safetensors, ec)) {
        out.weightsFile = safetensors.string();
        std::map<std::string, std::string> metadata;
        tensors = expandSparseTensors(loadSafetensors(out.weightsFile, &metadata), metadata, out.weightsFile);
        quantized = takeQuantizedParts(tensors, metadata, out.weightsFile);
    } else if (fs::exists(bin, ec)) {
        out.weightsFile = bin.string();
        tensors = loadPytorchBin(out.weightsFile);
    } else {
        throw Error("model folder " + dir +
                    " has no weights: expected model.safetensors or pytorch_model.bin beside config.json. "
                    "Download them with the model (e.g. from the model's Hugging Face page, files model.safetensors, "
                    "config.json, vocab.txt) or train one with tpq train");
    }
    out.report = loadStateDict(*out.model, tensors, out.weightsFile);
    for (const auto& name : installQuantizedParts(*out.model, std::move(quantized), out.weightsFile)) {
        auto& missing = out.report.missing;
        missing.erase(std::remove(missing.begin(), missing.end(), name), missing.end());
    }
    if (!out.report.missing.empty()) {
        logWarning(out.weightsFile + ": " + std::to_string(out.report.missing.size()) +
                   " model weight(s) not in the file, left at their initial values: " + join(out.report.missing, ", "));
    }
    if (!out.report.unexpected.empty()) {
        logWarning(out.weightsFile + ": " + std::to_string(out.report.unexpected.size()) +
                   " tensor(s) in the file are not used by the model: " + join(out.report.unexpected, ", "));
    }

    const fs::path vocab = root / "vocab.txt";
    if (!fs::exists(vocab, ec)) {
        throw Error("model folder " + dir +
                    " has no vocab.txt; copy the tokenizer vocabulary the model was trained with");
    }
    bool lowercase = true;
    const fs::path tokConfig = root / "tokenizer_config.json";
    if (fs::exists(tokConfig, ec)) {
        try {
            const auto j = nlohmann::json::parse(readFile(tokConfig.string()));
            lowercase = j.value("do_lower_case", true);
        } catch (const nlohmann::json::exception& e) {
            throw Error(tokConfig.string() + ": not valid JSON (" + e.what() + ")");
        }
    }
    auto tokenizer = Tokenizer::load(vocab.string());
    if (tokenizer->kind() == "wordpiece" && !lowercase) {
        tokenizer = std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::fromFile(vocab.string(), false));
    }
    out.tokenizer = std::move(tokenizer);
    out.info = ModelInfo::read(root.string());
    return out;
}

}  // namespace tpq
