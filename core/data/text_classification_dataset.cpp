#include "data/text_classification_dataset.h"

#include "util/error.h"

namespace tpq {

TextClassificationDataset::TextClassificationDataset(std::vector<std::string> labelNames)
    : m_labelNames(std::move(labelNames)) {}

void TextClassificationDataset::add(std::string text, int64_t label) {
    if (label < 0 || static_cast<size_t>(label) >= m_labelNames.size()) {
        throw Error("label id " + std::to_string(label) + " is out of range: the dataset has " +
                    std::to_string(m_labelNames.size()) + " classes");
    }
    m_texts.push_back(std::move(text));
    m_labels.push_back(label);
}

std::vector<size_t> TextClassificationDataset::countsPerClass() const {
    std::vector<size_t> counts(m_labelNames.size(), 0);
    for (int64_t l : m_labels) ++counts[static_cast<size_t>(l)];
    return counts;
}

TextClassificationDataset TextClassificationDataset::subset(const std::vector<size_t>& indices) const {
    TextClassificationDataset out(m_labelNames);
    out.m_report.source = m_report.source;
    out.m_texts.reserve(indices.size());
    out.m_labels.reserve(indices.size());
    for (size_t i : indices) {
        out.m_texts.push_back(m_texts.at(i));
        out.m_labels.push_back(m_labels.at(i));
    }
    return out;
}

}  // namespace tpq
