#pragma once
/// \file export_model_dialog.h
/// File > Export Model... (and the Results table's menu): the format of a run's model for
/// another tool — an ONNX file (with its opset) or a Hugging Face BERT folder — and where
/// to write it (core/export/model_export.h does the writing).

#include <QDialog>

#include "export/model_export.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace tpq::ui {

class ExportModelDialog : public QDialog {
    Q_OBJECT

public:
    /// For run `runId`; the output starts as `<defaultDir>/<runId>.onnx` (or `_hf` for a folder).
    ExportModelDialog(const QString& runId, const QString& defaultDir, QWidget* parent = nullptr);

    /// The choices made (force false: the caller asks before replacing).
    ExportOptions options() const;

    QComboBox* formatBox() const { return m_format; }
    QLineEdit* outputEdit() const { return m_output; }

private:
    void formatChanged();
    void browse();

    QString m_runId, m_dir;
    QComboBox* m_format = nullptr;
    QSpinBox* m_opset = nullptr;
    QLineEdit* m_output = nullptr;
    QLabel* m_about = nullptr;
};

}  // namespace tpq::ui
