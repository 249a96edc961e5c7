// tpq: the command-line front end of TPQ Studio. Parses arguments, sets up logging and
// threads, and hands off to cli_commands.cpp. Every tpq::Error ends here: printed, exit 1.

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include "cli_commands.h"
#include "config/experiment_config.h"
#include "export/model_export.h"
#include "io/model_folder.h"
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

// A library message without the stack trace LibTorch appends ("Exception raised from ...",
// "frame #0: ...").
std::string withoutTrace(std::string message) {
    for (const char* marker : {"Exception raised from", "frame #"}) message = message.substr(0, message.find(marker));
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
    return message;
}

void onInterrupt(int) {
    static int count = 0;
    if (++count > 1) std::_Exit(130);  // second Ctrl-C: stop now
    tpq::cli::interruptToken().cancel();
}

// Every option and subcommand of tpq, filled in by CLI11.
struct Cli {
    std::string configPath;
    int threads = -1;
    std::string logLevel = "info";
    bool strict = false;
    bool dumpConfig = false;
    bool allowMissingWeights = false;
    bool statsJson = false;
    tpq::cli::TokenizeOptions tok;
    std::vector<std::string> texts;
    bool resume = false;
    int nproc = 1;
    std::string modelDir;
    bool evalJson = false;
    std::string engine = "tpq";
    std::vector<std::string> predictTexts;
    int predictMaxLength = 0;
    int benchBatch = 1, benchSeq = 128, benchBatches = 50;
    tpq::cli::PruneCommand pruneCmd;
    tpq::cli::QuantizeCommand quantCmd;
    std::string projectPath;
    int variantIndex = -1;
    bool statusJson = false;
    CLI::App* status = nullptr;
    CLI::App* submit = nullptr;
    bool slurm = false;
    tpq::SlurmOptions slurmOptions;
    std::string combinedModel;
    std::string resultsDir = "results", comparisonDir = "results/comparison";
    std::string exportFormat;
    tpq::ExportOptions exportOptions;
    CLI::App* exportModel = nullptr;
    CLI::App *info = nullptr, *stats = nullptr, *tokenize = nullptr, *train = nullptr, *evaluate = nullptr,
             *predict = nullptr, *bench = nullptr, *prune = nullptr, *quantize = nullptr, *run = nullptr,
             *combined = nullptr, *compare = nullptr;
};

// Global options: --config, --threads, --log-level, --strict, --dump-config.
void addGlobalOptions(CLI::App& app, Cli& c) {
    app.add_option("-c,--config", c.configPath, "experiment config (YAML), e.g. configs/quickstart.yaml");
    app.add_option("--threads", c.threads, "intra-op threads (default: the config's threads, 0 = all cores)")
        ->check(CLI::Range(0, 256));
    app.add_option("--log-level", c.logLevel, "console log level: debug, info, warning, error, off")
        ->capture_default_str();
    app.add_flag("--strict", c.strict, "treat config warnings (unknown keys) as errors");
    app.add_flag("--dump-config", c.dumpConfig, "print the resolved config as YAML and exit");
    app.add_flag("--allow-missing-weights", c.allowMissingWeights,
                 "load model folders whose weights file lacks some of the model's weights (they start from random "
                 "values; a warning lists them) instead of refusing them");
}

// Info, data stats, tokenize.
void addDataCommands(CLI::App& app, Cli& c) {
    c.info = app.add_subcommand("info", "library versions, loaded BLAS, threads, quantized engines, CPU");

    auto* data = app.add_subcommand("data", "dataset commands");
    data->require_subcommand(1);
    c.stats = data->add_subcommand("stats", "load the config's dataset; print class counts, split and token lengths");
    c.stats->add_flag("--json", c.statsJson, "print the statistics as JSON");

    c.tokenize = app.add_subcommand("tokenize", "print the WordPiece tokens of each TEXT, one line per text");
    c.tokenize->add_option("--vocab", c.tok.vocab, "vocab.txt or vocab.json (BERT WordPiece vocabulary)")->required();
    auto* maxLength = c.tokenize
                          ->add_option("--max-length", c.tok.maxLength,
                                       "encode as the model sees it: [CLS] ... [SEP], truncated to N tokens")
                          ->check(CLI::Range(3, 1 << 20));
    c.tokenize->add_flag("--pad", c.tok.pad, "with --max-length: pad with [PAD] to N tokens")->needs(maxLength);
    c.tokenize->add_flag("--ids", c.tok.ids, "print token ids instead of tokens");
    c.tokenize->add_flag("--cased", c.tok.cased, "keep case and accents (cased vocabularies)");
    c.tokenize->add_option("TEXT", c.texts, "texts to tokenize")->required();
}

// Train, evaluate, predict, bench.
void addModelCommands(CLI::App& app, Cli& c) {
    c.train = app.add_subcommand("train",
                                 "train the config's model on its dataset; writes checkpoints/<name>/ and "
                                 "results/<name>/{result.json,history.csv}");
    c.train->add_flag("--resume", c.resume, "continue from checkpoints/<name>.resume/ (the last finished epoch)");
    c.train
        ->add_option("--nproc", c.nproc,
                     "data-parallel over K processes on this machine (c10d Gloo); under srun -n K each task is "
                     "a rank on its own")
        ->check(CLI::Range(1, 256));

    c.evaluate = app.add_subcommand("evaluate", "metrics of a model folder on a test split");
    c.evaluate->add_option("--model", c.modelDir, "model folder (from tpq train, or a Hugging Face BERT folder)")
        ->required();
    c.evaluate->add_flag("--json", c.evalJson, "print the metrics as JSON");
    c.evaluate
        ->add_option("--engine", c.engine,
                     "tpq (our engine) or ort: ONNX Runtime on the model exported to ONNX, with how often it agrees "
                     "with ours (needs node and scripts/setup's onnxruntime-node)")
        ->check(CLI::IsMember({"tpq", "ort"}))
        ->capture_default_str();

    c.predict = app.add_subcommand("predict", "label and probability for each TEXT");
    c.predict->add_option("--model", c.modelDir, "model folder")->required();
    c.predict
        ->add_option("--max-length", c.predictMaxLength,
                     "tokens per text, 3 to 8192 (default: the model's training max_length)")
        ->check(CLI::Range(3, 8192));
    c.predict->add_option("TEXT", c.predictTexts, "texts to classify")->required();

    c.bench = app.add_subcommand("bench", "inference latency and throughput of a model folder, as JSON");
    c.bench->add_option("--model", c.modelDir, "model folder")->required();
    c.bench->add_option("--batch-size", c.benchBatch, "examples per batch")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    c.bench->add_option("--seq-len", c.benchSeq, "tokens per example")
        ->check(CLI::Range(2, 8192))
        ->capture_default_str();
    c.bench->add_option("--batches", c.benchBatches, "timed batches")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    c.bench
        ->add_option("--engine", c.engine,
                     "tpq (our engine) or ort: also time ONNX Runtime on the model exported to ONNX, same shape and "
                     "threads (key \"ort\")")
        ->check(CLI::IsMember({"tpq", "ort"}))
        ->capture_default_str();
}

// Prune.
void addPruneCommand(CLI::App& app, Cli& c) {
    c.prune = app.add_subcommand(
        "prune",
        "prune a trained model folder (--unstructured, --structured or --progressive; default pruning.method); "
        "a pruned model folder and result.json per run");
    c.prune->add_flag(
        "--unstructured", c.pruneCmd.unstructured,
        "unstructured pruning: the smallest-magnitude weights of the encoder's linear layers set to zero");
    c.prune->add_flag("--structured", c.pruneCmd.structured,
                      "structured pruning: whole attention heads and feed-forward neurons removed, so the model "
                      "is physically smaller and faster");
    c.prune->add_flag("--progressive", c.pruneCmd.progressive,
                      "progressive pruning: sparsity raised step by step (pruning.progressive.*), fine-tuning "
                      "between steps");
    c.prune->add_option("--model", c.pruneCmd.modelDir, "model folder (from tpq train)")->required();
    c.prune
        ->add_option_function<double>(
            "--sparsity", [&](const double& v) { c.pruneCmd.sparsity = v; },
            "fraction of weights to remove, in [0, 1) (default: pruning.unstructured.sparsity_levels; "
            "with --progressive: pruning.progressive.final_sparsity; with --structured: that fraction "
            "of the heads and of each layer's feed-forward neurons)")
        ->check(kFraction);
    c.prune
        ->add_option_function<int>(
            "--heads", [&](const int& v) { c.pruneCmd.heads = v; },
            "--structured: attention heads to remove in total (default: "
            "pruning.attention_head_pruning.num_heads_to_prune)")
        ->check(CLI::Range(0, 100000));
    c.prune
        ->add_option_function<double>(
            "--ffn-sparsity", [&](const double& v) { c.pruneCmd.ffnSparsity = v; },
            "--structured: fraction of each layer's feed-forward neurons to remove (default: "
            "pruning.ffn_pruning.intermediate_sparsity)")
        ->check(kFraction);
    c.prune->add_option_function<std::string>(
        "--block",
        [&](const std::string& v) {
            c.pruneCmd.block = tpq::parseBlockShape(v);
            if (!c.pruneCmd.block)
                throw CLI::ValidationError("--block", "'" + v + "' is not a block shape ROWSxCOLS with sides in [1, " +
                                                          std::to_string(tpq::kMaxBlockSide) + "], like 1x4");
        },
        "--unstructured/--progressive: prune blocks of ROWSxCOLS weights (outputs x inputs) together, "
        "e.g. 1x4, which the sparse int8 kernel skips whole (default: pruning.unstructured.block, 1x1)");
    c.prune
        ->add_option_function<int>(
            "--fine-tune-epochs", [&](const int& v) { c.pruneCmd.fineTuneEpochs = v; },
            "epochs of fine-tuning after pruning, pruned weights kept at zero (default: "
            "pruning.fine_tune_epochs)")
        ->check(CLI::Range(0, 1000));
    c.prune
        ->add_option("--nproc", c.pruneCmd.nproc,
                     "fine-tuning data-parallel over K processes on this machine (c10d Gloo; needs fine-tuning "
                     "epochs); under srun -n K each task is a rank on its own")
        ->check(CLI::Range(1, 256));
}

// Quantize.
void addQuantizeCommand(CLI::App& app, Cli& c) {
    c.quantize = app.add_subcommand(
        "quantize",
        "quantize a trained model folder (--dynamic, --static, --qat or --mixed; default quantization.method); "
        "a quantized model folder and result.json per run");
    c.quantize->add_flag("--dynamic", c.quantCmd.dynamic,
                         "dynamic int8: int8 weights, activations quantized on the fly (or fp16 weights with "
                         "quantization.dtype: float16)");
    c.quantize->add_flag("--static", c.quantCmd.isStatic,
                         "static int8: activation ranges calibrated on training batches (quantization.observer)");
    c.quantize->add_flag("--qat", c.quantCmd.qat,
                         "quantization-aware training: fine-tune through fake quantization, then convert to int8");
    c.quantize->add_flag("--mixed", c.quantCmd.mixed,
                         "mixed precision: layer sensitivity, then all-int8, top-k sensitive layers in bf16, "
                         "least sensitive in int4");
    c.quantize->add_option("--model", c.quantCmd.modelDir, "float model folder (from tpq train or tpq prune)")
        ->required();
    c.quantize->add_option_function<std::string>(
        "--observer", [&](const std::string& v) { c.quantCmd.observer = v; },
        "--static: minmax, moving_average, percentile or mse");
    c.quantize
        ->add_option_function<int>(
            "--calibration-batches", [&](const int& v) { c.quantCmd.calibrationBatches = v; },
            "--static: training batches to calibrate on (default quantization.calibration_batches)")
        ->check(CLI::Range(1, 1000000));
    c.quantize
        ->add_option_function<int>(
            "--epochs", [&](const int& v) { c.quantCmd.qatEpochs = v; },
            "--qat: fine-tuning epochs (default quantization.qat.epochs)")
        ->check(CLI::Range(1, 1000));
    c.quantize
        ->add_option("--nproc", c.quantCmd.nproc,
                     "--qat: fine-tuning data-parallel over K processes on this machine (c10d Gloo); under srun -n K "
                     "each task is a rank on its own")
        ->check(CLI::Range(1, 256));
}

// Run, combined, compare.
void addProjectCommands(CLI::App& app, Cli& c) {
    c.run = app.add_subcommand("run",
                               "run every variant of a project file (*.tpq.yaml) not finished yet: a re-run "
                               "skips finished variants and runs an interrupted one again");
    c.run->add_option("PROJECT", c.projectPath, "project file, e.g. configs/demo.tpq.yaml")->required();
    c.run
        ->add_option("--variant-index", c.variantIndex,
                     "run only variant I (0-based, as tpq status numbers them); other tpq processes may run other "
                     "variants of the same project at the same time (a Slurm job array)")
        ->check(CLI::Range(0, 1000000));

    c.submit = app.add_subcommand("submit",
                                  "run a project's unfinished variants on a Slurm cluster: the baseline as one job, "
                                  "the other variants as a job array after it; scripts and logs in <project>.slurm/");
    c.submit->add_option("PROJECT", c.projectPath, "project file")->required();
    c.submit->add_flag("--slurm", c.slurm, "submit with sbatch (the one scheduler tpq knows)")->required();
    c.submit->add_option("--partition", c.slurmOptions.partition, "sbatch --partition");
    c.submit->add_option("--time", c.slurmOptions.time, "sbatch --time per job, e.g. 02:00:00");
    c.submit->add_option("--cpus-per-task", c.slurmOptions.cpusPerTask, "sbatch --cpus-per-task; tpq's threads")
        ->check(CLI::Range(1, 4096));
    c.submit->add_option("--mem", c.slurmOptions.mem, "sbatch --mem, e.g. 8G");
    c.submit->add_option("--max-running", c.slurmOptions.maxRunning, "array tasks running at once (--array=...%N)")
        ->check(CLI::Range(1, 100000));
    c.submit->add_option("--account", c.slurmOptions.account, "sbatch --account");
    c.submit->add_option("--sbatch-arg", c.slurmOptions.sbatchArgs, "any other sbatch argument (repeatable)")
        ->allow_extra_args(false);
    c.submit->add_flag("--dry-run", c.slurmOptions.dryRun, "write and print the scripts and sbatch commands only");

    c.status = app.add_subcommand("status", "each variant of a project: pending, running, cancelled or finished");
    c.status->add_option("PROJECT", c.projectPath, "project file")->required();
    c.status->add_flag("--json", c.statusJson, "print the states as JSON");

    c.combined = app.add_subcommand(
        "combined",
        "pruning followed by quantization (the original's experiment_combined.py) with --config: baseline, "
        "pruning.method, quantization.method and both combined, as the project <name>.tpq.yaml");
    c.combined->add_option("--model", c.combinedModel, "start from this trained model folder instead of training one");

    c.exportModel = app.add_subcommand("export",
                                       "write a model for another tool: ONNX (--format onnx, fp32 and int8 forms) or a "
                                       "Hugging Face BERT folder (--format hf), with export.json");
    c.exportModel->add_option("--model", c.modelDir, "model folder (trained, pruned or quantized)")->required();
    c.exportModel->add_option("--format", c.exportFormat, "onnx or hf")->required();
    c.exportModel
        ->add_option("--output", c.exportOptions.output,
                     "onnx: the .onnx file (or a folder for model.onnx); hf: the folder to write")
        ->required();
    c.exportModel->add_option("--opset", c.exportOptions.opset, "onnx: the ONNX opset, 11 to 17 (int8: 13 or later)")
        ->capture_default_str();
    c.exportModel->add_flag("--force", c.exportOptions.force, "replace --output when it exists");

    c.compare =
        app.add_subcommand("compare", "comparison.csv, PNG plots and report.md from every results/<run>/result.json");
    c.compare->add_option("--results-dir", c.resultsDir, "folder of run folders")->capture_default_str();
    c.compare->add_option("--output-dir", c.comparisonDir, "where the CSV, plots and report go")->capture_default_str();
}

// Runs the parsed command; every error ends here: printed, exit 1 (130 when interrupted).
int dispatch(CLI::App& app, Cli& c) {
    try {
        const tpq::LogLevel level = tpq::parseLogLevel(c.logLevel);
        tpq::initLogging(level, "");
        tpq::ExperimentConfig config;
        const bool needsConfig = c.dumpConfig || c.stats->parsed() || c.train->parsed() || c.combined->parsed();
        if (needsConfig && c.configPath.empty()) {
            throw tpq::Error(std::string(c.dumpConfig           ? "--dump-config"
                                         : c.stats->parsed()    ? "data stats"
                                         : c.combined->parsed() ? "combined"
                                                                : "train") +
                             " needs --config FILE (try configs/" +
                             (c.combined->parsed() ? "combined_config" : "quickstart") + ".yaml)");
        }
        if (!c.configPath.empty()) {
            config = tpq::cli::loadConfig(c.configPath, c.strict);
            // Work driven by a config is logged to its output.log_dir (default logs/tpq.log).
            if (!c.dumpConfig) tpq::initLogging(level, config.output.logDir);
        }
        tpq::ModelLoadOptions load;
        load.allowMissingWeights = c.allowMissingWeights;
        tpq::ModelLoadOptions::setProcessDefault(load);
        if (c.threads >= 0) config.threads = c.threads;  // --threads wins over the config
        tpq::setNumThreads(config.threads);

        if (c.dumpConfig) return tpq::cli::runDumpConfig(config);
        if (c.info->parsed()) return tpq::cli::runInfo();
        if (c.stats->parsed()) return tpq::cli::runDataStats(config, c.statsJson);
        if (c.tokenize->parsed()) return tpq::cli::runTokenize(c.tok, c.texts);
        if (c.train->parsed()) return tpq::cli::runTrain(config, c.resume, c.nproc);
        if (c.evaluate->parsed())
            return tpq::cli::runEvaluate(c.modelDir, c.configPath.empty() ? nullptr : &config, c.evalJson, c.engine);
        if (c.predict->parsed()) return tpq::cli::runPredict(c.modelDir, c.predictTexts, c.predictMaxLength);
        if (c.bench->parsed())
            return tpq::cli::runBench(c.modelDir, c.benchBatch, c.benchSeq, c.benchBatches, c.engine);
        if (c.prune->parsed()) return tpq::cli::runPrune(c.pruneCmd, c.configPath.empty() ? nullptr : &config);
        if (c.quantize->parsed()) return tpq::cli::runQuantize(c.quantCmd, c.configPath.empty() ? nullptr : &config);
        if (c.run->parsed()) return tpq::cli::runProject(c.projectPath, c.variantIndex);
        if (c.status->parsed()) return tpq::cli::runStatus(c.projectPath, c.statusJson);
        if (c.submit->parsed()) return tpq::cli::runSubmit(c.projectPath, c.slurmOptions);
        if (c.combined->parsed()) return tpq::cli::runCombined(config, c.combinedModel);
        if (c.compare->parsed()) return tpq::cli::runCompare(c.resultsDir, c.comparisonDir);
        if (c.exportModel->parsed()) return tpq::cli::runExport(c.modelDir, c.exportFormat, c.exportOptions);
        std::printf("%s", app.help().c_str());
        return 0;
    } catch (const tpq::Cancelled& e) {
        std::fprintf(stderr, "\ninterrupted: %s\n", e.what());
        return 130;
    } catch (const tpq::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "internal error: %s\n(please report this with the command you ran)\n",
                     withoutTrace(e.what()).c_str());
        return 2;
    }
}

// Output that could not be written (a full disk, a closed pipe) is a failure, not exit 0.
int checkedExit(int code) {
    std::cout.flush();
    const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout;
    if (failed && code == 0) {
        std::fprintf(stderr, "error: cannot write the output: %s\n", std::strerror(errno ? errno : EIO));
        return 1;
    }
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    tpq::setUpProcess();
    CLI::App app{"TPQ Studio: prune, quantize and compare Transformer text classifiers", "tpq"};
    app.set_version_flag("--version", std::string("tpq ") + TPQ_VERSION);
    app.require_subcommand(0, 1);
    app.fallthrough();
    Cli c;
    addGlobalOptions(app, c);
    addDataCommands(app, c);
    addModelCommands(app, c);
    addPruneCommand(app, c);
    addQuantizeCommand(app, c);
    addProjectCommands(app, c);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error exits 1, like other errors.
        return app.exit(e) == 0 ? 0 : 1;
    }

    if (c.train->parsed() || c.evaluate->parsed() || c.predict->parsed() || c.bench->parsed() || c.prune->parsed() ||
        c.quantize->parsed() || c.run->parsed() || c.combined->parsed())
        ensurePassiveOpenMp(argv);
    std::signal(SIGINT, onInterrupt);
    return checkedExit(dispatch(app, c));
}
