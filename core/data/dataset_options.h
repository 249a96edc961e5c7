#pragma once
/// \file dataset_options.h
/// Where a dataset comes from and how it is read and split. Filled from the `data:`
/// section of an experiment config (see core/config/experiment_config.h).

#include <cstdint>
#include <string>
#include <vector>

#include "util/progress.h"

namespace tpq {

struct DatasetOptions {
    std::string dataset = "spam_assassin";  // spam_assassin, imdb, csv, tsv, jsonl, folder
    std::string path;                       // file or folder; empty = the packaged corpus (spam_assassin only)
    std::string textColumn = "text";        // CSV/TSV column name or 0-based index; JSONL key
    std::string labelColumn = "label";      // CSV/TSV column name or 0-based index; JSONL key
    bool header = true;                     // CSV/TSV: first row names the columns
    std::vector<std::string> labelNames;    // fixed label order; empty = sorted names / numeric order
    size_t maxSamples = 0;                  // keep at most this many after de-duplication, stratified; 0 = all
    bool deduplicate = true;                // drop exact duplicate texts before splitting
    double trainRatio = 0.8;                // fraction of examples for training, in (0, 1]
    double validationRatio = 0.1;           // fraction for validation, in [0, 1)
    double testRatio = 0.1;                 // fraction for testing, in [0, 1)

    /// All problems, one per line; empty when valid.
    std::vector<std::string> validate() const;
};

/// Progress and cancellation for loading (one step per file or per 1,000 records).
struct LoadContext {
    ProgressCallback progress;
    const CancellationToken* cancel = nullptr;
};

}  // namespace tpq
