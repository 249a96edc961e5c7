#include "io/model_folder.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include "io/quantized_storage.h"
#include "io/sparse_storage.h"
#include "io/weights_check.h"
#include "models/architecture_config.h"
#include "text/word_vocab_tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json_support.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {

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
    replaceDirectory(tmp.string(), dir);  // the old folder is removed only after the new one is in place
}

namespace {

ModelLoadOptions& processLoadOptions() {
    static ModelLoadOptions options;
    return options;
}

/// The weights of the folder, read whole (sparse tensors expanded, quantized parts taken
/// out), before any model exists.
struct FolderWeights {
    std::string file;
    std::vector<NamedTensor> tensors;
    QuantizedParts quantized;
};

FolderWeights readFolderWeights(const std::string& dir) {
    std::error_code ec;
    const fs::path root(dir);
    const fs::path safetensors = root / "model.safetensors";
    const fs::path bin = root / "pytorch_model.bin";
    FolderWeights w;
    if (fs::exists(safetensors, ec) || fs::is_symlink(safetensors, ec)) {
        w.file = safetensors.string();
        std::map<std::string, std::string> metadata;
        w.tensors = expandSparseTensors(loadSafetensors(w.file, &metadata), metadata, w.file);
        w.quantized = takeQuantizedParts(w.tensors, metadata, w.file);
    } else if (fs::exists(bin, ec) || fs::is_symlink(bin, ec)) {
        w.file = bin.string();
        w.tensors = loadPytorchBin(w.file);
    } else {
        throw Error("model folder " + dir +
                    " has no weights: expected model.safetensors or pytorch_model.bin beside config.json. "
                    "Download them with the model (e.g. from the model's Hugging Face page, files model.safetensors, "
                    "config.json, vocab.txt) or train one with tpq train");
    }
    return w;
}

/// Missing and unexpected weights: an error for a folder tpq wrote; for a Hugging Face
/// folder only the classifier head may be missing, and anything else only with
/// allowMissingWeights. Returns whether the classifier head is missing.
bool checkWeightNames(const StateDictReport& report, bool tpqFolder, const std::string& file,
                      const ModelLoadOptions& options) {
    std::vector<std::string> head, other;
    for (const auto& name : report.missing) (name.rfind("classifier.", 0) == 0 ? head : other).push_back(name);
    const std::string again = "; the folder is damaged: restore it or save the model again";
    if (tpqFolder && !report.missing.empty() && !options.allowMissingWeights)
        throw Error(file + ": " + std::to_string(report.missing.size()) +
                    " weight(s) of the model are not in the file: " + listNames(report.missing) + again +
                    " (--allow-missing-weights runs it with them at random values)");
    if (tpqFolder && !report.unexpected.empty() && !options.allowMissingWeights)
        throw Error(file + ": " + std::to_string(report.unexpected.size()) +
                    " tensor(s) in the file do not belong to the model config.json describes: " +
                    listNames(report.unexpected) + again);
    if (!tpqFolder && !other.empty() && !options.allowMissingWeights)
        throw Error(file + ": " + std::to_string(other.size()) +
                    " weight(s) of the model are not in the file: " + listNames(other) +
                    "; config.json does not match these weights (pass --allow-missing-weights to start them "
                    "from random values, e.g. to fine-tune a partial checkpoint)");
    if (!report.missing.empty())
        logWarning(file + ": " + std::to_string(report.missing.size()) +
                   " weight(s) not in the file start from random values: " + listNames(report.missing) +
                   (head.empty() ? "" : " (the classifier head: fine-tune the model before trusting its answers)"));
    if (!report.unexpected.empty())
        logWarning(file + ": " + std::to_string(report.unexpected.size()) +
                   " tensor(s) in the file are not used by the model: " + listNames(report.unexpected));
    return !head.empty();
}

std::unique_ptr<Tokenizer> loadFolderTokenizer(const fs::path& root, const std::string& dir) {
    std::error_code ec;
    const fs::path vocab = root / "vocab.txt";
    if (!fs::exists(vocab, ec)) {
        throw Error("model folder " + dir +
                    " has no vocab.txt; copy the tokenizer vocabulary the model was trained with");
    }
    bool lowercase = true;
    const fs::path tokConfig = root / "tokenizer_config.json";
    if (fs::exists(tokConfig, ec)) {
        const auto j = parseJsonObject(readFile(tokConfig.string(), "tokenizer config"), tokConfig.string());
        lowercase = jsonBool(j, "do_lower_case", tokConfig.string(), true);
    }
    auto tokenizer = Tokenizer::load(vocab.string());
    if (tokenizer->kind() == "wordpiece" && !lowercase) {
        tokenizer = std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::fromFile(vocab.string(), false));
    }
    return tokenizer;
}

/// tpq.json and vocab.txt against the model: as many label names as outputs, a max length
/// the model has positions for, no token id beyond the embedding table.
void checkFolderAgainstModel(const LoadedModel& m, const fs::path& root) {
    const std::string info = (root / "tpq.json").string();
    if (m.info.present && !m.info.labelNames.empty() && int64_t(m.info.labelNames.size()) != m.model->numLabels())
        throw Error(info + ": label_names has " + std::to_string(m.info.labelNames.size()) +
                    " names but the model's classifier has " + std::to_string(m.model->numLabels()) +
                    " outputs; the folder is damaged: save the model again");
    const auto tables = m.model->embeddingTables();
    if (!tables.empty()) {
        const int64_t rows = tables.front().second.size(0);
        const size_t vocab = m.tokenizer->vocabSize();
        if (int64_t(vocab) > rows)
            throw Error((root / "vocab.txt").string() + ": " + std::to_string(vocab) +
                        " tokens but the model's embedding table has " + std::to_string(rows) +
                        " rows (vocab_size); the vocabulary does not belong to this model: restore its vocab.txt");
    }
}

}  // namespace

ModelLoadOptions ModelLoadOptions::processDefault() {
    return processLoadOptions();
}

void ModelLoadOptions::setProcessDefault(const ModelLoadOptions& options) {
    processLoadOptions() = options;
}

void requireTrainedHead(const LoadedModel& model) {
    if (!model.headMissing || model.missingAllowed) return;
    throw Error(model.weightsFile +
                ": the classifier head (classifier.weight, classifier.bias) is not in the file, so its answers would "
                "be random: fine-tune it first (tpq train with model.pretrained set to this folder), or pass "
                "--allow-missing-weights to run it anyway");
}

LoadedModel loadModelFolder(const std::string& dir, const ModelLoadOptions& options) {
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
    out.info = ModelInfo::read(root.string());  // an unreadable tpq.json is an error, not an unlabeled model
    const ArchitectureConfig config =
        parseArchitectureConfig(readFile(configPath.string(), "model config"), configPath.string());
    FolderWeights weights = readFolderWeights(dir);
    out.weightsFile = weights.file;
    // Sizes first: a damaged config.json must not allocate before it is compared with the file.
    checkConfigAgainstWeights(config, configPath.string(), providedShapes(weights.tensors, weights.quantized),
                              weights.file, !out.info.present);
    checkFiniteWeights(weights.tensors, weights.quantized, weights.file);
    out.model = buildModel(config);
    out.report = loadStateDict(*out.model, weights.tensors, out.weightsFile);
    weights.tensors.clear();
    for (const auto& name : installQuantizedParts(*out.model, std::move(weights.quantized), out.weightsFile)) {
        auto& missing = out.report.missing;
        missing.erase(std::remove(missing.begin(), missing.end(), name), missing.end());
    }
    out.headMissing = checkWeightNames(out.report, out.info.present, out.weightsFile, options);
    out.missingAllowed = options.allowMissingWeights;
    out.tokenizer = loadFolderTokenizer(root, dir);
    // A Hugging Face folder names its labels in config.json's id2label (LABEL_0, ... when
    // the exporter set none): the names predictions are printed with, as transformers does.
    if (out.info.labelNames.empty())
        if (const auto* bert = std::get_if<BertConfig>(&config)) out.info.labelNames = bert->labelNames;
    checkFolderAgainstModel(out, root);
    return out;
}

}  // namespace tpq
