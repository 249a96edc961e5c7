#include "export_model_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tpq::ui {

ExportModelDialog::ExportModelDialog(const QString& runId, const QString& defaultDir, QWidget* parent)
    : QDialog(parent), m_runId(runId), m_dir(defaultDir) {
    setWindowTitle(tr("Export Model: %1").arg(runId));
    m_format = new QComboBox;
    m_format->addItem(tr("ONNX file (ONNX Runtime; fp32 and int8 forms)"), int(ExportFormat::Onnx));
    m_format->addItem(tr("Hugging Face folder (transformers, BERT)"), int(ExportFormat::HuggingFace));
    m_format->setToolTip(
        tr("tpq export --format onnx|hf. The custom Transformer has no Hugging Face "
           "architecture: ONNX only."));
    m_opset = new QSpinBox;
    m_opset->setRange(11, 17);
    m_opset->setValue(ExportOptions{}.opset);
    m_opset->setToolTip(tr("tpq export --opset: the ONNX opset (int8 layers need 13 or later)"));
    m_output = new QLineEdit;
    m_output->setMinimumWidth(360);
    auto* browse = new QPushButton(tr("Browse..."));
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(browse);
    m_about = new QLabel;
    m_about->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("ONNX opset"), m_opset);
    form->addRow(tr("Output"), outputRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_about);
    layout->addWidget(buttons);

    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportModelDialog::formatChanged);
    connect(browse, &QPushButton::clicked, this, &ExportModelDialog::browse);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!m_output->text().trimmed().isEmpty()) accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    formatChanged();
}

ExportOptions ExportModelDialog::options() const {
    ExportOptions o;
    o.format = ExportFormat(m_format->currentData().toInt());
    o.output = QDir::cleanPath(m_output->text().trimmed()).toStdString();
    o.opset = m_opset->value();
    return o;
}

void ExportModelDialog::formatChanged() {
    const bool onnx = ExportFormat(m_format->currentData().toInt()) == ExportFormat::Onnx;
    m_opset->setEnabled(onnx);
    m_output->setText(QDir(m_dir).filePath(onnx ? m_runId + ".onnx" : m_runId + "_hf"));
    m_about->setText(onnx ? tr("One .onnx file with export.json, vocab.txt and labels.json beside it. Quantized "
                               "layers keep their int8 weights; sparse layers are written dense.")
                          : tr("config.json (label names, pruned heads), vocab.txt and model.safetensors with "
                               "Hugging Face's names. Quantized layers are dequantized to fp32."));
}

void ExportModelDialog::browse() {
    const bool onnx = ExportFormat(m_format->currentData().toInt()) == ExportFormat::Onnx;
    const QString path = QFileDialog::getSaveFileName(this, windowTitle(), m_output->text(),
                                                      onnx ? tr("ONNX models (*.onnx)") : tr("Folders (*)"));
    if (!path.isEmpty()) m_output->setText(path);
}

}  // namespace tpq::ui
