#include "experiment/train_run.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "data/dataset_loader.h"
#include "experiment/pipeline.h"
#include "io/model_folder.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "text/encode_dataset.h"
#include "train/data_parallel.h"
#include "train/evaluator.h"
#include "train/model_size.h"
#include "train/sparsity.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"
#include "util/system_info.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

// The folder of a pretrained model: model.path, else $TPQ_MODEL_DIR/<name>, else "".
std::string pretrainedFolder(const ExperimentConfig& config) {
    if (!config.model.path.empty()) return config.model.path;
    if (const char* env = std::getenv("TPQ_MODEL_DIR"); env && *env) {
        const fs::path p = fs::path(env) / config.model.name;
        if (fs::is_directory(p)) return p.string();
    }
    return {};
}

struct Built {
    ClassifierPtr model;
    std::unique_ptr<Tokenizer> tokenizer;
};

Built buildModel(const ExperimentConfig& config, const DatasetSplits& splits) {
    const auto& labels = splits.train.labelNames();
    Built out;
    const std::string folder = pretrainedFolder(config);
    if (!folder.empty()) {
        LoadedModel loaded = loadModelFolder(folder);
        if (loaded.model->numLabels() != int64_t(labels.size()) && loaded.model->architecture() == "bert") {
            // A pretrained encoder with a head of another size: keep the encoder, new head.
            BertConfig bc = static_cast<BertModel&>(*loaded.model).config();
            bc.labelNames = labels;
            auto fresh = std::make_shared<BertModel>(bc);
            std::vector<NamedTensor> tensors;
            for (auto& t : stateDict(*loaded.model)) {
                if (!startsWith(t.name, "classifier.")) tensors.push_back(std::move(t));
            }
            loadStateDict(*fresh, tensors, loaded.weightsFile);
            loaded.model = fresh;
            logInfo("new classification head for " + std::to_string(labels.size()) + " labels");
        } else if (loaded.model->numLabels() != int64_t(labels.size())) {
            throw Error("model " + folder + " predicts " + std::to_string(loaded.model->numLabels()) +
                        " classes but the dataset has " + std::to_string(labels.size()));
        }
        logInfo("fine-tuning the model in " + folder);
        out.model = loaded.model;
        out.tokenizer = std::move(loaded.tokenizer);
        return out;
    }
    if (config.model.name == "bert-base-uncased") {
        throw Error(
            "model.name bert-base-uncased needs its pretrained weights: set model.path (or TPQ_MODEL_DIR) to a "
            "folder with config.json, vocab.txt and model.safetensors or pytorch_model.bin (download them from "
            "the bert-base-uncased page on Hugging Face); to train from scratch on this CPU use a smaller "
            "preset (bert-mini, bert-tiny) or model.name: transformer");
    }
    out.tokenizer = createTokenizer(config, &splits.train);
    if (config.model.name == "transformer") {
        TransformerConfig tc;
        tc.vocabSize = int64_t(out.tokenizer->vocabSize());
        tc.dModel = config.model.dModel;
        tc.numHeads = config.model.numHeads;
        tc.numLayers = config.model.numLayers;
        tc.dFf = config.model.dFf;
        tc.maxLen = config.model.maxLen;
        tc.dropout = config.model.dropout;
        tc.pooling = config.model.pooling;
        tc.padTokenId = out.tokenizer->padId();
        tc.labelNames = labels;
        out.model = std::make_shared<TransformerModel>(tc);
    } else {
        BertConfig bc = BertConfig::preset(config.model.name, int64_t(labels.size()));
        bc.labelNames = labels;
        bc.vocabSize = int64_t(out.tokenizer->vocabSize());
        bc.padTokenId = out.tokenizer->padId();
        bc.maxPositionEmbeddings = std::max<int64_t>(512, config.maxLength);
        logInfo(config.model.name + " trained from scratch (no pretrained folder in model.path or $TPQ_MODEL_DIR)");
        out.model = std::make_shared<BertModel>(bc);
    }
    return out;
}

ModelInfo modelInfo(const ExperimentConfig& config, const std::vector<std::string>& labels, const RunResult* result) {
    ModelInfo info;
    info.labelNames = labels;
    info.maxLength = config.maxLength;
    info.trainingConfig = config.toYaml();
    if (result) info.metrics = nlohmann::ordered_json::parse(result->toJson());
    return info;
}

}  // namespace

TrainerOptions trainerOptions(const TrainingConfig& training) {
    TrainerOptions options;
    options.epochs = training.epochs;
    options.learningRate = training.learningRate;
    options.weightDecay = training.weightDecay;
    options.warmupRatio = training.warmupRatio;
    options.maxGradNorm = training.maxGradNorm;
    options.gradientAccumulationSteps = training.gradientAccumulationSteps;
    options.earlyStoppingPatience = training.earlyStoppingPatience;
    return options;
}

void measureModel(Classifier& model, int64_t seqLen, int64_t vocabLimit, RunResult& result, bool latency) {
    const ModelSize size = ModelSizeCalculator::measure(model);
    result.numParameters = size.totalParameters;
    result.nonzeroParameters = size.nonzeroParameters;
    result.sparsity = calculateSparsity(model).overall;
    result.kernelPath = modelKernelPath(model);
    result.layerKernels.clear();
    for (const NamedLinear& l : model.linearLayers()) result.layerKernels.emplace_back(l.name, layerKernel(l));
    result.notes = speedNotes(model);
    if (latency) {
        result.latency = InferenceTimer(model).measure(8, seqLen, 20, 3, vocabLimit);
        result.latencyBatch1 = InferenceTimer(model).measure(1, seqLen, 20, 3, vocabLimit);
    }
}

void measureLatencySideBySide(Classifier& a, Classifier& b, int64_t seqLen, int64_t vocabLimit, LatencyStats& la,
                              LatencyStats& lb, const CancellationToken* cancel, int64_t batchSize) {
    constexpr int kRounds = 3;
    for (int round = 0; round < kRounds; ++round) {
        const LatencyStats ra = InferenceTimer(a).measure(batchSize, seqLen, 10, 2, vocabLimit, cancel);
        const LatencyStats rb = InferenceTimer(b).measure(batchSize, seqLen, 10, 2, vocabLimit, cancel);
        if (round == 0 || ra.p50Ms < la.p50Ms) la = ra;
        if (round == 0 || rb.p50Ms < lb.p50Ms) lb = rb;
    }
}

void prepareRun(const ExperimentConfig& config) {
    setNumThreads(config.threads);
    torch::manual_seed(config.seed);
}

TestSplit loadTestSplit(const LoadedModel& loaded, const ExperimentConfig& config, const TrainRunCallbacks& callbacks) {
    prepareRun(config);
    const DatasetSplits splits = loadAndSplit(config.data, config.seed, {callbacks.loading, callbacks.cancel});
    if (loaded.model->numLabels() != int64_t(splits.test.numClasses())) {
        throw Error("the model predicts " + std::to_string(loaded.model->numLabels()) + " classes but the data has " +
                    std::to_string(splits.test.numClasses()));
    }
    return {
        DataLoader(encodeTexts(*loaded.tokenizer, splits.test.texts(), size_t(config.maxLength)), splits.test.labels(),
                   loaded.tokenizer->padId(), size_t(config.training.evalBatchSize), false, config.seed),
        splits.test.labelNames()};
}

Evaluator::DetailedReport evaluateOnTestSplit(LoadedModel& loaded, const ExperimentConfig& config,
                                              const TrainRunCallbacks& callbacks) {
    TestSplit test = loadTestSplit(loaded, config, callbacks);
    return Evaluator(*loaded.model).evaluateDetailed(test.loader, test.labelNames, callbacks.cancel);
}

namespace {

/// A fresh staging folder for a new run; on --resume the one the interrupted run left
/// (its best epoch so far), or a copy of the model it saved before staging existed.
void prepareStaging(const std::string& stagingDir, const std::string& modelDir, bool resume) {
    std::error_code ec;
    if (!resume) {
        fs::remove_all(stagingDir, ec);
        return;
    }
    if (!fs::exists(stagingDir, ec) && fs::is_directory(modelDir, ec)) {
        fs::copy(modelDir, stagingDir, fs::copy_options::recursive, ec);
        if (ec) throw Error("cannot copy " + modelDir + " to " + stagingDir + " to resume: " + ec.message());
    }
}

}  // namespace

bool writesResults(const TrainRunCallbacks& callbacks) {
    return !callbacks.group || callbacks.group->rank() == 0;
}

RunResult runTraining(const ExperimentConfig& config, bool resume, const TrainRunCallbacks& callbacks) {
    DataParallel* const group = callbacks.group;
    const bool writer = writesResults(callbacks);
    checkRunName(config.name, config.locationOf("name"));
    prepareRun(config);
    const DatasetSplits splits = loadAndSplit(config.data, config.seed, {callbacks.loading, callbacks.cancel});
    for (const auto& w : splits.warnings) logWarning(w);
    const auto& labels = splits.train.labelNames();
    if (config.model.path.empty() && config.model.numLabels != int64_t(labels.size())) {
        auto it = config.locations.find("model.num_labels");
        throw Error((it == config.locations.end() ? std::string() : it->second + ": ") + "model.num_labels is " +
                    std::to_string(config.model.numLabels) + " but the dataset has " + std::to_string(labels.size()) +
                    " classes (" + join(labels, ", ") + "); set model.num_labels: " + std::to_string(labels.size()));
    }
    torch::manual_seed(config.seed);
    Built built = buildModel(config, splits);
    Classifier& model = *built.model;
    const Tokenizer& tokenizer = *built.tokenizer;
    logInfo(model.architecture() + " with " + std::to_string(model.numParameters()) + " parameters, " +
            tokenizer.kind() + " tokenizer (" + std::to_string(tokenizer.vocabSize()) + " tokens)");

    const size_t maxLength = size_t(config.maxLength);
    DataLoader train(encodeTexts(tokenizer, splits.train.texts(), maxLength), splits.train.labels(), tokenizer.padId(),
                     size_t(config.training.batchSize), true, config.seed);
    train.setGroupByLength(config.training.groupByLength);
    DataLoader validation(encodeTexts(tokenizer, splits.validation.texts(), maxLength), splits.validation.labels(),
                          tokenizer.padId(), size_t(config.training.evalBatchSize), false, config.seed);
    DataLoader test(encodeTexts(tokenizer, splits.test.texts(), maxLength), splits.test.labels(), tokenizer.padId(),
                    size_t(config.training.evalBatchSize), false, config.seed);

    const std::string modelDir = (fs::path(config.output.checkpointDir) / config.name).string();
    const std::string resultsDir = (fs::path(config.output.resultsDir) / config.name).string();
    // The output folders are checked before the first epoch, and the best checkpoint goes to
    // <model>.training/ until everything succeeded: a failed re-train leaves the previous
    // model as it was.
    const std::string stagingDir = modelDir + ".training";
    if (writer) {
        checkWritableDirectory(resultsDir, "the results folder");
        checkWritableDirectory(config.output.checkpointDir, "the checkpoint folder");
        prepareStaging(stagingDir, modelDir, resume);
    }
    TrainerOptions options = trainerOptions(config.training);
    options.resumeDir = modelDir + ".resume";
    options.resume = resume;
    options.dataParallel = group;
    Trainer trainer(model, options);
    const auto start = std::chrono::steady_clock::now();
    const TrainHistory history =
        trainer.train(train, validation, callbacks.training, callbacks.cancel, [&](int, const EpochRecord&) {
            if (writer) saveModelFolder(stagingDir, model, tokenizer, modelInfo(config, labels, nullptr));
        });
    const double trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!writer) {
        RunResult r;
        r.runId = config.name;
        return r;
    }

    // Test the best checkpoint, as saved.
    LoadedModel best = loadModelFolder(stagingDir);
    Evaluator evaluator(*best.model);
    RunResult result;
    result.runId = config.name;
    result.modelDir = modelDir;
    result.labelNames = labels;
    result.test = evaluator.evaluate(test, callbacks.cancel);
    measureModel(*best.model, int64_t(maxLength), int64_t(tokenizer.vocabSize()), result);
    result.trainSeconds = trainSeconds;
    // Rewrite tpq.json with the test metrics, then measure the folder as saved.
    writeFileAtomic((fs::path(stagingDir) / "tpq.json").string(), modelInfo(config, labels, &result).toJson());
    result.sizeBytes = ModelSizeCalculator::folderBytes(stagingDir);
    writeFileAtomic((fs::path(resultsDir) / "history.csv").string(), history.toCsv());
    writeFileAtomic((fs::path(resultsDir) / "result.json").string(), result.toJson());
    replaceDirectory(stagingDir, modelDir);
    logInfo("test accuracy " + formatFixed(result.test.accuracy, 4) + ", F1 " + formatFixed(result.test.f1, 4) +
            "; model in " + modelDir + ", results in " + resultsDir);
    return result;
}

}  // namespace tpq
