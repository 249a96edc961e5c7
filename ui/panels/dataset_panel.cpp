#include "panels/dataset_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "panels/form_fields.h"
#include "plots/panel_plots.h"

namespace tpq::ui {

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
    m_kind = new QComboBox;
    FormFields::addDatasetKinds(m_kind);
    m_path = new QLineEdit;
    m_path->setPlaceholderText(tr("file or folder; empty = the packaged corpus"));
    m_browse = new QPushButton(tr("Browse..."));
    m_textColumn = new QLineEdit;
    m_labelColumn = new QLineEdit;
    m_header = new QCheckBox(tr("First row names the columns"));
    m_load = new QPushButton(tr("Load Preview"));
    m_load->setObjectName("loadPreview");

    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Source:"), m_kind);
    form->addRow(tr("Path:"), pathRow);
    form->addRow(tr("Text column:"), m_textColumn);
    form->addRow(tr("Label column:"), m_labelColumn);
    form->addRow(QString(), m_header);
    form->addRow(QString(), m_load);
    FormFields::configKey(m_kind, "data.dataset");
    FormFields::configKey(m_path, "data.path");
    FormFields::configKey(m_textColumn, "data.text_column");
    FormFields::configKey(m_labelColumn, "data.label_column");
    FormFields::configKey(m_header, "data.header");

    m_summary = new QLabel(tr("No data loaded yet: choose a source and press Load Preview."));
    m_summary->setWordWrap(true);
    m_preview = new QTableWidget(0, 2);
    m_preview->setHorizontalHeaderLabels({tr("Label"), tr("Text")});
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_preview->verticalHeader()->setDefaultSectionSize(22);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setWordWrap(false);
    m_balance = plots::titledPlot(tr("Class balance"));
    m_lengths = plots::titledPlot(tr("Text length"));
    m_problems = new QListWidget;
    m_problems->setWordWrap(true);
    m_problems->setMinimumHeight(140);

    auto* charts = new QHBoxLayout;
    charts->addWidget(m_balance);
    charts->addWidget(m_lengths);
    auto* left = new QVBoxLayout;
    left->addLayout(form);
    left->addWidget(new QLabel(tr("Problems and notes:")));
    left->addWidget(m_problems);
    left->addStretch();
    auto* right = new QVBoxLayout;
    right->addWidget(m_summary);
    right->addWidget(m_preview, 3);
    right->addLayout(charts, 2);
    auto* top = new QHBoxLayout(this);
    top->addLayout(left, 2);
    top->addLayout(right, 5);

    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        Q_EMIT edited();
    });
    for (QLineEdit* e : {m_path, m_textColumn, m_labelColumn})
        connect(e, &QLineEdit::textEdited, this, &DatasetPanel::edited);
    connect(m_header, &QCheckBox::toggled, this, &DatasetPanel::edited);
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString path = FormFields::browseDataset(this, m_kind->currentData().toString());
        if (path.isEmpty()) return;
        m_path->setText(path);
        Q_EMIT edited();
    });
    connect(m_load, &QPushButton::clicked, this, [this] { Q_EMIT loadRequested(options()); });
    setConfig(ExperimentConfig());
}

void DatasetPanel::updateEnabled() {
    const QString kind = m_kind->currentData().toString();
    const bool columns = FormFields::hasColumns(kind);
    m_textColumn->setEnabled(columns);
    m_labelColumn->setEnabled(columns);
    m_header->setEnabled(kind == "csv" || kind == "tsv");
}

void DatasetPanel::setConfig(const ExperimentConfig& config) {
    m_base = config.data;
    const int index = m_kind->findData(QString::fromStdString(config.data.dataset));
    m_kind->setCurrentIndex(index < 0 ? 0 : index);
    m_path->setText(QString::fromStdString(config.data.path));
    m_textColumn->setText(QString::fromStdString(config.data.textColumn));
    m_labelColumn->setText(QString::fromStdString(config.data.labelColumn));
    m_header->setChecked(config.data.header);
    updateEnabled();
}

DatasetOptions DatasetPanel::options() const {
    DatasetOptions o = m_base;
    o.dataset = m_kind->currentData().toString().toStdString();
    o.path = m_path->text().trimmed().toStdString();
    o.textColumn = m_textColumn->text().trimmed().toStdString();
    o.labelColumn = m_labelColumn->text().trimmed().toStdString();
    o.header = m_header->isChecked();
    return o;
}

void DatasetPanel::applyTo(ExperimentConfig& config) const {
    config.data = options();
}

void DatasetPanel::setBusy(bool busy) {
    m_load->setEnabled(!busy);
}

void DatasetPanel::showError(const QString& message) {
    m_problems->clear();
    auto* item = new QListWidgetItem(tr("Error: %1").arg(message));
    item->setForeground(QColor(180, 0, 0));
    m_problems->addItem(item);
}

void DatasetPanel::clearPreview() {
    m_summary->setText(tr("No data loaded yet: choose a source and press Load Preview."));
    m_preview->setRowCount(0);
    plots::setBars(m_balance, {}, {}, tr("texts"));
    plots::setHistogram(m_lengths, {}, 30, tr("words per text (up to the 99th percentile)"));
    m_problems->clear();
}

void DatasetPanel::showPreview(const DatasetPreview& p) {
    m_summary->setText(tr("%1 texts in %2 classes from %3; %4 duplicates removed.")
                           .arg(p.total)
                           .arg(p.labelNames.size())
                           .arg(p.source)
                           .arg(p.duplicatesRemoved));
    m_preview->setRowCount(p.rows.size());
    for (int i = 0; i < p.rows.size(); ++i) {
        const int label = p.rows[i].second;
        m_preview->setItem(i, 0,
                           new QTableWidgetItem(label >= 0 && label < p.labelNames.size() ? p.labelNames[label]
                                                                                          : QString::number(label)));
        QString text = p.rows[i].first;
        text.replace('\n', ' ');
        m_preview->setItem(i, 1, new QTableWidgetItem(text));
    }
    m_preview->resizeColumnToContents(0);
    QVector<double> counts;
    for (qint64 c : p.counts) counts << double(c);
    plots::setBars(m_balance, p.labelNames, counts, tr("texts"));
    QVector<double> lengths;
    lengths.reserve(p.wordCounts.size());
    for (int w : p.wordCounts) lengths << double(w);
    plots::setHistogram(m_lengths, lengths, 30, tr("words per text (up to the 99th percentile)"));
    m_lengths->yAxis->setLabel(tr("texts"));
    m_lengths->replot();

    m_problems->clear();
    if (p.invalidUtf8Replaced > 0) {
        auto* item =
            new QListWidgetItem(tr("%1 invalid UTF-8 sequences were replaced by U+FFFD").arg(p.invalidUtf8Replaced));
        item->setForeground(QColor(170, 90, 0));
        m_problems->addItem(item);
    }
    for (const QString& w : p.warnings) {
        auto* item = new QListWidgetItem(w);
        item->setForeground(QColor(170, 90, 0));
        m_problems->addItem(item);
    }
    for (const QString& n : p.notes) m_problems->addItem(n);
    if (m_problems->count() == 0) m_problems->addItem(tr("No problems found."));
}

}  // namespace tpq::ui
