#include "panels/predict_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tpq::ui {

PredictPanel::PredictPanel(QWidget* parent) : QWidget(parent) {
    m_text = new QPlainTextEdit;
    m_text->setObjectName("predictText");
    m_text->setPlaceholderText(tr("Type or paste a text to classify, e.g. a mail."));
    m_runs = new QListWidget;
    m_runs->setObjectName("predictRuns");
    m_predict = new QPushButton(tr("Predict"));
    m_predict->setObjectName("predict");
    m_predict->setShortcut(QKeySequence(tr("Ctrl+Return")));
    m_predict->setToolTip(tr("Classify the text with every picked run (Ctrl+Return)"));
    m_table = new QTableWidget(0, 0);
    m_table->setObjectName("predictions");
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_hint = new QLabel(tr("Open a project with finished runs to predict with their models."));
    m_hint->setWordWrap(true);

    auto* left = new QVBoxLayout;
    left->addWidget(new QLabel(tr("Text:")));
    left->addWidget(m_text, 2);
    left->addWidget(new QLabel(tr("Runs to compare (their model folders):")));
    left->addWidget(m_runs, 1);
    left->addWidget(m_predict);
    auto* right = new QVBoxLayout;
    right->addWidget(m_hint);
    right->addWidget(m_table, 1);
    auto* top = new QHBoxLayout(this);
    top->addLayout(left, 2);
    top->addLayout(right, 3);

    connect(m_predict, &QPushButton::clicked, this, [this] {
        QStringList ids, dirs;
        for (int i = 0; i < m_runs->count(); ++i) {
            if (m_runs->item(i)->checkState() != Qt::Checked) continue;
            ids << m_runs->item(i)->text();
            dirs << m_dirs.value(i);
        }
        const QString text = m_text->toPlainText().trimmed();
        if (text.isEmpty()) {
            m_hint->setText(tr("Type a text first."));
            return;
        }
        if (ids.isEmpty()) {
            m_hint->setText(tr("Pick at least one run."));
            return;
        }
        m_hint->setText(tr("Predicting with %n run(s)...", "", int(ids.size())));
        Q_EMIT predictRequested(ids, dirs, text);
    });
}

void PredictPanel::setRuns(const QStringList& runIds, const QStringList& modelDirs) {
    const QStringList picked = selectedRuns();
    QStringList known;
    for (int i = 0; i < m_runs->count(); ++i) known << m_runs->item(i)->text();
    m_runs->clear();
    m_dirs = modelDirs;
    int on = 0;
    for (int i = 0; i < runIds.size(); ++i) {
        auto* item = new QListWidgetItem(runIds[i]);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setToolTip(modelDirs.value(i));
        // Runs shown before keep the user's choice; new ones (a run that just finished)
        // are picked while fewer than three are.
        const bool pick = known.contains(runIds[i]) ? picked.contains(runIds[i]) : on < 3;
        on += pick;
        item->setCheckState(pick ? Qt::Checked : Qt::Unchecked);
        m_runs->addItem(item);
    }
    if (runIds.isEmpty()) {
        m_table->setRowCount(0);
        m_table->setColumnCount(0);
        m_hint->setText(tr("Open a project with finished runs to predict with their models."));
    } else {
        m_hint->setText(tr("Type a text, pick runs, press Predict."));
    }
}

void PredictPanel::setText(const QString& text) {
    m_text->setPlainText(text);
}

void PredictPanel::selectRuns(const QStringList& runIds) {
    for (int i = 0; i < m_runs->count(); ++i)
        m_runs->item(i)->setCheckState(runIds.contains(m_runs->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
}

QStringList PredictPanel::selectedRuns() const {
    QStringList out;
    for (int i = 0; i < m_runs->count(); ++i)
        if (m_runs->item(i)->checkState() == Qt::Checked) out << m_runs->item(i)->text();
    return out;
}

void PredictPanel::showResult(const PredictionResult& result) {
    QStringList classes;
    for (const auto& r : result.runs)
        for (const auto& n : r.labelNames)
            if (!classes.contains(n)) classes << n;
    QStringList header = {tr("Run"), tr("Label")};
    for (const auto& c : classes) header << tr("P(%1)").arg(c);
    header << tr("Time (ms)");
    m_table->clear();
    m_table->setColumnCount(header.size());
    m_table->setHorizontalHeaderLabels(header);
    m_table->setRowCount(result.runs.size());
    for (int row = 0; row < result.runs.size(); ++row) {
        const RunPrediction& r = result.runs[row];
        m_table->setItem(row, 0, new QTableWidgetItem(r.runId));
        if (!r.error.isEmpty()) {
            auto* error = new QTableWidgetItem(tr("failed: %1").arg(r.error));
            error->setForeground(QColor(176, 0, 0));
            error->setToolTip(r.error);
            m_table->setItem(row, 1, error);
            continue;
        }
        auto* label = new QTableWidgetItem(r.label);
        QFont bold = label->font();
        bold.setBold(true);
        label->setFont(bold);
        m_table->setItem(row, 1, label);
        for (int c = 0; c < classes.size(); ++c) {
            const int k = int(r.labelNames.indexOf(classes[c]));
            auto* cell = new QTableWidgetItem(
                k >= 0 && k < r.probabilities.size() ? QString::number(100 * r.probabilities[k], 'f', 2) + "%" : "-");
            cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, 2 + c, cell);
        }
        auto* ms = new QTableWidgetItem(QString::number(r.milliseconds, 'f', 1));
        ms->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(row, 2 + int(classes.size()), ms);
    }
    m_table->resizeColumnsToContents();
    m_hint->setText(tr("Each run's answer for the text; time = tokenizing and running it once (model loaded)."));
}

void PredictPanel::setBusy(bool busy) {
    m_predict->setEnabled(!busy);
}

}  // namespace tpq::ui
