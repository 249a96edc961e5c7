#include "models/bert_presets.h"

namespace tpq {

const std::vector<BertPreset>& bertPresets() {
    static const std::vector<BertPreset> presets = {{"bert-base-uncased", 12, 768, 12},
                                                    {"bert-medium", 8, 512, 8},
                                                    {"bert-small", 4, 512, 8},
                                                    {"bert-mini", 4, 256, 4},
                                                    {"bert-tiny", 2, 128, 2}};
    return presets;
}

const BertPreset* findBertPreset(const std::string& name) {
    for (const auto& p : bertPresets())
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace tpq
