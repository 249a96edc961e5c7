#pragma once
/// \file jsonl_loader.h
/// JSON Lines: one object per line with a text key and a label key.

#include <string>
#include <vector>

#include "data/dataset_options.h"
#include "data/text_classification_dataset.h"

namespace tpq {

struct JsonlOptions {
    std::string textKey = "text";         // key of the text in each object
    std::string labelKey = "label";       // key of the label (string or integer)
    std::vector<std::string> labelNames;  // fixed label order; empty = derive from the data
};

/// Loads a JSONL file; errors name file:line and the key.
TextClassificationDataset loadJsonl(const std::string& path, const JsonlOptions& options,
                                    const LoadContext& context = {});

}  // namespace tpq
