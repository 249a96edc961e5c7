#pragma once
/// \file form_fields.h
/// Form pieces the wizard and the panels share, so that a dataset kind or a model name is
/// offered (and translated) the same way everywhere.

#include <QCoreApplication>
#include <QString>

class QComboBox;
class QDoubleSpinBox;
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
};

}  // namespace tpq::ui
