#include "panels/compare_panel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "panels/results_panel.h"
#include "plots/comparison_plots.h"
#include "plots/panel_plots.h"
#include "train/metrics.h"
#include "translations.h"

namespace tpq::ui {
namespace {

QTableWidgetItem* cell(const QString& text, bool right = true) {
    auto* item = new QTableWidgetItem(text);
    if (right) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

}  // namespace

ComparePanel::ComparePanel(QWidget* parent) : QWidget(parent) {
    m_list = new QListWidget;
    m_list->setObjectName("compareRuns");
    m_smoothing = new QSpinBox;
    m_smoothing->setObjectName("smoothing");
    m_smoothing->setRange(1, 200);
    m_smoothing->setValue(1);
    m_smoothing->setToolTip(tr("Moving average over this many steps (1 = the raw loss)"));
    m_validation = new QCheckBox(tr("Validation per epoch"));
    m_validation->setChecked(true);
    m_curves = plots::titledPlot(tr("Training curves"));
    m_curves->setMinimumHeight(200);
    m_curves->xAxis->setLabel(tr("optimizer step"));
    m_curves->yAxis->setLabel(tr("loss (solid)"));
    m_curves->yAxis2->setVisible(true);
    m_curves->yAxis2->setLabel(tr("validation accuracy (%, dashed)"));
    plots::legendBelow(m_curves, 2);  // long run names: two columns keep the plot narrow
    m_curves->legend->setFont(QFont(m_curves->font().family(), 8));
    m_list->setMaximumWidth(260);
    m_metrics = new QTableWidget;
    m_metrics->setObjectName("compareMetrics");
    m_metrics->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_perClass = new QTableWidget;
    m_perClass->setObjectName("comparePerClass");
    m_perClass->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_perClass->verticalHeader()->setVisible(false);
    m_confusion = new QTextBrowser;
    m_confusion->setObjectName("compareConfusion");

    auto* left = new QVBoxLayout;
    left->addWidget(new QLabel(tr("Runs to compare:")));
    left->addWidget(m_list, 1);
    auto* form = new QFormLayout;
    form->addRow(tr("Loss smoothing (steps):"), m_smoothing);
    form->addRow(m_validation);
    left->addLayout(form);
    auto* tabs = new QTabWidget;
    tabs->addTab(m_metrics, tr("Metrics"));
    tabs->addTab(m_perClass, tr("Per class"));
    tabs->addTab(m_confusion, tr("Confusion matrices"));
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(m_curves);
    right->addWidget(tabs);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    auto* leftBox = new QWidget;
    leftBox->setLayout(left);
    leftBox->setMaximumWidth(270);
    auto* top = new QHBoxLayout(this);
    top->addWidget(leftBox);
    top->addWidget(right, 1);

    connect(m_list, &QListWidget::itemChanged, this, &ComparePanel::rebuild);
    connect(m_smoothing, &QSpinBox::valueChanged, this, &ComparePanel::rebuild);
    connect(m_validation, &QCheckBox::toggled, this, &ComparePanel::rebuild);
    rebuild();
}

void ComparePanel::setRuns(const std::vector<RunResult>& runs) {
    const QStringList picked = selectedRuns();
    QStringList known;
    for (int i = 0; i < m_list->count(); ++i) known << m_list->item(i)->text();
    m_runs = runs;
    const QSignalBlocker block(m_list);
    m_list->clear();
    int others = int(std::count_if(runs.begin(), runs.end(), [&](const RunResult& r) {
        return r.method != Method::Baseline && picked.contains(QString::fromStdString(r.runId));
    }));
    for (const auto& r : runs) {
        auto* item = new QListWidgetItem(QString::fromStdString(r.runId));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setToolTip(displayName(r.method));
        // Runs shown before keep the user's choice; new ones (a run that just finished):
        // the baseline and the first two variants are picked.
        bool on = picked.contains(item->text());
        if (!known.contains(item->text())) on = r.method == Method::Baseline || others++ < 2;
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        m_list->addItem(item);
    }
    rebuild();
}

void ComparePanel::selectRuns(const QStringList& runIds) {
    {
        const QSignalBlocker block(m_list);
        for (int i = 0; i < m_list->count(); ++i)
            m_list->item(i)->setCheckState(runIds.contains(m_list->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    }
    rebuild();
}

QStringList ComparePanel::selectedRuns() const {
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked) out << m_list->item(i)->text();
    return out;
}

void ComparePanel::rebuild() {
    std::vector<const RunResult*> picked;
    for (int i = 0; i < m_list->count() && i < int(m_runs.size()); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked) picked.push_back(&m_runs[size_t(i)]);
    showCurves(picked);
    showMetrics(picked);
    showPerClass(picked);
    QString html = "<table cellspacing=12><tr>";
    for (const auto* r : picked)
        html += "<td valign=top><b>" + QString::fromStdString(r->runId).toHtmlEscaped() + "</b><br>" +
                tr("rows: true, columns: predicted") + confusionMatrixHtml(*r) + "</td>";
    html += "</tr></table>";
    m_confusion->setHtml(picked.empty() ? tr("Pick runs on the left to compare them.") : html);
}

void ComparePanel::showCurves(const std::vector<const RunResult*>& picked) {
    // Loss per step (smoothed), validation accuracy per epoch.
    m_curves->clearGraphs();
    const int window = m_smoothing->value();
    bool anyCurve = false;
    for (size_t k = 0; k < picked.size(); ++k) {
        const RunResult& r = *picked[k];
        plots::TrainingCurve curve = plots::trainingCurve(r);
        if (window > 1 && curve.losses.size() > 1) {  // trailing moving average
            QVector<double> smooth(curve.losses.size());
            double sum = 0;
            for (int i = 0; i < curve.losses.size(); ++i) {
                sum += curve.losses[i];
                if (i >= window) sum -= curve.losses[i - window];
                smooth[i] = sum / std::min(i + 1, window);
            }
            curve.losses = smooth;
        }
        const QColor color = plots::seriesColor(int(k));
        if (!curve.steps.isEmpty()) {
            QCPGraph* g = m_curves->addGraph(m_curves->xAxis, m_curves->yAxis);
            // One legend entry per run (its colour); the line style tells loss from accuracy.
            g->setName(QString::fromStdString(r.runId));
            g->setPen(QPen(color, 1.5));
            g->setData(curve.steps, curve.losses);
            anyCurve = true;
        }
        if (m_validation->isChecked() && !curve.valAccuracy.isEmpty()) {
            QCPGraph* g = m_curves->addGraph(m_curves->xAxis, m_curves->yAxis2);
            g->setName(tr("%1 val. accuracy").arg(QString::fromStdString(r.runId)));
            g->setPen(QPen(color, 2, Qt::DashLine));
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 7));
            g->setData(curve.epochSteps, curve.valAccuracy);
            if (!curve.steps.isEmpty()) g->removeFromLegend();
            anyCurve = true;
        }
    }
    plots::forgetZoom(m_curves);
    plots::setEmptyHint(m_curves, anyCurve         ? QString()
                                  : picked.empty() ? tr("Pick runs on the left")
                                                   : tr("The picked runs recorded no training history"));
    if (anyCurve) {
        m_curves->rescaleAxes();
        const QCPRange x = m_curves->xAxis->range();
        m_curves->xAxis->setRange(x.lower - 0.03 * std::max(1.0, x.size()), x.upper + 0.03 * std::max(1.0, x.size()));
        m_curves->yAxis->setRangeLower(0);
        m_curves->yAxis->setRangeUpper(m_curves->yAxis->range().upper * 1.05);
        m_curves->yAxis2->setRange(0, 105);
    }
    m_curves->replot();
}

void ComparePanel::showMetrics(const std::vector<const RunResult*>& picked) {
    // Each metric, with the difference from the first picked run.
    struct Metric {
        QString name;
        double (*value)(const RunResult&);
        int digits;
    };
    const std::vector<Metric> rows = {
        {tr("Accuracy (%)"), [](const RunResult& r) { return 100 * r.test.accuracy; }, 2},
        {tr("F1"), [](const RunResult& r) { return r.test.f1; }, 4},
        {tr("Precision"), [](const RunResult& r) { return r.test.precision; }, 4},
        {tr("Recall"), [](const RunResult& r) { return r.test.recall; }, 4},
        {tr("Size (MB)"), [](const RunResult& r) { return double(r.sizeBytes) / 1e6; }, 2},
        {tr("p50 latency (ms)"), [](const RunResult& r) { return r.latency.p50Ms; }, 1},
        {tr("Sparsity (%)"), [](const RunResult& r) { return 100 * r.sparsity; }, 1},
        {tr("Non-zero parameters"), [](const RunResult& r) { return double(r.nonzeroParameters); }, 0}};
    m_metrics->clear();
    m_metrics->setRowCount(int(rows.size()));
    m_metrics->setColumnCount(int(picked.size()));
    QStringList columns, names;
    for (size_t k = 0; k < picked.size(); ++k)
        columns << QString::fromStdString(picked[k]->runId) + (k == 0 ? tr(" (reference)") : QString());
    for (const auto& m : rows) names << m.name;
    m_metrics->setHorizontalHeaderLabels(columns);
    m_metrics->setVerticalHeaderLabels(names);
    for (size_t i = 0; i < rows.size(); ++i) {
        for (size_t k = 0; k < picked.size(); ++k) {
            const double v = rows[i].value(*picked[k]);
            QString text = std::isnan(v) ? QString("-") : QString::number(v, 'f', rows[i].digits);
            const double d = v - rows[i].value(*picked[0]);
            if (k > 0 && !std::isnan(d))
                text += QString(" (%1%2)").arg(d >= 0 ? "+" : "").arg(d, 0, 'f', rows[i].digits);
            m_metrics->setItem(int(i), int(k), cell(text));
        }
    }
    m_metrics->resizeColumnsToContents();
}

void ComparePanel::showPerClass(const std::vector<const RunResult*>& picked) {
    // Precision / recall / F1 of each class for each picked run, by class name.
    std::vector<std::vector<ClassReport>> reports;
    QStringList classes;
    for (const auto* r : picked) {
        try {
            reports.push_back(perClassReport(r->test.confusionMatrix, r->labelNames));
        } catch (const std::exception&) {
            reports.emplace_back();  // a damaged matrix: no figures rather than wrong ones
        }
        for (const auto& c : reports.back())
            if (!classes.contains(QString::fromStdString(c.name))) classes << QString::fromStdString(c.name);
    }
    m_perClass->clear();
    QStringList header = {tr("Class")};
    for (const auto* r : picked) {
        const QString id = QString::fromStdString(r->runId);
        header << tr("%1 precision").arg(id) << tr("%1 recall").arg(id) << tr("%1 F1").arg(id);
    }
    m_perClass->setColumnCount(header.size());
    m_perClass->setHorizontalHeaderLabels(header);
    m_perClass->setRowCount(classes.size());
    for (int c = 0; c < classes.size(); ++c) {
        m_perClass->setItem(c, 0, cell(classes[c], false));
        for (size_t k = 0; k < reports.size(); ++k) {
            const auto it = std::find_if(reports[k].begin(), reports[k].end(),
                                         [&](const ClassReport& r) { return r.name == classes[c].toStdString(); });
            for (int j = 0; j < 3; ++j) {
                const QString text = it == reports[k].end() ? QString("-")
                                                            : QString::number(j == 0   ? it->precision
                                                                              : j == 1 ? it->recall
                                                                                       : it->f1,
                                                                              'f', 4);
                m_perClass->setItem(c, 1 + 3 * int(k) + j, cell(text));
            }
        }
    }
    m_perClass->resizeColumnsToContents();
}

}  // namespace tpq::ui
