// tpq: the command-line front end of TPQ Studio. Parses arguments, sets up logging and
// threads, and hands off to cli_commands.cpp. Every tpq::Error ends here: printed, exit 1.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include "cli_commands.h"
#include "config/experiment_config.h"
#include "util/error.h"
#include "util/logging.h"
#include "util/system_info.h"

namespace {

// LibTorch's OpenMP workers spin while OpenBLAS's own threads compute, so the two fight
// for the cores: measured here, a 1024x768x3072 linear runs at 165 GFLOP/s with spinning
// workers and 222 with OMP_WAIT_POLICY=passive, and a small Transformer's inference 1.7x
// faster. libgomp reads the variable only when it is loaded, so heavy commands re-execute
// tpq once with it set (a user's own setting is kept).
void ensurePassiveOpenMp(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
    ::setenv("OMP_WAIT_POLICY", "passive", 1);
    ::execv("/proc/self/exe", argv);  // returns only on failure: then run as we are
}

// A fraction in [0, 1) (a sparsity): negatives, NaN and infinities are refused, naming the
// value, instead of falling back to the config's defaults.
const CLI::Validator kFraction(
    [](std::string& text) -> std::string {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size()) return "'" + text + "' is not a number (a fraction in [0, 1), e.g. 0.5)";
        if (!(v >= 0 && v < 1)) return "must be a fraction in [0, 1) (0.5 removes half), got " + text;
        return {};
    },
    "FRACTION in [0, 1)");

void onInterrupt(int) {
    static int count = 0;
    if (++count > 1) std::_Exit(130);  // second Ctrl-C: stop now
    tpq::cli::interruptToken().cancel();
}

}  // namespace

int main(int argc, char** argv) {
    tpq::setUpProcess();
    CLI::App app{"TPQ Studio: prune, quantize and compare Transformer text classifiers", "tpq"};
    app.set_version_flag("--version", std::string("tpq ") + TPQ_VERSION);
    app.require_subcommand(0, 1);
    app.fallthrough();

    std::string configPath;
    int threads = -1;
    std::string logLevel = "info";
    bool strict = false;
    bool dumpConfig = false;
    app.add_option("-c,--config", configPath, "experiment config (YAML), e.g. configs/quickstart.yaml");
    app.add_option("--threads", threads, "intra-op threads (default: the config's threads, 0 = all cores)")
        ->check(CLI::Range(0, 256));
    app.add_option("--log-level", logLevel, "console log level: debug, info, warning, error, off")
        ->capture_default_str();
    app.add_flag("--strict", strict, "treat config warnings (unknown keys) as errors");
    app.add_flag("--dump-config", dumpConfig, "print the resolved config as YAML and exit");

    auto* info = app.add_subcommand("info", "library versions, loaded BLAS, threads, quantized engines, CPU");

    auto* data = app.add_subcommand("data", "dataset commands");
    data->require_subcommand(1);
    bool statsJson = false;
    auto* stats =
        data->add_subcommand("stats", "load the config's dataset; print class counts, split and token lengths");
    stats->add_flag("--json", statsJson, "print the statistics as JSON");

    tpq::cli::TokenizeOptions tok;
    std::vector<std::string> texts;
    auto* tokenize = app.add_subcommand("tokenize", "print the WordPiece tokens of each TEXT, one line per text");
    tokenize->add_option("--vocab", tok.vocab, "vocab.txt or vocab.json (BERT WordPiece vocabulary)")->required();
    auto* maxLength = tokenize
                          ->add_option("--max-length", tok.maxLength,
                                       "encode as the model sees it: [CLS] ... [SEP], truncated to N tokens")
                          ->check(CLI::Range(3, 1 << 20));
    tokenize->add_flag("--pad", tok.pad, "with --max-length: pad with [PAD] to N tokens")->needs(maxLength);
    tokenize->add_flag("--ids", tok.ids, "print token ids instead of tokens");
    tokenize->add_flag("--cased", tok.cased, "keep case and accents (cased vocabularies)");
    tokenize->add_option("TEXT", texts, "texts to tokenize")->required();

    bool resume = false;
    auto* train = app.add_subcommand("train",
                                     "train the config's model on its dataset; writes checkpoints/<name>/ and "
                                     "results/<name>/{result.json,history.csv}");
    train->add_flag("--resume", resume, "continue from checkpoints/<name>.resume/ (the last finished epoch)");

    std::string modelDir;
    bool evalJson = false;
    auto* evaluate = app.add_subcommand("evaluate", "metrics of a model folder on a test split");
    evaluate->add_option("--model", modelDir, "model folder (from tpq train, or a Hugging Face BERT folder)")
        ->required();
    evaluate->add_flag("--json", evalJson, "print the metrics as JSON");

    std::vector<std::string> predictTexts;
    int predictMaxLength = 0;
    auto* predict = app.add_subcommand("predict", "label and probability for each TEXT");
    predict->add_option("--model", modelDir, "model folder")->required();
    predict->add_option("--max-length", predictMaxLength, "tokens per text, 3 to 8192 (default: the model's training max_length)")
        ->check(CLI::Range(3, 8192));
    predict->add_option("TEXT", predictTexts, "texts to classify")->required();

    int benchBatch = 1, benchSeq = 128, benchBatches = 50;
    auto* bench = app.add_subcommand("bench", "inference latency and throughput of a model folder, as JSON");
    bench->add_option("--model", modelDir, "model folder")->required();
    bench->add_option("--batch-size", benchBatch, "examples per batch")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    bench->add_option("--seq-len", benchSeq, "tokens per example")->check(CLI::Range(2, 8192))->capture_default_str();
    bench->add_option("--batches", benchBatches, "timed batches")->check(CLI::Range(1, 100000))->capture_default_str();

    tpq::cli::PruneCommand pruneCmd;
    auto* prune = app.add_subcommand(
        "prune",
        "prune a trained model folder (--unstructured, --structured or --progressive; default pruning.method); "
        "a pruned model folder and result.json per run");
    prune->add_flag("--unstructured", pruneCmd.unstructured,
                    "unstructured pruning: the smallest-magnitude weights of the encoder's linear layers set to zero");
    prune->add_flag("--structured", pruneCmd.structured,
                    "structured pruning: whole attention heads and feed-forward neurons removed, so the model "
                    "is physically smaller and faster");
    prune->add_flag("--progressive", pruneCmd.progressive,
                    "progressive pruning: sparsity raised step by step (pruning.progressive.*), fine-tuning "
                    "between steps");
    prune->add_option("--model", pruneCmd.modelDir, "model folder (from tpq train)")->required();
    prune->add_option_function<double>("--sparsity", [&](const double& v) { pruneCmd.sparsity = v; },
                      "fraction of weights to remove, in [0, 1) (default: pruning.unstructured.sparsity_levels; "
                      "with --progressive: pruning.progressive.final_sparsity; with --structured: that fraction "
                      "of the heads and of each layer's feed-forward neurons)")
        ->check(kFraction);
    prune->add_option_function<int>("--heads", [&](const int& v) { pruneCmd.heads = v; },
                      "--structured: attention heads to remove in total (default: "
                      "pruning.attention_head_pruning.num_heads_to_prune)")
        ->check(CLI::Range(0, 100000));
    prune->add_option_function<double>("--ffn-sparsity", [&](const double& v) { pruneCmd.ffnSparsity = v; },
                      "--structured: fraction of each layer's feed-forward neurons to remove (default: "
                      "pruning.ffn_pruning.intermediate_sparsity)")
        ->check(kFraction);
    prune
        ->add_option_function<int>("--fine-tune-epochs", [&](const int& v) { pruneCmd.fineTuneEpochs = v; },
                     "epochs of fine-tuning after pruning, pruned weights kept at zero (default: "
                     "pruning.fine_tune_epochs)")
        ->check(CLI::Range(0, 1000));

    tpq::cli::QuantizeCommand quantCmd;
    auto* quantize = app.add_subcommand(
        "quantize",
        "quantize a trained model folder (--dynamic, --static, --qat or --mixed; default quantization.method); "
        "a quantized model folder and result.json per run");
    quantize->add_flag("--dynamic", quantCmd.dynamic,
                       "dynamic int8: int8 weights, activations quantized on the fly (or fp16 weights with "
                       "quantization.dtype: float16)");
    quantize->add_flag("--static", quantCmd.isStatic,
                       "static int8: activation ranges calibrated on training batches (quantization.observer)");
    quantize->add_flag("--qat", quantCmd.qat,
                       "quantization-aware training: fine-tune through fake quantization, then convert to int8");
    quantize->add_flag("--mixed", quantCmd.mixed,
                       "mixed precision: layer sensitivity, then all-int8, top-k sensitive layers in bf16, "
                       "least sensitive in int4");
    quantize->add_option("--model", quantCmd.modelDir, "float model folder (from tpq train or tpq prune)")->required();
    quantize->add_option_function<std::string>("--observer", [&](const std::string& v) { quantCmd.observer = v; }, "--static: minmax, moving_average, percentile or mse");
    quantize->add_option_function<int>("--calibration-batches", [&](const int& v) { quantCmd.calibrationBatches = v; },
                         "--static: training batches to calibrate on (default quantization.calibration_batches)")
        ->check(CLI::Range(1, 1000000));
    quantize->add_option_function<int>("--epochs", [&](const int& v) { quantCmd.qatEpochs = v; }, "--qat: fine-tuning epochs (default quantization.qat.epochs)")
        ->check(CLI::Range(1, 1000));

    std::string projectPath;
    auto* run = app.add_subcommand("run",
                                   "run every variant of a project file (*.tpq.yaml) not finished yet: a re-run "
                                   "skips finished variants and runs an interrupted one again");
    run->add_option("PROJECT", projectPath, "project file, e.g. configs/demo.tpq.yaml")->required();

    std::string combinedModel;
    auto* combined = app.add_subcommand(
        "combined",
        "pruning followed by quantization (the original's experiment_combined.py) with --config: baseline, "
        "pruning.method, quantization.method and both combined, as the project <name>.tpq.yaml");
    combined->add_option("--model", combinedModel, "start from this trained model folder instead of training one");

    std::string resultsDir = "results", comparisonDir = "results/comparison";
    auto* compare = app.add_subcommand(
        "compare", "comparison.csv, PNG plots and report.md from every results/<run>/result.json");
    compare->add_option("--results-dir", resultsDir, "folder of run folders")->capture_default_str();
    compare->add_option("--output-dir", comparisonDir, "where the CSV, plots and report go")->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error exits 1, like other errors.
        return app.exit(e) == 0 ? 0 : 1;
    }

    if (train->parsed() || evaluate->parsed() || predict->parsed() || bench->parsed() || prune->parsed() ||
        quantize->parsed() || run->parsed() || combined->parsed())
        ensurePassiveOpenMp(argv);
    std::signal(SIGINT, onInterrupt);
    try {
        const tpq::LogLevel level = tpq::parseLogLevel(logLevel);
        tpq::initLogging(level, "");
        tpq::ExperimentConfig config;
        const bool needsConfig = dumpConfig || stats->parsed() || train->parsed() || combined->parsed();
        if (needsConfig && configPath.empty()) {
            throw tpq::Error(std::string(dumpConfig           ? "--dump-config"
                                         : stats->parsed()    ? "data stats"
                                         : combined->parsed() ? "combined"
                                                              : "train") +
                             " needs --config FILE (try configs/" +
                             (combined->parsed() ? "combined_config" : "quickstart") + ".yaml)");
        }
        if (!configPath.empty()) {
            config = tpq::cli::loadConfig(configPath, strict);
            // Work driven by a config is logged to its output.log_dir (default logs/tpq.log).
            if (!dumpConfig) tpq::initLogging(level, config.output.logDir);
        }
        if (threads >= 0) config.threads = threads;  // --threads wins over the config
        tpq::setNumThreads(config.threads);

        if (dumpConfig) return tpq::cli::runDumpConfig(config);
        if (info->parsed()) return tpq::cli::runInfo();
        if (stats->parsed()) return tpq::cli::runDataStats(config, statsJson);
        if (tokenize->parsed()) return tpq::cli::runTokenize(tok, texts);
        if (train->parsed()) return tpq::cli::runTrain(config, resume);
        if (evaluate->parsed())
            return tpq::cli::runEvaluate(modelDir, configPath.empty() ? nullptr : &config, evalJson);
        if (predict->parsed()) return tpq::cli::runPredict(modelDir, predictTexts, predictMaxLength);
        if (bench->parsed()) return tpq::cli::runBench(modelDir, benchBatch, benchSeq, benchBatches);
        if (prune->parsed()) return tpq::cli::runPrune(pruneCmd, configPath.empty() ? nullptr : &config);
        if (quantize->parsed()) return tpq::cli::runQuantize(quantCmd, configPath.empty() ? nullptr : &config);
        if (run->parsed()) return tpq::cli::runProject(projectPath);
        if (combined->parsed()) return tpq::cli::runCombined(config, combinedModel);
        if (compare->parsed()) return tpq::cli::runCompare(resultsDir, comparisonDir);
        std::printf("%s", app.help().c_str());
        return 0;
    } catch (const tpq::Cancelled& e) {
        std::fprintf(stderr, "\ninterrupted: %s\n", e.what());
        return 130;
    } catch (const tpq::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "internal error: %s\n(please report this with the command you ran)\n", e.what());
        return 2;
    }
}
