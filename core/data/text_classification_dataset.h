#pragma once
/// \file text_classification_dataset.h
/// Texts with integer labels and the names of those labels: what every loader returns and
/// every later stage (tokenizer, DataLoader, Trainer) consumes.

#include <cstdint>
#include <string>
#include <vector>

namespace tpq {

/// What a loader noticed while reading; shown to the user by `tpq data stats` and the GUI.
struct LoadReport {
    std::string source;                 // file or folder the data came from
    size_t recordsRead = 0;             // records seen, before de-duplication
    size_t invalidUtf8Replaced = 0;     // invalid UTF-8 sequences replaced by U+FFFD
    size_t skipped = 0;                 // records or files left out (see warnings)
    size_t duplicatesRemoved = 0;       // exact duplicate texts dropped (removeDuplicates)
    size_t conflictingDuplicates = 0;   // of those, duplicates that had another label
    std::vector<std::string> warnings;  // things the user should look at
    std::vector<std::string> notes;     // facts worth knowing (e.g. how many mails were HTML-only)
};

/// An in-memory labelled text dataset. Labels are ids into `labelNames()`.
class TextClassificationDataset {
public:
    TextClassificationDataset() = default;
    explicit TextClassificationDataset(std::vector<std::string> labelNames);

    /// Appends one example; `label` must index labelNames().
    void add(std::string text, int64_t label);

    size_t size() const { return m_texts.size(); }
    bool empty() const { return m_texts.empty(); }
    const std::string& text(size_t i) const { return m_texts[i]; }
    int64_t label(size_t i) const { return m_labels[i]; }
    const std::vector<std::string>& texts() const { return m_texts; }
    const std::vector<int64_t>& labels() const { return m_labels; }

    const std::vector<std::string>& labelNames() const { return m_labelNames; }
    void setLabelNames(std::vector<std::string> names) { m_labelNames = std::move(names); }
    size_t numClasses() const { return m_labelNames.size(); }

    /// Number of examples per label id (size numClasses()).
    std::vector<size_t> countsPerClass() const;

    /// A new dataset with the examples at `indices`, same label names.
    TextClassificationDataset subset(const std::vector<size_t>& indices) const;

    LoadReport& report() { return m_report; }
    const LoadReport& report() const { return m_report; }

private:
    std::vector<std::string> m_texts;
    std::vector<int64_t> m_labels;
    std::vector<std::string> m_labelNames;
    LoadReport m_report;
};

}  // namespace tpq
