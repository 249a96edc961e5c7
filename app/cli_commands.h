#pragma once
// The `tpq` subcommands. Each returns the process exit code and throws tpq::Error for
// user-facing failures (main prints them and exits 1).

#include <optional>
#include <string>
#include <vector>

#include "experiment/slurm_submit.h"
#include "export/model_export.h"
#include "util/block_shape.h"
#include "util/progress.h"

namespace tpq {
struct ExperimentConfig;
}

namespace tpq::cli {

/// Set by SIGINT; long commands pass it to core.
CancellationToken& interruptToken();

/// Loads and validates a config; prints warnings; with `strict`, warnings are errors.
ExperimentConfig loadConfig(const std::string& path, bool strict);

int runInfo();
int runDataStats(const ExperimentConfig& config, bool json);
struct TokenizeOptions {
    std::string vocab;
    int maxLength = 0;   // 0 = no [CLS]/[SEP], no truncation
    bool pad = false;    // pad to maxLength with [PAD]
    bool ids = false;    // print ids instead of tokens
    bool cased = false;  // keep case and accents
};
int runTokenize(const TokenizeOptions& options, const std::vector<std::string>& texts);
int runDumpConfig(const ExperimentConfig& config);
/// `nproc` > 1: that many processes of this tpq as the ranks of a data-parallel run
/// (train/data_parallel.h); under srun (or TPQ_RANK/TPQ_WORLD_SIZE) this process is one rank.
int runTrain(const ExperimentConfig& config, bool resume, int nproc = 1);
/// `config` may be null: then the training config stored in the model's tpq.json is used.
/// `engine`: "tpq", or "ort" (ONNX Runtime on an ONNX export, with its agreement with ours).
int runEvaluate(const std::string& modelDir, const ExperimentConfig* config, bool json, const std::string& engine);
int runPredict(const std::string& modelDir, const std::vector<std::string>& texts, int maxLength);
/// `engine` "ort": ONNX Runtime's latency on the model's ONNX export beside ours ("ort" key).
int runBench(const std::string& modelDir, int batchSize, int seqLen, int batches, const std::string& engine);

struct PruneCommand {
    std::string modelDir;
    bool unstructured = false;
    bool structured = false;
    bool progressive = false;
    std::optional<double> sparsity;     // --sparsity; unset = the config's levels
    std::optional<int> heads;           // --heads (structured): a count; unset = num_heads_to_prune
    std::optional<double> ffnSparsity;  // --ffn-sparsity (structured); unset = ffn_pruning.intermediate_sparsity
    std::optional<int> fineTuneEpochs;  // --fine-tune-epochs; unset = pruning.fine_tune_epochs
    std::optional<BlockShape> block;    // --block (unstructured, progressive); unset = pruning.unstructured.block
    int nproc = 1;                      // --nproc: fine-tuning data-parallel over that many processes
};
/// tpq export: `format` is parsed here (an unknown one is an error naming the formats).
int runExport(const std::string& modelDir, const std::string& format, ExportOptions options);

/// `config` may be null: then the training config stored in the model's tpq.json is used.
int runPrune(const PruneCommand& command, const ExperimentConfig* config);

struct QuantizeCommand {
    std::string modelDir;
    bool dynamic = false, isStatic = false, qat = false, mixed = false;  // --dynamic, --static, --qat, --mixed
    std::optional<std::string> observer;    // --observer (static); unset = quantization.observer
    std::optional<int> calibrationBatches;  // --calibration-batches (static); unset = quantization.calibration_batches
    std::optional<int> qatEpochs;           // --epochs (qat); unset = quantization.qat.epochs
    int nproc = 1;                          // --nproc (qat): fine-tuning data-parallel over that many processes
};
/// `config` may be null: then the training config stored in the model's tpq.json is used,
/// with the default quantization settings.
int runQuantize(const QuantizeCommand& command, const ExperimentConfig* config);

/// `tpq run PROJECT.tpq.yaml`: every variant not finished yet, then the project's table.
/// `variantIndex` >= 0: only that variant (0-based in the project's variant list); it must
/// not need an unfinished baseline.
int runProject(const std::string& projectPath, int variantIndex = -1);
/// `tpq submit PROJECT --slurm`: experiment/slurm_submit.h.
int runSubmit(const std::string& projectPath, SlurmOptions options);
/// `tpq status PROJECT`: each variant's state, run ids and the job that runs it.
int runStatus(const std::string& projectPath, bool json);
/// `tpq combined --config F`: baseline (or --model), the config's pruning, its
/// quantization, and pruning followed by quantization, as the project <name>.tpq.yaml.
int runCombined(const ExperimentConfig& config, const std::string& modelDir);
/// `tpq compare`: comparison.csv, PNG plots and report.md from every run in `resultsDir`.
int runCompare(const std::string& resultsDir, const std::string& outputDir);

}  // namespace tpq::cli
