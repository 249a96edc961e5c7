#include "experiment/quant_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "experiment/compression_run.h"
#include "quant/mixed_precision_quantization.h"
#include "quant/post_training_quantization.h"
#include "quant/quantization_aware_training.h"
#include "train/evaluator.h"
#include "train/model_size.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

using namespace detail;

// Options of any quantization method with the config's scope: skip list, embeddings, engine.
template <class Options>
Options scoped(const QuantizationConfig& q) {
    Options o;
    o.skip = q.skipLayers;
    o.quantizeEmbeddings = q.quantizeEmbeddings;
    o.engine = q.backend;
    return o;
}

// Saves the quantized model, records its report and sizes, and finishes the run.
void saveAndFinish(const CompressionContext& c, const ExperimentConfig& config, Classifier& model,
                   const ModelInfo& sourceInfo, const QuantizationReport& report, nlohmann::ordered_json step,
                   const TrainRunCallbacks& callbacks, RunResult& result) {
    if (!writesResults(callbacks)) return;  // rank 0 of a data-parallel run writes
    saveModelFolder(result.modelDir, model, *c.base.tokenizer, sourceInfo);
    result.precisionMap = report.precisionMap;
    const Fp32Comparison sizes = PostTrainingQuantization::compareWithFp32(*c.base.model, model);
    result.memoryBytes = sizes.quantizedMemoryBytes;
    result.baselineMemoryBytes = sizes.fp32MemoryBytes;
    result.weightsBytes = ModelSizeCalculator::folderBytes(result.modelDir + "/model.safetensors");
    if (!c.base.weightsFile.empty()) result.baselineWeightsBytes = ModelSizeCalculator::folderBytes(c.base.weightsFile);
    step["quantized_layers"] = report.quantizedLayers;
    step["int8_embedding_tables"] = report.quantizedTables;
    step["base_model_dir"] = result.baseModelDir;
    finishRun(c, config, &ModelInfo::quantization, step, callbacks, result);
}

std::vector<RunResult> mixedRuns(const CompressionContext& c, const ExperimentConfig& config,
                                 const QuantRunOptions& options, const TrainRunCallbacks& callbacks) {
    const QuantizationConfig& q = config.quantization;
    auto mo = scoped<MixedPrecisionOptions>(q);
    mo.numSamples = q.sensitivitySamples;
    mo.int4GroupSize = q.int4GroupSize;
    // The analysis runs on a float copy; each setting quantizes a fresh copy.
    const ClassifierPtr probe = loadModelFolder(options.modelDir).model;
    {
        // precision_map names layers of this model: checked before the (long) analysis.
        std::vector<std::string> names;
        for (const auto& l : probe->linearLayers()) names.push_back(l.name);
        for (const auto& [layer, precision] : q.precisionMap) {
            if (std::find(names.begin(), names.end(), layer) != names.end()) continue;
            std::string msg =
                "quantization.mixed_precision.precision_map: the model has no linear layer '" + layer + "'";
            const std::string near = nearestMatch(layer, names);
            if (!near.empty()) msg += "; did you mean '" + near + "'?";
            throw Error(msg);
        }
    }
    MixedPrecisionQuantization analysis(*probe, mo);
    const auto& table = analysis.analyzeLayerSensitivity(*c.validation, callbacks.cancel, callbacks.loading);
    logInfo("layer sensitivity (validation loss change with the layer alone in int8 / int4):");
    for (const auto& s : table) {
        logInfo("  " + s.layer + ": " + formatFixed(s.lossDeltaInt8, 5) + " / " + formatFixed(s.lossDeltaInt4, 5));
    }
    const int topK = std::min<int>(q.sensitiveLayersTopK, int(table.size()));
    const int int4 = q.int4Layers >= 0 ? q.int4Layers : int(table.size()) / 2;
    std::vector<std::pair<std::string, PrecisionPlan>> settings = {
        {"all_int8", analysis.planFor({}, "int8", 0)},
        {"top" + std::to_string(topK) + "_" + q.sensitivePrecision,
         analysis.planFor(analysis.selectSensitiveLayers(topK), q.sensitivePrecision, 0)},
        {"int4_" + std::to_string(int4), analysis.planFor({}, "int8", int4)}};
    if (!q.precisionMap.empty()) {
        // The user's table (tpq-studio): the top-k setting with the listed layers changed.
        PrecisionPlan plan = analysis.planFor(analysis.selectSensitiveLayers(topK), q.sensitivePrecision, 0);
        for (const auto& [layer, precision] : q.precisionMap) plan[layer] = precision;
        settings.emplace_back("custom", plan);
    }
    if (q.maxAccuracyDrop >= 0) {
        settings.emplace_back("budget", analysis.searchBudget(*c.validation, q.maxAccuracyDrop, callbacks.cancel));
    }
    std::vector<RunResult> results;
    for (const auto& [name, plan] : settings) {
        if (callbacks.cancel) callbacks.cancel->throwIfCancelled();
        RunResult result = newResult(c, config, options.modelDir, 0, options.runId + "_" + name, Method::Mixed);
        result.setting = name;
        for (const auto& s : table) {
            result.layerSensitivity.push_back(
                {s.layer, s.lossDeltaInt8, s.accuracyDeltaInt8, s.lossDeltaInt4, s.accuracyDeltaInt4});
        }
        const ClassifierPtr model = loadModelFolder(options.modelDir).model;
        MixedPrecisionQuantization mp(*model, mo);
        result.estimatedSizeBytes = mp.estimateModelSize(plan);
        const QuantizationReport report = mp.applyMixedPrecision(plan);
        nlohmann::ordered_json step = {{"method", "mixed"},
                                       {"setting", name},
                                       {"group_size", q.int4GroupSize},
                                       {"sensitive_precision", q.sensitivePrecision}};
        saveAndFinish(c, config, *model, c.base.info, report, step, callbacks, result);
        results.push_back(result);
    }
    return results;
}

// Quantization-aware training of `model`, then convert: the fake-quantized model's test
// accuracy and history.csv go into `result`, the QAT settings into `step`.
QuantizationReport qatRun(const CompressionContext& c, const ExperimentConfig& config, Classifier& model,
                          const TrainRunCallbacks& callbacks, RunResult& result, nlohmann::ordered_json& step) {
    const QuantizationConfig& q = config.quantization;
    const auto o = scoped<QatOptions>(q);
    TrainerOptions t = trainerOptions(config.training);
    t.epochs = q.qatEpochs;
    t.learningRate = q.qatLearningRate;
    t.earlyStoppingPatience = 0;
    t.dataParallel = callbacks.group;
    const auto start = std::chrono::steady_clock::now();
    const QatResult qat = QuantizationAwareTraining::train(model, *c.train, *c.validation, t, o, q.calibrationBatches,
                                                           callbacks.training, callbacks.cancel);
    step["start_val_accuracy"] = qat.startValAccuracy;
    step["kept_epoch"] = qat.keptEpoch;
    logInfo("QAT: validation accuracy " + formatFixed(qat.startValAccuracy, 4) + " before fine-tuning; kept epoch " +
            std::to_string(qat.keptEpoch) + " (0 = the start)");
    result.trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!writesResults(callbacks)) return {};  // rank 0 of a data-parallel run converts, saves and tests
    writeRunFile(config, result, "history.csv", qat.history.toCsv());
    result.fakeQuantAccuracy = Evaluator(model).evaluate(*c.test, callbacks.cancel).accuracy;
    logInfo("QAT: fake-quantized model test accuracy " + formatFixed(result.fakeQuantAccuracy, 4));
    step["epochs"] = q.qatEpochs;
    step["learning_rate"] = q.qatLearningRate;
    step["fake_quant_accuracy"] = result.fakeQuantAccuracy;
    return QuantizationAwareTraining::convert(model, o);
}

}  // namespace

Precision dynamicWeights(const QuantizationConfig& q) {
    static const std::map<std::string, Precision> kDtypes = {{"qint8", Precision::Int8}, {"float16", Precision::Fp16}};
    const auto it = kDtypes.find(q.dtype);
    if (it == kDtypes.end()) throw Error("quantization.dtype must be qint8 or float16, got '" + q.dtype + "'");
    return it->second;
}

std::vector<RunResult> runQuantization(const ExperimentConfig& config, const QuantRunOptions& options,
                                       const TrainRunCallbacks& callbacks) {
    const QuantizationConfig& q = config.quantization;
    const Method method = options.method;
    if (options.runId.empty()) throw Error("quantization run without a run id (run it through runStep())");
    if (!isQuantization(method))
        throw Error(std::string("unknown quantization method '") + methodName(method) +
                    "' (dynamic, static, qat or mixed)");
    if (method != Method::Dynamic && dynamicWeights(q) != Precision::Int8) {
        throw Error("quantization.dtype " + q.dtype + " is for dynamic quantization; " + methodName(method) +
                    " uses qint8");
    }
    const bool combined = !options.compareWith.empty();
    if (combined && method == Method::Mixed)
        throw Error(
            "combined runs quantize with dynamic, static or qat; run mixed precision on the pruned model "
            "with tpq quantize --mixed");
    CompressionContext c = prepareCompression(config, combined ? options.compareWith : options.modelDir,
                                              method != Method::Dynamic, callbacks);
    if (method == Method::Mixed) {
        if (c.base.model->isQuantized())
            throw Error("the model in " + options.modelDir + " is already quantized; quantize its float model instead");
        return mixedRuns(c, config, options, callbacks);
    }

    torch::manual_seed(config.seed);
    const LoadedModel source = loadModelFolder(options.modelDir);  // a copy to quantize
    const ClassifierPtr model = source.model;
    if (model->isQuantized()) {
        throw Error("the model in " + options.modelDir + " is already quantized; quantize its float model instead");
    }
    const int64_t sourceNonzero = combined ? ModelSizeCalculator::measure(*model).nonzeroParameters : 0;
    nlohmann::ordered_json step = {{"method", methodName(method)}};
    QuantizationReport report;
    RunResult result;
    if (method == Method::Dynamic) {
        auto o = scoped<DynamicQuantizationOptions>(q);
        o.weights = dynamicWeights(q);
        o.perChannel = q.perChannel;
        result = newResult(c, config, options.modelDir, 0, options.runId, Method::Dynamic);
        report = PostTrainingQuantization::applyDynamicQuantization(*model, o);
        step["dtype"] = q.dtype;
        step["per_channel"] = q.perChannel;
    } else if (method == Method::Static) {
        auto o = scoped<StaticQuantizationOptions>(q);
        o.observer = q.observer;
        o.calibrationBatches = q.calibrationBatches;
        o.perChannel = q.perChannel;
        result = newResult(c, config, options.modelDir, 0, options.runId, Method::Static);
        report =
            PostTrainingQuantization::applyStaticQuantization(*model, *c.train, o, callbacks.cancel, callbacks.loading);
        step["observer"] = q.observer;
        step["calibration_batches"] = q.calibrationBatches;
        step["per_channel"] = q.perChannel;
    } else {
        result = newResult(c, config, options.modelDir, q.qatEpochs, options.runId, Method::Qat);
        report = qatRun(c, config, *model, callbacks, result, step);
    }
    step["skip_layers"] = q.skipLayers;
    step["quantize_embeddings"] = q.quantizeEmbeddings;
    if (combined) {
        // Tested and measured against the unpruned baseline; the pruned model it was made from is kept.
        result.method = Method::Combined;
        result.prunedModelDir = options.modelDir;
        result.prunedNonzeroParameters = sourceNonzero;
        result.baseModelDir = options.compareWith;
        step["pruned_model_dir"] = options.modelDir;
    }
    saveAndFinish(c, config, *model, source.info, report, step, callbacks, result);
    return {result};
}

}  // namespace tpq
