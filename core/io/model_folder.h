#pragma once
/// \file model_folder.h
/// A model folder: config.json (Hugging Face format for BERT, "tpq-transformer" for the
/// custom model) + model.safetensors + vocab.txt + tpq.json (label names, training
/// config, metrics). Also reads Hugging Face BERT folders a user already has (config.json
/// + vocab.txt + model.safetensors or pytorch_model.bin).

#include <memory>
#include <string>

#include "io/model_info.h"
#include "models/classifier.h"
#include "models/state_dict.h"
#include "text/tokenizer.h"

namespace tpq {

struct LoadedModel {
    ClassifierPtr model;
    std::unique_ptr<Tokenizer> tokenizer;
    ModelInfo info;               // tpq.json (info.present false for a plain Hugging Face folder)
    std::string weightsFile;      // the file the weights came from
    StateDictReport report;       // missing / unexpected keys
    bool headMissing = false;     // a Hugging Face folder without a classifier head (random values)
    bool missingAllowed = false;  // loaded with ModelLoadOptions::allowMissingWeights
};

/// How strict loadModelFolder is about missing weights.
struct ModelLoadOptions {
    /// Run with weights the file lacks at their random initial values (a warning lists them)
    /// instead of failing; `--allow-missing-weights` on the command line.
    bool allowMissingWeights = false;

    /// The options every load of this process uses unless given others (the CLI sets them
    /// from its flags once, before any command runs).
    static ModelLoadOptions processDefault();
    static void setProcessDefault(const ModelLoadOptions& options);
};

struct ModelSaveOptions {
    bool compactSparse = false;  // store mostly-zero weights as bitmask + values (sparse_storage.h); tpq reads
                                 // them, other tools do not
};

/// Writes the folder atomically: everything goes to a temporary folder beside `dir`,
/// which then replaces `dir`, so a failure never leaves a half-written model. With
/// compact storage, tpq.json records "weights_storage" and the safetensors metadata the layout.
void saveModelFolder(const std::string& dir, Classifier& model, const Tokenizer& tokenizer, const ModelInfo& info,
                     const ModelSaveOptions& options = {});

/// Loads a folder written by saveModelFolder or a Hugging Face BERT folder, checked before
/// it answers (io/weights_check.h): config.json's sizes against the weights before the model
/// is built; for a folder tpq wrote (tpq.json present) every weight present and none extra;
/// for a Hugging Face folder only the classifier head may be missing (headMissing, a
/// warning); no NaN or infinity; tpq.json readable with one label name per output; no
/// token of vocab.txt beyond the embedding table. Each failure is a tpq::Error naming the
/// file and the tensor or key.
LoadedModel loadModelFolder(const std::string& dir,
                            const ModelLoadOptions& options = ModelLoadOptions::processDefault());

/// Throws tpq::Error when `model` is a Hugging Face folder whose classifier head was not in
/// its file (random values: every answer would be a guess), unless it was loaded allowing
/// missing weights. Called before predicting or evaluating; training may start from such a folder.
void requireTrainedHead(const LoadedModel& model);

}  // namespace tpq
