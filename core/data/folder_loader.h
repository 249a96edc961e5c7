#pragma once
/// \file folder_loader.h
/// Folder-per-class datasets: `<root>/<label>/*.txt`, and the aclImdb layout
/// `<root>/{train,test}/{pos,neg}/*.txt` (the `unsup` folder is ignored).

#include <string>
#include <vector>

#include "data/dataset_options.h"
#include "data/text_classification_dataset.h"

namespace tpq {

/// Reads `<root>/<label>/*.txt`; labels are the sub-folder names in sorted order unless
/// `labelNames` fixes them. Sub-folders without .txt files are skipped with a warning.
TextClassificationDataset loadFolder(const std::string& root, const std::vector<std::string>& labelNames = {},
                                     const LoadContext& context = {});

/// Whether `root` has a layout loadImdb reads: <root>/train/pos or <root>/test/pos (the
/// aclImdb folder), or <root>/pos and <root>/neg (one of its splits).
bool hasImdbLayout(const std::string& root);

/// Reads a local copy of the IMDB reviews (aclImdb). `root` may be the aclImdb folder
/// (train and test are pooled, then split by ratio) or one of its train/test folders.
TextClassificationDataset loadImdb(const std::string& root, const LoadContext& context = {});

}  // namespace tpq
