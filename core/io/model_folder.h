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
    ModelInfo info;           // tpq.json (info.present false for a plain Hugging Face folder)
    std::string weightsFile;  // the file the weights came from
    StateDictReport report;   // missing / unexpected keys
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

/// Loads a folder written by saveModelFolder or a Hugging Face BERT folder. Errors name
/// the folder and the files needed. Missing and unexpected weight names are listed in
/// the report (and logged as warnings).
LoadedModel loadModelFolder(const std::string& dir);

/// Builds a fresh model for `config.json` text (architecture from model_type).
ClassifierPtr createModelFromConfig(const std::string& configJson, const std::string& source);

}  // namespace tpq
