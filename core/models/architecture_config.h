#pragma once
/// \file architecture_config.h
/// A config.json parsed once into the architecture it describes — Hugging Face BERT
/// ("model_type": "bert") or the custom Transformer ("tpq-transformer") — so its sizes can
/// be checked against a weights file before the model is built from the same value.
///
///     const ArchitectureConfig c = parseArchitectureConfig(text, "model/config.json");
///     ClassifierPtr model = buildModel(c);

#include <string>
#include <variant>

#include "models/bert_model.h"
#include "models/transformer_model.h"

namespace tpq {

using ArchitectureConfig = std::variant<BertConfig, TransformerConfig>;

/// Throws tpq::Error naming `source` and the key for invalid JSON, a missing or unknown
/// model_type, or any problem BertConfig/TransformerConfig::fromJson reports.
ArchitectureConfig parseArchitectureConfig(const std::string& configJson, const std::string& source);

/// A fresh model (initial weights) of that architecture.
ClassifierPtr buildModel(const ArchitectureConfig& config);

}  // namespace tpq
