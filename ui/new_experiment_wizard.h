#pragma once
/// \file new_experiment_wizard.h
/// File > New Experiment: dataset (with a preview of the file) -> tokenizer, max length,
/// splits -> model and training -> compression variants to compare -> summary. Finish
/// writes a project file (*.tpq.yaml) the main window opens and can start.

#include <QDateTime>
#include <QStringList>
#include <QWizard>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/project.h"

class QComboBox;
class QLineEdit;
class QSpinBox;
class QDoubleSpinBox;
class QCheckBox;
class QPlainTextEdit;
class QLabel;

namespace tpq::ui {

class NewExperimentWizard : public QWizard {
    Q_OBJECT

public:
    explicit NewExperimentWizard(QWidget* parent = nullptr);

    /// The experiment the pages describe (defaults: the quickstart settings).
    ExperimentConfig config() const;
    std::vector<VariantSpec> variants() const;
    /// Where Finish writes the project: <folder>/<name>.tpq.yaml.
    QString projectPath() const;
    bool startNow() const;

    /// Writes the project file (results/ and checkpoints/ beside it); throws tpq::Error.
    QString createProject() const;

    /// Every problem with the current settings ("" = none); the pages show these.
    QString datasetProblem() const;
    QString splitProblem() const;
    QString modelProblem() const;
    QString summaryProblem() const;
    QString variantProblem() const;
    /// The model page's live parameter count.
    QString parameterText() const;

protected:
    /// Escape / Cancel: asks before the settings are thrown away.
    void reject() override;

private:
    friend class WizardPage;
    void refreshPreview();
    void refreshSummary();
    void refreshParameters();
    /// The model page's fields for the chosen model (size fields for the custom one).
    void updateModelFields();
    /// The data file's columns, read again only when the path, kind or file changed.
    QStringList cachedColumns(const QString& path, const QString& kind, QString* problem) const;
    /// The unstructured sparsities typed (empty when one is not a number in [0, 1)).
    std::vector<double> sparsities() const;

    // dataset
    QComboBox* m_kind;
    QLineEdit* m_path;
    QLineEdit* m_textColumn;
    QLineEdit* m_labelColumn;
    QPlainTextEdit* m_preview;
    // tokenizer and splits
    QComboBox* m_tokenizer;
    QSpinBox* m_maxLength;
    QDoubleSpinBox* m_train;
    QDoubleSpinBox* m_validation;
    QDoubleSpinBox* m_test;
    // model and training
    QComboBox* m_model;
    QLineEdit* m_modelPath;
    QSpinBox* m_dModel;
    QSpinBox* m_numHeads;
    QSpinBox* m_layers;
    QSpinBox* m_dFf;
    QComboBox* m_pooling;
    QLabel* m_parameters;
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QDoubleSpinBox* m_lr;
    // variants
    QCheckBox* m_unstructured;
    QLineEdit* m_sparsity;  // one or more sparsities: "0.3, 0.5, 0.7" is a sweep
    QCheckBox* m_structured;
    QDoubleSpinBox* m_heads;
    QCheckBox* m_dynamic;
    QCheckBox* m_static;
    QCheckBox* m_qat;
    QCheckBox* m_mixed;
    QCheckBox* m_combined;
    // summary
    QLineEdit* m_name;
    QLineEdit* m_folder;
    QPlainTextEdit* m_summary;
    QCheckBox* m_start;
    struct ColumnsCache {
        QString path, kind;
        QDateTime modified;
        qint64 size = -1;
        QStringList columns;
        QString problem;
    };
    mutable ColumnsCache m_columnsCache;
};

}  // namespace tpq::ui
