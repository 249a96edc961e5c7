#pragma once
// The tiny spam/ham task the project tests share (test_experiment, test_slurm): tiny.csv
// (40 + 40 rows) and tiny.yaml (a 2-layer custom Transformer, word tokenizer, 3 epochs of
// batch 8, one thread) in `dir`; projects name `config: tiny.yaml`.

#include <QTemporaryDir>
#include <string>

#include "test_support.h"

namespace tpqtest {

inline void writeTinyTask(const QTemporaryDir& dir) {
    std::string csv = "text,label\n";
    for (int i = 0; i < 40; ++i) {
        csv += "win a prize now number " + std::to_string(i) + ",spam\n";
        csv += "meeting notes for project " + std::to_string(i) + ",ham\n";
    }
    writeFile(dir, "tiny.csv", csv);
    writeFile(dir, "tiny.yaml",
              "name: tiny\nseed: 1\nthreads: 1\nmodel:\n  name: transformer\n"
              "  d_model: 16\n  num_heads: 2\n  num_layers: 2\n  d_ff: 32\n"
              "data:\n  dataset: csv\n  path: tiny.csv\n  max_length: 16\n"
              "tokenizer:\n  type: word\n  min_frequency: 1\n"
              "training:\n  batch_size: 8\n  learning_rate: 5e-3\n  epochs: 3\n");
}

}  // namespace tpqtest
