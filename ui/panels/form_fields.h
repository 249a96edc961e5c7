#pragma once
/// \file form_fields.h
/// Form pieces the wizard and the panels share, so that a dataset kind or a model name is
/// offered (and translated) the same way everywhere.

#include <QCoreApplication>
#include <QString>

#include "config/experiment_config.h"

class QComboBox;
class QScrollArea;
class QDoubleSpinBox;
class QSpinBox;
class QWidget;

namespace tpq::ui {

class FormFields {
    Q_DECLARE_TR_FUNCTIONS(FormFields)

public:
    /// The data.dataset kinds (spam_assassin, csv, tsv, jsonl, folder, imdb) as items whose
    /// data is the kind.
    static void addDatasetKinds(QComboBox* box);
    /// Kinds read from a folder (the others from one file).
    static bool readsFolder(const QString& kind);
    /// Kinds with text and label columns (csv, tsv, jsonl).
    static bool hasColumns(const QString& kind);
    /// Asks for the folder or the file a dataset of `kind` is read from ("" = cancelled).
    static QString browseDataset(QWidget* parent, const QString& kind);

    /// The custom Transformer and the BERT presets (smallest first) as items whose data is
    /// the model.name.
    static void addModels(QComboBox* box);

    /// A spin box for a fraction in [0, max], two decimals, steps of 0.05.
    static QDoubleSpinBox* fraction(double value, double max = 1.0);
    /// A spin box for an integer in [lo, hi] in steps of `step`.
    static QSpinBox* integer(int lo, int hi, int step = 1);

    /// `column` (a panel's form) in a scroll area of its own that scrolls vertically and is
    /// as wide as the form: the panel around it fits a small window.
    static QScrollArea* scrollingColumn(QWidget* column);

    /// Names the config key a field sets in its tooltip ("Config key: training.epochs",
    /// after any tooltip it has) and in its "configKey" property.
    static void configKey(QWidget* field, const QString& key);
    /// The same for a field written into the project file rather than the config
    /// ("Project file: variants: - {method: dynamic}").
    static void projectKey(QWidget* field, const QString& entry);

    /// The vocabulary a parameter estimate assumes before a model is trained: WordPiece's
    /// 30,522 tokens, or the word tokenizer's cap (tokenizer.max_vocab_size, 30,000 when
    /// uncapped) — the real word vocabulary is built from the training split.
    static qint64 estimateVocabulary(const ExperimentConfig& config);
};

}  // namespace tpq::ui
