#include "cli_commands.h"

#include <QProcess>
#include <QTemporaryDir>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include <CLI/Version.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "config/experiment_config.h"
#include "data/dataset_loader.h"
#include "data/dataset_stats.h"
#include "experiment/experiment_runner.h"
#include "experiment/method.h"
#include "experiment/pipeline.h"
#include "experiment/predict.h"
#include "experiment/project.h"
#include "experiment/results_store.h"
#include "experiment/slurm_submit.h"
#include "experiment/step_plan.h"
#include "experiment/train_run.h"
#include "io/model_folder.h"
#include "kernels/cpu_features.h"
#include "ort_engine.h"
#include "terminal_progress.h"
#include "text/encode_dataset.h"
#include "text/wordpiece_tokenizer.h"
#include "train/data_parallel.h"
#include "train/evaluator.h"
#include "train/inference_timer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"
#include "util/system_info.h"
#include "util/utf8.h"

namespace tpq::cli {

CancellationToken& interruptToken() {
    static CancellationToken token;
    return token;
}

ExperimentConfig loadConfig(const std::string& path, bool strict) {
    if (endsWith(path, ".tpq.yaml"))
        throw Error(path + " is a project file, not an experiment config: run it with  tpq run " + path);
    std::vector<std::string> warnings;
    ExperimentConfig config = ExperimentConfig::load(path, &warnings);
    for (const auto& w : warnings) logWarning(w);
    if (strict && !warnings.empty()) {
        throw Error(std::to_string(warnings.size()) + " warning(s) in " + path + " and --strict is set");
    }
    const auto problems = config.validate();
    if (!problems.empty()) {
        throw Error("invalid config " + path + ":\n  " + join(problems, "\n  "));
    }
    return config;
}

int runInfo() {
    SystemInfo info = collectSystemInfo();
    info.libraries.emplace_back("CLI11", CLI11_VERSION);
    std::printf("TPQ Studio %s\n\n", TPQ_VERSION);
    std::printf("Libraries\n");
    for (const auto& [name, version] : info.libraries) std::printf("  %-14s %s\n", name.c_str(), version.c_str());
    std::printf("\nBLAS\n");
    std::printf("  loaded         %s\n", info.blasLibrary.empty() ? "(none found)" : info.blasLibrary.c_str());
    std::printf("  implementation %s\n", info.blasIsOpenBlas ? "OpenBLAS" : "not OpenBLAS (slow reference BLAS?)");
    if (!info.blasConfig.empty()) std::printf("  config         %s\n", info.blasConfig.c_str());
    if (!info.blasCore.empty()) std::printf("  kernels        %s\n", info.blasCore.c_str());
    if (!info.blasCoreNote.empty()) std::printf("  note           %s\n", info.blasCoreNote.c_str());
    std::printf("\nThreads\n");
    std::printf("  torch intra-op %d\n", info.torchThreads);
    std::printf("  hardware       %d\n", info.hardwareThreads);
    std::printf("\nQuantized engines\n  %s\n", join(info.quantizedEngines, ", ").c_str());
    std::printf("\nCPU\n");
    std::printf("  model          %s\n", info.cpuModel.c_str());
    std::printf("  features       %s\n", join(info.cpuFeatures, " ").c_str());
    std::printf(
        "\nKernel paths (TPQ_KERNELS=off|avx2|avx512, TPQ_INT8_KERNEL=onednn|avx2|avx512_vnni, "
        "TPQ_BF16_KERNEL=libtorch\n"
        "force a lower one)\n");
    for (const auto& [what, path] : kernels::kernelPathReport())
        std::printf("  %-14s %s\n", what.c_str(), path.c_str());
    if (!info.blasIsOpenBlas) {
        logWarning(
            "LibTorch is not running on OpenBLAS: matrix products will be ~40x slower. "
            "Install libopenblas0-openmp (scripts/setup does).");
    } else if (info.blasConfig.find("USE_OPENMP") == std::string::npos) {
        logWarning(
            "OpenBLAS is its pthread build: its threads compete with LibTorch's OpenMP threads for the "
            "cores, and fp32 products run up to 2-3x slower. Select the OpenMP build: install "
            "libopenblas0-openmp and run update-alternatives --set libblas.so.3-x86_64-linux-gnu "
            "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 (scripts/setup does).");
    }
    return 0;
}

namespace {

std::string percent(size_t part, size_t whole) {
    return whole ? formatFixed(100.0 * double(part) / double(whole), 1) + "%" : "-";
}

void printSplitTable(const DatasetSplits& splits) {
    const auto& names = splits.train.labelNames();
    const auto tr = splits.train.countsPerClass();
    const auto va = splits.validation.countsPerClass();
    const auto te = splits.test.countsPerClass();
    std::printf("  %-16s %10s %10s %10s\n", "class", "train", "validation", "test");
    for (size_t c = 0; c < names.size(); ++c) {
        std::printf("  %-16s %10zu %10zu %10zu\n", names[c].c_str(), tr[c], va[c], te[c]);
    }
    std::printf("  %-16s %10zu %10zu %10zu\n", "total", splits.train.size(), splits.validation.size(),
                splits.test.size());
}

// tpq data-stats --json: the load report, class counts, token lengths and split sizes.
void printDataStatsJson(const ExperimentConfig& config, const LoadReport& report, const DatasetSplits& splits,
                        const DatasetStats& stats, const std::string& tokenizerKind) {
    nlohmann::json j;
    j["dataset"] = config.data.dataset;
    j["source"] = report.source;
    j["records_read"] = report.recordsRead;
    j["skipped"] = report.skipped;
    j["duplicates_removed"] = report.duplicatesRemoved;
    j["conflicting_duplicates"] = report.conflictingDuplicates;
    j["invalid_utf8_replaced"] = report.invalidUtf8Replaced;
    j["total"] = stats.total;
    for (size_t c = 0; c < stats.labelNames.size(); ++c) j["counts"][stats.labelNames[c]] = stats.counts[c];
    auto lengths = [](const LengthStats& s) {
        return nlohmann::json{{"mean", s.mean}, {"min", s.min}, {"p50", s.p50}, {"p90", s.p90},
                              {"p95", s.p95},   {"p99", s.p99}, {"max", s.max}, {"over_max_length", s.overLimit}};
    };
    j["token_length"] = lengths(stats.tokens);
    j["tokenizer"] = tokenizerKind;
    j["max_length"] = config.maxLength;
    j["splits"] = {{"train", splits.train.size()},
                   {"validation", splits.validation.size()},
                   {"test", splits.test.size()},
                   {"seed", config.seed}};
    std::vector<std::string> warnings = report.warnings;
    warnings.insert(warnings.end(), splits.warnings.begin(), splits.warnings.end());
    j["warnings"] = warnings;
    j["notes"] = report.notes;
    // Paths and label names may not be valid UTF-8: replace rather than throw.
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

}  // namespace

int runDataStats(const ExperimentConfig& config, bool json) {
    // A fixed vocabulary is loaded first, so a wrong tokenizer.vocab fails before the data loads.
    std::unique_ptr<Tokenizer> tokenizer;
    if (!tokenizerNeedsTrainingData(config)) tokenizer = createTokenizer(config);

    TerminalProgress bar;
    LoadContext context{bar.callback(), &interruptToken()};
    TextClassificationDataset full;
    const auto t0 = std::chrono::steady_clock::now();
    DatasetSplits splits = loadAndSplit(config.data, config.seed, context, &full);
    bar.done();
    const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const LoadReport& report = full.report();
    logInfo("loaded " + std::to_string(full.size()) + " examples from " + report.source + " in " +
            formatFixed(loadSeconds, 1) + " s");
    for (const auto& n : report.notes) logInfo(n);
    for (const auto& w : report.warnings) logWarning(w);
    for (const auto& w : splits.warnings) logWarning(w);

    if (!tokenizer) tokenizer = createTokenizer(config, &splits.train);
    const auto t1 = std::chrono::steady_clock::now();
    const DatasetStats stats = computeStats(
        full, [&](const std::string& text) { return tokenizer->countTokens(text); }, size_t(config.maxLength));
    const double tokSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

    if (json) {
        printDataStatsJson(config, report, splits, stats, tokenizer->kind());
        return 0;
    }

    std::printf("Dataset %s: %s\n", config.data.dataset.c_str(), report.source.c_str());
    std::printf("  %zu records read, %zu skipped, %zu exact duplicates removed", report.recordsRead, report.skipped,
                report.duplicatesRemoved);
    if (report.conflictingDuplicates)
        std::printf(" (%zu of them with a different label)", report.conflictingDuplicates);
    std::printf("\n");
    if (report.invalidUtf8Replaced) {
        std::printf("  %zu invalid byte(s) replaced by U+FFFD\n", report.invalidUtf8Replaced);
    }
    std::printf("\nClasses (after de-duplication)\n");
    std::printf("  %-16s %10s %8s\n", "class", "count", "share");
    for (size_t c = 0; c < stats.labelNames.size(); ++c) {
        std::printf("  %-16s %10zu %8s\n", stats.labelNames[c].c_str(), stats.counts[c],
                    percent(stats.counts[c], stats.total).c_str());
    }
    std::printf("  %-16s %10zu\n", "total", stats.total);
    std::printf("\nStratified split (seed %llu, ratios %s/%s/%s)\n", (unsigned long long)config.seed,
                formatFixed(config.data.trainRatio, 2).c_str(), formatFixed(config.data.validationRatio, 2).c_str(),
                formatFixed(config.data.testRatio, 2).c_str());
    printSplitTable(splits);
    const LengthStats& t = stats.tokens;
    std::printf("\nToken length (%s tokenizer, vocabulary %zu, incl. [CLS] and [SEP])\n", tokenizer->kind().c_str(),
                tokenizer->vocabSize());
    std::printf("  mean %.1f  min %zu  p50 %zu  p90 %zu  p95 %zu  p99 %zu  max %zu\n", t.mean, t.min, t.p50, t.p90,
                t.p95, t.p99, t.max);
    std::printf("  longer than data.max_length %d (truncated): %zu of %zu (%s)\n", config.maxLength, t.overLimit,
                t.count, percent(t.overLimit, t.count).c_str());
    std::printf("  %s of text tokenized in %.2f s (%.1f MiB/s, one thread)\n",
                formatBytes(double(stats.textBytes)).c_str(), tokSeconds,
                tokSeconds > 0 ? double(stats.textBytes) / 1048576.0 / tokSeconds : 0.0);
    return 0;
}

int runTokenize(const TokenizeOptions& options, const std::vector<std::string>& texts) {
    const WordPieceTokenizer tokenizer = WordPieceTokenizer::fromFile(options.vocab, !options.cased);
    for (const auto& raw : texts) {
        size_t replaced = 0;
        const std::string text = sanitizeUtf8(raw, &replaced);
        if (replaced) logWarning(std::to_string(replaced) + " invalid UTF-8 byte(s) in the input replaced by U+FFFD");
        std::vector<int64_t> ids;
        if (options.maxLength > 0) {
            EncodeOptions enc;
            enc.maxLength = size_t(options.maxLength);
            enc.padToMaxLength = options.pad;
            ids = tokenizer.encode(text, enc).inputIds;
        } else {
            tokenizer.tokenizeToIds(text, ids);
        }
        std::string line;
        for (size_t i = 0; i < ids.size(); ++i) {
            if (i) line += ' ';
            line += options.ids ? std::to_string(ids[i]) : tokenizer.idToToken(ids[i]);
        }
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

int runDumpConfig(const ExperimentConfig& config) {
    std::cout << config.toYaml();
    return 0;
}

namespace {

// Loading and training progress drawn on `bar`; Ctrl-C cancels.
TrainRunCallbacks progressCallbacks(TerminalProgress& bar) {
    TrainRunCallbacks callbacks;
    callbacks.loading = bar.callback();
    callbacks.cancel = &interruptToken();
    callbacks.training = [draw = bar.callback()](const TrainProgress& p) {
        if (p.epochEnd) return;  // the epoch's summary is logged by the trainer
        Progress q;
        q.step = p.step;
        q.total = p.totalSteps;
        q.etaSeconds = p.etaSeconds;
        char buf[160];
        std::snprintf(buf, sizeof buf, "epoch %d/%d loss %.4f lr %.2e %.0f samples/s", p.epoch, p.epochs, p.loss,
                      p.learningRate, p.samplesPerSecond);
        q.message = buf;
        draw(q);
    };
    return callbacks;
}

}  // namespace

namespace {

// A TCP port free on 127.0.0.1 just now.
int freeLocalPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 29500;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0) ::close(fd);
    return port;
}

// This tpq's arguments without --nproc K, with --threads (the cores shared out) unless given.
QStringList rankArguments(int nproc) {
    const std::string cmdline = readFile("/proc/self/cmdline", "command line");
    QStringList args;
    for (const auto& a : split(cmdline, '\0'))
        if (!a.empty()) args << QString::fromStdString(a);
    args.removeFirst();
    QStringList out;
    bool threads = false;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == "--nproc") {
            ++i;
            continue;
        }
        if (args[i].startsWith("--nproc=")) continue;
        threads = threads || args[i] == "--threads" || args[i].startsWith("--threads=");
        out << args[i];
    }
    const int cores = std::max(1, int(std::thread::hardware_concurrency()));
    if (!threads) out.prepend(QString::number(std::max(1, cores / nproc))), out.prepend("--threads");
    return out;
}

// A data-parallel rank other than 0: rank 0 reports progress, logs and writes; this one
// logs warnings only.
TrainRunCallbacks otherRankCallbacks(DataParallel* group) {
    initLogging(LogLevel::Warning, "");
    TrainRunCallbacks quiet;
    quiet.cancel = &interruptToken();
    quiet.group = group;
    return quiet;
}

// tpq train --nproc K: K processes of this tpq as ranks 0..K-1 on this machine.
int spawnRanks(int nproc) {
    const QString port = QString::number(freeLocalPort());  // for the rendezvous
    const QStringList args = rankArguments(nproc);
    std::vector<std::unique_ptr<QProcess>> ranks;
    for (int r = 0; r < nproc; ++r) {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("TPQ_RANK", QString::number(r));
        env.insert("TPQ_WORLD_SIZE", QString::number(nproc));
        env.insert("TPQ_MASTER_ADDR", "127.0.0.1");
        env.insert("TPQ_MASTER_PORT", port);
        p->setProcessEnvironment(env);
        p->setProcessChannelMode(r == 0 ? QProcess::ForwardedChannels : QProcess::ForwardedErrorChannel);
        p->start(QString::fromStdString(std::filesystem::read_symlink("/proc/self/exe").string()), args);
        ranks.push_back(std::move(p));
    }
    int worst = 0;
    for (auto& p : ranks) {
        while (p->state() != QProcess::NotRunning) p->waitForFinished(200);
        const int code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : 1;
        if (code != 0 && worst == 0)
            for (auto& other : ranks) other->kill();  // the group cannot go on without a rank
        worst = std::max(worst, code);
    }
    return worst;
}

}  // namespace

int runTrain(const ExperimentConfig& config, bool resume, int nproc) {
    if (nproc > 1) return spawnRanks(nproc);
    const std::unique_ptr<DataParallel> group = DataParallel::fromEnvironment();
    if (group && group->rank() != 0) {
        runTraining(config, resume, otherRankCallbacks(group.get()));
        return 0;
    }
    TerminalProgress bar;
    TrainRunCallbacks callbacks = progressCallbacks(bar);
    callbacks.group = group.get();
    const RunResult r = runTraining(config, resume, callbacks);
    bar.done();
    std::printf("Run %s (%s)\n", r.runId.c_str(), methodName(r.method));
    std::printf("  test accuracy %.4f  precision %.4f  recall %.4f  F1 %.4f  loss %.4f  (%lld examples)\n",
                r.test.accuracy, r.test.precision, r.test.recall, r.test.f1, r.test.loss, (long long)r.test.count);
    std::printf("  parameters %lld, saved folder %s, training %.1f s\n", (long long)r.numParameters,
                formatBytes(double(r.sizeBytes)).c_str(), r.trainSeconds);
    std::printf("  latency p50 %.2f ms, p95 %.2f ms per batch of %lld x %lld tokens, %.1f samples/s\n", r.latency.p50Ms,
                r.latency.p95Ms, (long long)r.latency.batchSize, (long long)r.latency.seqLen,
                r.latency.samplesPerSecond);
    std::printf("  model: %s\n  results: %s/%s/result.json\n", r.modelDir.c_str(), config.output.resultsDir.c_str(),
                r.runId.c_str());
    return 0;
}

namespace {

// The config a model was trained with, from its tpq.json.
ExperimentConfig configOfModel(const ModelInfo& info, const std::string& modelDir) {
    if (!info.present) {
        throw Error(modelDir + " has no tpq.json (not trained by tpq): pass --config FILE to say which data to use");
    }
    if (info.trainingConfig.empty()) throw Error(modelDir + "/tpq.json has no training_config: pass --config FILE");
    return ExperimentConfig::parse(info.trainingConfig, modelDir + "/tpq.json");
}

// `given`, or the config in the model folder's tpq.json (read without loading the weights:
// the run loads the model itself).
ExperimentConfig configFor(const std::string& modelDir, const ExperimentConfig* given) {
    if (given) return *given;
    ModelInfo info = ModelInfo::read(modelDir);
    if (!info.present) loadModelFolder(modelDir);  // says what is wrong with the folder
    return configOfModel(info, modelDir);
}

}  // namespace

namespace {

// What ONNX Runtime gives on the test split beside our engine (tpq evaluate --engine ort).
struct OrtComparison {
    std::string onnx;          // the exported file it ran
    double agreement = 0.0;    // fraction of examples where ORT and our engine predict the same class
    double tpqAccuracy = 0.0;  // our engine's accuracy on the same examples
};

void printEvaluation(const std::string& modelDir, const std::string& dataset, const Evaluator::DetailedReport& report,
                     const OrtComparison* ort, bool json) {
    const auto& m = report.metrics;
    if (json) {
        nlohmann::ordered_json j;
        j["model_dir"] = modelDir;
        j["engine"] = ort ? "ort" : "tpq";
        j["accuracy"] = m.accuracy;
        j["precision"] = m.precision;
        j["recall"] = m.recall;
        j["f1"] = m.f1;
        j["loss"] = m.loss;
        j["confusion_matrix"] = m.confusionMatrix;
        j["test_examples"] = m.count;
        for (const auto& c : report.perClass) {
            j["per_class"][c.name] = {
                {"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
        }
        if (ort) {
            j["onnx"] = ort->onnx;
            j["agreement_with_tpq"] = ort->agreement;
            j["tpq_accuracy"] = ort->tpqAccuracy;
        }
        std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << std::endl;
        return;
    }
    std::printf("Model %s on the test split of %s (%lld examples)%s\n", modelDir.c_str(), dataset.c_str(),
                (long long)m.count, ort ? ", run by ONNX Runtime" : "");
    std::printf("  accuracy %.4f  precision %.4f  recall %.4f  F1 %.4f  loss %.4f\n", m.accuracy, m.precision, m.recall,
                m.f1, m.loss);
    if (ort)
        std::printf("  ONNX Runtime agrees with TPQ Studio's engine on %.2f%% of the predictions (TPQ accuracy %.4f)\n",
                    100 * ort->agreement, ort->tpqAccuracy);
    std::printf("\n  %-16s %9s %9s %9s %9s\n", "class", "precision", "recall", "f1", "support");
    for (const auto& c : report.perClass) {
        std::printf("  %-16s %9.4f %9.4f %9.4f %9lld\n", c.name.c_str(), c.precision, c.recall, c.f1,
                    (long long)c.support);
    }
    std::printf("\n  confusion matrix (rows: true, columns: predicted)\n");
    for (size_t r = 0; r < m.confusionMatrix.size(); ++r) {
        std::printf("  %-16s", report.perClass[r].name.c_str());  // one per label, in label order
        for (auto v : m.confusionMatrix[r]) std::printf(" %8lld", (long long)v);
        std::printf("\n");
    }
}

// The model exported to a temporary ONNX file and run by ONNX Runtime on the test split;
// the metrics of its logits, and how often it agrees with our engine on the same batches.
Evaluator::DetailedReport evaluateWithOrt(LoadedModel& loaded, const std::string& modelDir,
                                          const ExperimentConfig& config, const TrainRunCallbacks& callbacks,
                                          OrtComparison& comparison) {
    const OrtEngine engine;
    TestSplit test = loadTestSplit(loaded, config, callbacks);
    std::vector<OrtBatch> batches;
    for (size_t b = 0; b < test.loader.numBatches(); ++b) {
        const Batch batch = test.loader.batch(b);
        batches.emplace_back(batch.inputIds, batch.attentionMask);
    }
    const std::vector<int64_t>& labels = test.loader.labels();  // unshuffled: the batches' order
    const QTemporaryDir dir;
    if (!dir.isValid())
        throw Error("cannot make a temporary folder for the ONNX export: " + dir.errorString().toStdString());
    comparison.onnx = dir.path().toStdString() + "/model.onnx";
    OrtEngine::exportModel(modelDir, comparison.onnx);
    const at::Tensor logits = engine.run(comparison.onnx, batches, 0, at::get_num_threads(), callbacks.cancel).logits;
    const at::Tensor target = torch::tensor(labels, torch::kInt64);
    const double loss = torch::nn::functional::cross_entropy(logits, target).item<double>();
    const at::Tensor predicted = logits.argmax(1);
    const std::vector<int64_t> ortPredictions(predicted.data_ptr<int64_t>(),
                                              predicted.data_ptr<int64_t>() + predicted.numel());
    const std::vector<int64_t> ours = Evaluator(*loaded.model).predict(test.loader, callbacks.cancel).labels;
    int64_t same = 0, right = 0;
    for (size_t i = 0; i < ours.size(); ++i) {
        same += ours[i] == ortPredictions[i];
        right += ours[i] == labels[i];
    }
    comparison.agreement = double(same) / double(ours.size());
    comparison.tpqAccuracy = double(right) / double(ours.size());
    Evaluator::DetailedReport report;
    report.metrics = computeMetrics(ortPredictions, labels, loaded.model->numLabels(), loss);
    report.perClass = perClassReport(ortPredictions, labels, test.labelNames);
    return report;
}

}  // namespace

int runEvaluate(const std::string& modelDir, const ExperimentConfig* given, bool json, const std::string& engine) {
    if (engine != "tpq" && engine != "ort")
        throw Error("unknown --engine '" + engine + "': tpq (TPQ Studio's) or ort (ONNX Runtime on an ONNX export)");
    LoadedModel loaded = loadModelFolder(modelDir);
    requireTrainedHead(loaded);
    const ExperimentConfig config = given ? *given : configOfModel(loaded.info, modelDir);
    TerminalProgress bar;
    TrainRunCallbacks callbacks;
    callbacks.loading = bar.callback();
    callbacks.cancel = &interruptToken();
    OrtComparison ort;
    const Evaluator::DetailedReport report = engine == "ort" ? evaluateWithOrt(loaded, modelDir, config, callbacks, ort)
                                                             : evaluateOnTestSplit(loaded, config, callbacks);
    bar.done();
    printEvaluation(modelDir, config.data.dataset, report, engine == "ort" ? &ort : nullptr, json);
    return 0;
}

namespace {

// The pruning step `tpq prune` asks for, as a variant (the same as a project's).
VariantSpec pruneVariant(const PruneCommand& command, const ExperimentConfig& config) {
    if (int(command.unstructured) + int(command.structured) + int(command.progressive) > 1) {
        throw Error("give one pruning method: --unstructured, --structured or --progressive");
    }
    VariantSpec v;
    // The method read once (pruning.method's alias magnitude is unstructured).
    v.method = command.unstructured  ? Method::Unstructured
               : command.structured  ? Method::Structured
               : command.progressive ? Method::Progressive
                                     : requireMethod(config.pruning.method, "pruning.method");
    if (!isPruning(v.method)) throw Error("pruning.method must be structured, unstructured or progressive");
    if ((command.heads || command.ffnSparsity) && v.method != Method::Structured) {
        throw Error("--heads and --ffn-sparsity are for --structured pruning");
    }
    if (command.block && v.method == Method::Structured)
        throw Error(
            "--block is for --unstructured and --progressive pruning (structured pruning removes heads and "
            "neurons)");
    v.fineTuneEpochs = command.fineTuneEpochs;  // unset: the config's (resolve())
    if (v.method != Method::Structured) {
        v.sparsity = command.sparsity;
        v.block = command.block;
        return v;
    }
    // --sparsity with --structured: that fraction of the heads and of the FFN neurons.
    if (command.sparsity && !command.heads) v.heads = command.sparsity;
    v.numHeadsToPrune = command.heads;
    v.ffnSparsity = command.ffnSparsity ? command.ffnSparsity : command.sparsity;
    return v;
}

void printStructured(const RunResult& r, const StepPlan& plan, const std::string& modelDir) {
    const PruningConfig& p = plan.config.pruning;
    std::printf("Structured pruning of %s (heads by %s, feed-forward neurons by %s, fine-tuning %d epoch(s))\n",
                modelDir.c_str(), p.headPruningMethod.c_str(), p.ffnPruningMethod.c_str(), plan.prune.fineTuneEpochs);
    std::printf("  %5s %-24s %s\n", "layer", "heads kept", "feed-forward width");
    for (size_t l = 0; l < r.headsKept.size(); ++l) {
        std::string kept;
        for (size_t h = 0; h < r.headsKept[l].size(); ++h) kept += r.headsKept[l][h] ? "#" : ".";
        std::printf("  %5zu %-24s %lld of %lld\n", l, kept.c_str(), (long long)r.ffnKept[l],
                    (long long)r.ffnOriginal[l]);
    }
    std::printf("  %s: test accuracy %.4f (unpruned %.4f, drop %.2f points), F1 %.4f\n", r.runId.c_str(),
                r.test.accuracy, r.baselineAccuracy, 100.0 * (r.baselineAccuracy - r.test.accuracy), r.test.f1);
    std::printf("  parameters %lld (unpruned %lld), size %s (unpruned %s, ratio %.3f)\n", (long long)r.numParameters,
                (long long)r.baselineParameters, formatBytes(double(r.sizeBytes)).c_str(),
                formatBytes(double(r.baselineSizeBytes)).c_str(), double(r.sizeBytes) / double(r.baselineSizeBytes));
    std::printf("  latency p50 %.2f ms vs %.2f ms unpruned (batch %lld x %lld tokens, %lld threads): %.2fx faster\n",
                r.latency.p50Ms, r.baselineLatency.p50Ms, (long long)r.latency.batchSize, (long long)r.latency.seqLen,
                (long long)r.latency.threads, r.baselineLatency.p50Ms / r.latency.p50Ms);
    std::printf("  model: %s, results: %s/%s/result.json\n", r.modelDir.c_str(), plan.config.output.resultsDir.c_str(),
                r.runId.c_str());
}

void printProgressive(const RunResult& r, const StepPlan& plan, const std::string& modelDir) {
    const PruningConfig& p = plan.config.pruning;
    std::printf("Progressive pruning of %s (%s schedule, %d step(s), fine-tuning %d epoch(s) per step)\n",
                modelDir.c_str(), p.progressiveSchedule.c_str(), p.numIterations, plan.prune.fineTuneEpochs);
    std::printf("  %4s %8s %9s %13s\n", "step", "target", "sparsity", "val accuracy");
    for (const auto& s : r.pruningHistory) {
        std::printf("  %4d %8.4f %9.4f %13.4f%s\n", s.iteration, s.targetSparsity, s.sparsity, s.valAccuracy,
                    s.withinBudget ? "" : "  over max_accuracy_drop: stopped, previous step kept");
    }
    std::printf("  %s: test accuracy %.4f (unpruned %.4f, drop %.2f points), F1 %.4f, linear-layer sparsity %.4f\n",
                r.runId.c_str(), r.test.accuracy, r.baselineAccuracy, 100.0 * (r.baselineAccuracy - r.test.accuracy),
                r.test.f1, r.sparsity);
    std::printf("  model: %s, results: %s/%s/result.json\n", r.modelDir.c_str(), plan.config.output.resultsDir.c_str(),
                r.runId.c_str());
}

void printUnstructured(const std::vector<RunResult>& results, const StepPlan& plan, const std::string& modelDir) {
    const ExperimentConfig& config = plan.config;
    std::printf("Unstructured pruning of %s (%s, %s ranking, fine-tuning %d epoch(s)); test split of %s\n",
                modelDir.c_str(), config.pruning.unstructuredMethod.c_str(),
                config.pruning.globalPruning ? "global" : "per-layer", plan.prune.fineTuneEpochs,
                config.data.dataset.c_str());
    std::printf("  %-34s %8s %9s %9s %8s %8s %10s %10s\n", "run", "target", "sparsity", "accuracy", "F1", "drop",
                "size", "p50 ms");
    for (const auto& r : results) {
        std::printf("  %-34s %8.2f %9.4f %9.4f %8.4f %8.2f %10s %10.2f\n", r.runId.c_str(), r.targetSparsity,
                    r.sparsity, r.test.accuracy, r.test.f1, 100.0 * (r.baselineAccuracy - r.test.accuracy),
                    formatBytes(double(r.sizeBytes)).c_str(), r.latency.p50Ms);
    }
    if (results.empty()) return;
    std::printf("  unpruned: size %s, p50 %.2f ms (measured side by side)\n",
                formatBytes(double(results.front().baselineSizeBytes)).c_str(), results.front().baselineLatency.p50Ms);
    std::printf("  unpruned test accuracy %.4f; drop in points; sparsity over all linear layers\n",
                results.front().baselineAccuracy);
    std::printf("  models: %s/<run>/, results: %s/<run>/result.json\n", config.output.checkpointDir.c_str(),
                config.output.resultsDir.c_str());
}

}  // namespace

namespace {

// Whether the step fine-tunes: the work data-parallel ranks share.
bool stepTrains(const StepPlan& plan) {
    switch (plan.method) {
        case Method::Unstructured:
        case Method::Structured:
        case Method::Progressive:
            return plan.prune.fineTuneEpochs > 0;
        default:
            return plan.quant.method == Method::Qat;
    }
}

// Runs a tpq prune / tpq quantize step: alone, as `nproc` local ranks, or as this srun
// task's rank. Fine-tuning is shared by the ranks; rank 0 alone tests, measures, writes and
// prints (with `print`). A step without fine-tuning runs on rank 0 only.
int runStepCommand(const StepPlan& plan, int nproc, const std::function<void(const std::vector<RunResult>&)>& print) {
    const bool trains = stepTrains(plan);
    if (nproc > 1) {
        if (!trains)
            throw Error(
                "--nproc shares fine-tuning among processes, and this step does not fine-tune: give "
                "--fine-tune-epochs N (pruning) or use --qat, or leave --nproc out");
        return spawnRanks(nproc);
    }
    const DataParallelPlace place = DataParallel::placeFromEnvironment();
    if (!trains && place.rank != 0) {  // srun -n K of a step with nothing to share
        logInfo("rank " + std::to_string(place.rank) + ": this step does not fine-tune; rank 0 runs it alone");
        return 0;
    }
    const std::unique_ptr<DataParallel> group = trains ? DataParallel::fromEnvironment() : nullptr;
    if (group && group->rank() != 0) {
        runStep(plan, otherRankCallbacks(group.get()));
        return 0;
    }
    TerminalProgress bar;
    TrainRunCallbacks callbacks = progressCallbacks(bar);
    callbacks.group = group.get();
    const std::vector<RunResult> results = runStep(plan, callbacks);
    bar.done();
    if (group)
        logInfo("data-parallel fine-tuning over " + std::to_string(group->world()) +
                " processes: " + formatFixed(group->communicationSeconds(), 2) + " s in communication");
    if (!results.empty()) print(results);
    return 0;
}

}  // namespace

int runPrune(const PruneCommand& command, const ExperimentConfig* given) {
    const ExperimentConfig config = configFor(command.modelDir, given);
    const VariantSpec v = pruneVariant(command, config);
    std::vector<VariantSpec> sweep = {v};
    if (v.method == Method::Unstructured && !v.sparsity) {  // the config's levels, one run each
        sweep = unstructuredSweep(config);
        for (auto& level : sweep) level.fineTuneEpochs = v.fineTuneEpochs;
    }
    const StepPlan plan = sweep.size() > 1 ? resolveSweep(sweep, config, command.modelDir)
                                           : resolve(sweep.front(), config, command.modelDir);
    return runStepCommand(plan, command.nproc, [&](const std::vector<RunResult>& results) {
        if (v.method == Method::Structured)
            printStructured(results.front(), plan, command.modelDir);
        else if (v.method == Method::Progressive)
            printProgressive(results.front(), plan, command.modelDir);
        else
            printUnstructured(results, plan, command.modelDir);
    });
}

namespace {

// The quantization step `tpq quantize` asks for, as a variant (the same as a project's).
VariantSpec quantizeVariant(const QuantizeCommand& command, const ExperimentConfig& config) {
    const int flags = int(command.dynamic) + int(command.isStatic) + int(command.qat) + int(command.mixed);
    if (flags > 1) throw Error("give one quantization method: --dynamic, --static, --qat or --mixed");
    VariantSpec v;
    v.method = command.dynamic    ? Method::Dynamic
               : command.isStatic ? Method::Static
               : command.qat      ? Method::Qat
               : command.mixed    ? Method::Mixed
                                  : requireMethod(config.quantization.method, "quantization.method");
    if (command.observer && v.method != Method::Static) throw Error("--observer is for --static quantization");
    if (command.calibrationBatches && v.method != Method::Static)
        throw Error("--calibration-batches is for --static quantization");
    if (command.qatEpochs && v.method != Method::Qat) throw Error("--epochs is for --qat");
    v.observer = command.observer;
    v.calibrationBatches = command.calibrationBatches;
    v.qatEpochs = command.qatEpochs;
    return v;
}

void printQuantized(const std::vector<RunResult>& results, const StepPlan& plan, const std::string& modelDir) {
    const ExperimentConfig& config = plan.config;
    const RunResult& first = results.front();
    std::printf("%s quantization of %s; test split of %s\n", methodName(plan.method), modelDir.c_str(),
                config.data.dataset.c_str());
    if (plan.method == Method::Mixed && !first.layerSensitivity.empty()) {
        std::printf("  layer sensitivity on %d validation examples (change when the layer alone is quantized)\n",
                    config.quantization.sensitivitySamples);
        std::printf("  %-44s %12s %10s %12s %10s\n", "layer", "loss int8", "acc int8", "loss int4", "acc int4");
        for (const auto& s : first.layerSensitivity) {
            std::printf("  %-44s %+12.5f %+10.4f %+12.5f %+10.4f\n", s.layer.c_str(), s.lossDeltaInt8,
                        s.accuracyDeltaInt8, s.lossDeltaInt4, s.accuracyDeltaInt4);
        }
    }
    std::printf("  %-36s %9s %8s %8s %11s %7s %9s %8s\n", "run", "accuracy", "F1", "drop", "size", "ratio", "p50 ms",
                "speedup");
    for (const auto& r : results) {
        std::printf("  %-36s %9.4f %8.4f %8.2f %11s %7.2f %9.2f %7.2fx\n", r.runId.c_str(), r.test.accuracy, r.test.f1,
                    100.0 * (r.baselineAccuracy - r.test.accuracy), formatBytes(double(r.sizeBytes)).c_str(),
                    double(r.baselineSizeBytes) / double(r.sizeBytes), r.latency.p50Ms,
                    r.baselineLatency.p50Ms / r.latency.p50Ms);
        if (r.fakeQuantAccuracy >= 0) {
            std::printf("  %-36s %9.4f (fake-quantized model before convert)\n", "", r.fakeQuantAccuracy);
        }
    }
    std::printf("  fp32: accuracy %.4f, size %s, p50 %.2f ms (batch %lld x %lld tokens, %lld threads, side by side)\n",
                first.baselineAccuracy, formatBytes(double(first.baselineSizeBytes)).c_str(),
                first.baselineLatency.p50Ms, (long long)first.latency.batchSize, (long long)first.latency.seqLen,
                (long long)first.latency.threads);
    for (const auto& r : results) {
        if (r.weightsBytes > 0 && r.baselineWeightsBytes > 0) {
            std::printf("  %-36s weights file %s vs %s fp32: %.2fx smaller\n", r.runId.c_str(),
                        formatBytes(double(r.weightsBytes)).c_str(),
                        formatBytes(double(r.baselineWeightsBytes)).c_str(),
                        double(r.baselineWeightsBytes) / double(r.weightsBytes));
        }
    }
    std::printf("  drop in points; ratio = fp32 folder bytes / quantized folder bytes (vocab.txt included)\n");
    std::printf("  models: %s/<run>/, results: %s/<run>/result.json (precision_map, size_ratio, speedup)\n",
                config.output.checkpointDir.c_str(), config.output.resultsDir.c_str());
}

}  // namespace

int runQuantize(const QuantizeCommand& command, const ExperimentConfig* given) {
    const ExperimentConfig config = configFor(command.modelDir, given);
    const StepPlan plan = resolve(quantizeVariant(command, config), config, command.modelDir);
    return runStepCommand(plan, command.nproc, [&](const std::vector<RunResult>& results) {
        printQuantized(results, plan, command.modelDir);
    });
}

int runPredict(const std::string& modelDir, const std::vector<std::string>& texts, int maxLength) {
    for (const auto& t : predictTexts(modelDir, texts, maxLength).texts)
        std::printf("%s\t%.4f\n", t.label.c_str(), t.probabilities[size_t(t.labelIndex)]);
    return 0;
}

int runExport(const std::string& modelDir, const std::string& format, ExportOptions options) {
    const auto parsed = parseExportFormat(format);
    if (!parsed)
        throw Error("unknown export format '" + format + "': onnx (an ONNX model) or hf (a Hugging Face BERT folder)");
    options.format = *parsed;
    const ExportReport r = exportModel(modelDir, options);
    std::printf("Exported %s as %s: %s\n", modelDir.c_str(), exportFormatName(options.format), r.output.c_str());
    for (const auto& n : r.notes) std::printf("  note: %s\n", n.c_str());
    std::printf("  export.json: %s\n", r.exportJson.c_str());
    return 0;
}

namespace {

// ONNX Runtime's latency on the model exported to ONNX, on random ids of the shape `ours`
// was measured on, with as many threads; after our measurement, in a node process.
nlohmann::ordered_json ortBench(const std::string& modelDir, const LatencyStats& ours, int64_t vocabLimit) {
    const OrtEngine engine;
    const QTemporaryDir dir;
    if (!dir.isValid())
        throw Error("cannot make a temporary folder for the ONNX export: " + dir.errorString().toStdString());
    const std::string onnx = dir.path().toStdString() + "/model.onnx";
    OrtEngine::exportModel(modelDir, onnx);
    at::Generator generator = at::detail::createCPUGenerator(20261204);
    const at::Tensor ids =
        at::randint(1, vocabLimit, {ours.batchSize, ours.seqLen}, generator, at::TensorOptions(at::kLong));
    const at::Tensor mask = torch::ones({ours.batchSize, ours.seqLen}, torch::kInt64);
    std::vector<double> ms =
        engine.run(onnx, {{ids, mask}}, int(ours.batches), int(ours.threads), &interruptToken()).ms;
    const LatencyStats s = latencyStats(std::move(ms), ours.batchSize, ours.seqLen);
    nlohmann::ordered_json j;
    j["engine"] = "onnxruntime-node (third_party/npm), graph optimization all";
    j["threads"] = ours.threads;
    j["latency_ms_p50"] = s.p50Ms;
    j["latency_ms_p95"] = s.p95Ms;
    j["latency_ms_mean"] = s.meanMs;
    j["throughput"] = s.samplesPerSecond;
    j["tpq_speedup_p50"] = s.p50Ms / ours.p50Ms;  // > 1: our engine is faster
    return j;
}

}  // namespace

int runBench(const std::string& modelDir, int batchSize, int seqLen, int batches, const std::string& engine) {
    LoadedModel loaded = loadModelFolder(modelDir);
    InferenceTimer timer(*loaded.model);
    const LatencyStats s = timer.measure(batchSize, seqLen, batches, 5, int64_t(loaded.tokenizer->vocabSize()));
    nlohmann::ordered_json j;
    j["model_dir"] = modelDir;
    j["batch_size"] = s.batchSize;
    j["seq_len"] = s.seqLen;
    j["batches"] = s.batches;
    j["threads"] = s.threads;
    j["latency_ms_p50"] = s.p50Ms;
    j["latency_ms_p95"] = s.p95Ms;
    j["latency_ms_mean"] = s.meanMs;
    j["latency_ms_per_sample_p50"] = s.perSampleP50Ms;
    j["throughput"] = s.samplesPerSecond;
    j["kernel_path"] = modelKernelPath(*loaded.model);
    // How many of the linear layers skip their zeros (kernels/sparse_gemm.h).
    const auto layers = loaded.model->linearLayers();
    j["sparse_layers"] =
        std::count_if(layers.begin(), layers.end(), [](const NamedLinear& l) { return layerKernel(l).sparse; });
    j["linear_layers"] = layers.size();
    if (const auto notes = speedNotes(*loaded.model); !notes.empty()) j["notes"] = notes;
    if (engine == "ort") j["ort"] = ortBench(modelDir, s, int64_t(loaded.tokenizer->vocabSize()));
    std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << std::endl;
    return 0;
}

namespace {

// Runs a project's pending variants with a progress bar and prints its runs as a table.
// Every pending variant, or only `only` (and the baseline when it needs it).
int runProjectVariants(Project& project, const VariantSpec* only) {
    std::printf("Project %s (%s): %zu variant(s); results in %s\n", project.path().c_str(), project.name().c_str(),
                project.variants().size(), project.config().output.resultsDir.c_str());
    std::fflush(stdout);
    TerminalProgress bar;
    TrainRunCallbacks callbacks = progressCallbacks(bar);
    ExperimentRunner runner(project);
    if (only) runner.setOnly({only->key()});
    runner.run(callbacks, [&](const VariantProgress& p) {
        bar.done();
        const std::string ids = join(p.runIds, ", ");
        const std::string where = p.total ? "[" + std::to_string(p.index) + "/" + std::to_string(p.total) + "] "
                                          : "      (combined needs it) ";
        if (p.state == VariantState::Skipped) {
            std::printf("%s%s: finished before (%s), skipped\n", where.c_str(), p.variant.c_str(), ids.c_str());
        } else if (p.state == VariantState::Finished) {
            std::printf("%s%s: done in %.0f s -> %s\n", where.c_str(), p.variant.c_str(), p.seconds, ids.c_str());
        } else {
            std::printf("%s%s: %s as %s\n", where.c_str(), p.variant.c_str(),
                        p.state == VariantState::Resuming ? "interrupted before, running again" : "running",
                        ids.c_str());
        }
        std::fflush(stdout);
    });
    bar.done();
    // Every recorded run, in the order it ran (a combined variant's own pruning step included).
    std::vector<RunResult> runs;
    project.reloadRuns();  // what other processes recorded meanwhile
    for (const auto& r : project.runs())
        if (r.status == RunStatus::Finished)
            for (const auto& dir : r.resultDirs)
                runs.push_back(ResultsStore::readRun(project.absolute(dir) + "/result.json"));
    std::printf("\n%s", comparisonTable(runs).c_str());
    std::printf(
        "accuracy and F1 on the test split; drop in points and speedup versus the model each run was made "
        "from (combined: versus the baseline); latency p50 at batch %lld (b1: batch 1)\n",
        runs.empty() ? 8LL : (long long)runs.front().latency.batchSize);
    return 0;
}

}  // namespace

int runProject(const std::string& projectPath, int variantIndex) {
    Project project = Project::load(projectPath);
    if (variantIndex < 0) return runProjectVariants(project, nullptr);
    const auto& variants = project.variants();
    if (size_t(variantIndex) >= variants.size())
        throw Error("--variant-index " + std::to_string(variantIndex) + ": " + projectPath + " has " +
                    std::to_string(variants.size()) + " variants (0 to " + std::to_string(variants.size() - 1) +
                    "; tpq status lists them)");
    const VariantSpec& v = variants[size_t(variantIndex)];
    if (v.method != Method::Baseline && project.baseModel().empty()) {
        const ProjectRun* base = project.findRun("baseline");
        if (!base || base->status != RunStatus::Finished) {
            const auto b = std::find_if(variants.begin(), variants.end(),
                                        [](const VariantSpec& x) { return x.method == Method::Baseline; });
            throw Error("variant " + std::to_string(variantIndex) + " (" + v.key() +
                        ") starts from the baseline, which is not finished: run it first (tpq run " + projectPath +
                        " --variant-index " + std::to_string(b - variants.begin()) + ")");
        }
    }
    return runProjectVariants(project, &v);
}

int runSubmit(const std::string& projectPath, SlurmOptions options) {
    const Project project = Project::load(projectPath);
    std::error_code ec;
    options.tpqBinary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    options.workDir = std::filesystem::current_path().string();
    const SlurmSubmission sub = submitToSlurm(project, options);
    for (int i : sub.skippedActive)
        std::printf("variant %d (%s): its job is still queued or running, left alone\n", i,
                    project.variants()[size_t(i)].key().c_str());
    if (sub.baselineIndex < 0 && sub.arrayVariants.empty()) {
        std::printf("%s: nothing to submit, every variant is finished or running\n", project.path().c_str());
        return 0;
    }
    if (options.dryRun) {
        for (const auto& file : {sub.baselineScript, sub.arrayScript})
            if (!file.empty()) std::printf("== %s\n%s\n", file.c_str(), readFile(file).c_str());
        std::printf("== would run (--dry-run: nothing submitted)\n");
        for (const auto& c : sub.commands) std::printf("%s\n", c.c_str());
        return 0;
    }
    if (!sub.baselineJob.empty())
        std::printf("baseline (variant %d): job %s\n", sub.baselineIndex, sub.baselineJob.c_str());
    if (!sub.arrayJob.empty())
        std::printf("%zu variant(s) as job array %s%s\n", sub.arrayVariants.size(), sub.arrayJob.c_str(),
                    sub.baselineJob.empty() ? "" : (" after job " + sub.baselineJob).c_str());
    std::printf("logs: %s/logs/; follow with: tpq status %s\n", sub.folder.c_str(), projectPath.c_str());
    return 0;
}

int runStatus(const std::string& projectPath, bool json) {
    const Project project = Project::load(projectPath);
    nlohmann::ordered_json j;
    j["project"] = project.path();
    // Where the states were read from: the project file (written under its lock), or also
    // per-variant state files (a filesystem without locks).
    const bool stateFiles = project.stateFilesMerged() > 0;
    j["state_store"] = stateFiles ? "state_files" : "project_file";
    j["variants"] = nlohmann::ordered_json::array();
    std::vector<std::vector<std::string>> rows = {{"#", "variant", "state", "run ids", "job", "log"}};
    for (const VariantStatus& s : projectStatus(project, SlurmQueue::snapshot())) {
        j["variants"].push_back({{"index", s.index},
                                 {"variant", s.variant},
                                 {"state", s.state},
                                 {"run_ids", s.runIds},
                                 {"job", s.job},
                                 {"log", s.log}});
        rows.push_back({std::to_string(s.index), s.variant, s.state, join(s.runIds, ", "), s.job, s.log});
    }
    if (json) {
        std::cout << j.dump(2) << std::endl;
        return 0;
    }
    std::printf("Project %s: %zu variant(s)\n", project.path().c_str(), project.variants().size());
    if (stateFiles)
        std::printf("  states: %zu per-variant state file(s) in %s/ merged over the project file (no file locks)\n",
                    project.stateFilesMerged(), project.stateFolder().c_str());
    std::vector<size_t> width(rows.front().size(), 0);
    for (const auto& row : rows)
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (const auto& row : rows) {
        std::string line = " ";
        for (size_t c = 0; c < row.size(); ++c)
            line += "  " + (c == 0 ? std::string(width[c] - row[c].size(), ' ') + row[c]
                                   : row[c] + std::string(c + 1 < row.size() ? width[c] - row[c].size() : 0, ' '));
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

int runCombined(const ExperimentConfig& config, const std::string& modelDir) {
    const std::string path = config.name + ".tpq.yaml";
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        std::printf("%s exists: continuing that project (delete it to start over)\n", path.c_str());
        Project project = Project::load(path);
        return runProjectVariants(project, nullptr);
    }
    std::vector<VariantSpec> variants;
    if (modelDir.empty()) {
        VariantSpec baseline;
        baseline.method = Method::Baseline;
        variants.push_back(baseline);
    }
    // The config's names, read once here.
    const Method pruning = requireMethod(config.pruning.method, "pruning.method") == Method::Structured
                               ? Method::Structured
                               : Method::Unstructured;
    const Method quant = requireMethod(config.quantization.method, "quantization.method");
    if (quant != Method::Dynamic && quant != Method::Static && quant != Method::Qat)
        throw Error("combined runs quantize with dynamic, static or qat; quantization.method is '" +
                    config.quantization.method + "'");
    VariantSpec p;
    p.method = pruning;
    VariantSpec q;
    q.method = quant;
    VariantSpec c;
    c.method = Method::Combined;
    c.pruning = pruning;
    c.quantization = quant;
    variants.insert(variants.end(), {p, q, c});
    Project project = Project::create(path, config, variants, modelDir);
    project.save();
    std::printf("wrote %s (run it again with: tpq run %s)\n", path.c_str(), path.c_str());
    return runProjectVariants(project, nullptr);
}

}  // namespace tpq::cli
