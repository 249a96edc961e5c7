#pragma once
/// \file bert_presets.h
/// The BERT sizes `model.name` can ask for, without torch (the GUI lists and sizes them
/// too). BertConfig::preset builds a config from these.

#include <cstdint>
#include <string>
#include <vector>

namespace tpq {

struct BertPreset {
    std::string name;                           // model.name: bert-base-uncased, bert-medium, ...
    int64_t layers = 0, hidden = 0, heads = 0;  // intermediate (feed-forward) width is 4 * hidden
};

/// bert-base-uncased, bert-medium, bert-small, bert-mini, bert-tiny (largest first).
const std::vector<BertPreset>& bertPresets();
/// The preset called `name`, or nullptr.
const BertPreset* findBertPreset(const std::string& name);

}  // namespace tpq
