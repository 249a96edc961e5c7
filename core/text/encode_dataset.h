#pragma once
/// \file encode_dataset.h
/// Tokenizes every text of a dataset once, for the DataLoader.

#include <cstdint>
#include <vector>

#include "data/text_classification_dataset.h"
#include "text/tokenizer.h"

namespace tpq {

/// [CLS] ids [SEP] per text, truncated to `maxLength` tokens, unpadded.
std::vector<std::vector<int64_t>> encodeTexts(const Tokenizer& tokenizer, const std::vector<std::string>& texts,
                                              size_t maxLength);

}  // namespace tpq
