#include "panels/form_fields.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QWidget>

#include "models/bert_presets.h"

namespace tpq::ui {

void FormFields::addDatasetKinds(QComboBox* box) {
    box->addItem(tr("SpamAssassin (built in)"), "spam_assassin");
    box->addItem(tr("CSV file"), "csv");
    box->addItem(tr("TSV file"), "tsv");
    box->addItem(tr("JSON Lines file"), "jsonl");
    box->addItem(tr("Folder (one subfolder per class)"), "folder");
    box->addItem(tr("aclImdb folder"), "imdb");
}

bool FormFields::readsFolder(const QString& kind) {
    return kind == "folder" || kind == "imdb" || kind == "spam_assassin";
}

bool FormFields::hasColumns(const QString& kind) {
    return kind == "csv" || kind == "tsv" || kind == "jsonl";
}

QString FormFields::browseDataset(QWidget* parent, const QString& kind) {
    return readsFolder(kind)
               ? QFileDialog::getExistingDirectory(parent, tr("Dataset Folder"))
               : QFileDialog::getOpenFileName(parent, tr("Dataset File"), {},
                                              tr("Data files (*.csv *.tsv *.jsonl *.txt);;All files (*)"));
}

void FormFields::addModels(QComboBox* box) {
    box->addItem(tr("Custom Transformer (from scratch)"), "transformer");
    const auto& presets = bertPresets();
    for (auto it = presets.rbegin(); it != presets.rend(); ++it)
        box->addItem(QString::fromStdString(it->name), QString::fromStdString(it->name));
}

QSpinBox* FormFields::integer(int lo, int hi, int step) {
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setSingleStep(step);
    return s;
}

namespace {

void appendKeyTip(QWidget* field, const QString& line, const QString& key) {
    field->setProperty("configKey", key);
    const QString tip = field->toolTip();
    const QString html = "<code>" + key.toHtmlEscaped() + "</code>";
    field->setToolTip((tip.isEmpty() ? QString() : "<p>" + tip.toHtmlEscaped() + "</p>") +
                      "<p style=\"white-space:pre\">" + line.arg(html) + "</p>");
}

}  // namespace

QScrollArea* FormFields::scrollingColumn(QWidget* column) {
    auto* scroll = new QScrollArea;
    scroll->setWidget(column);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(column->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
    return scroll;
}

void FormFields::configKey(QWidget* field, const QString& key) {
    appendKeyTip(field, tr("Config key: %1"), key);
}

void FormFields::projectKey(QWidget* field, const QString& entry) {
    appendKeyTip(field, tr("Project file: %1"), entry);
}

qint64 FormFields::estimateVocabulary(const ExperimentConfig& config) {
    if (config.tokenizer.type != "word") return 30522;
    return config.tokenizer.maxVocabSize > 0 ? config.tokenizer.maxVocabSize : 30000;
}

QDoubleSpinBox* FormFields::fraction(double value, double max) {
    auto* s = new QDoubleSpinBox;
    s->setRange(0, max);
    s->setSingleStep(0.05);
    s->setDecimals(2);
    s->setValue(value);
    return s;
}

}  // namespace tpq::ui
