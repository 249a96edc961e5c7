#include "panels/results_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "plots/comparison_plots.h"
#include "results_table_model.h"
#include "util/error.h"
#include "util/file_io.h"

namespace tpq::ui {
namespace {

QString csvCell(QString s) {
    if (!s.contains(',') && !s.contains('"') && !s.contains('\n')) return s;
    return '"' + s.replace('"', "\"\"") + '"';
}

}  // namespace

ResultsPanel::ResultsPanel(QWidget* parent) : QWidget(parent) {
    m_model = new ResultsTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_table = new QTableView;
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->verticalHeader()->setVisible(false);
    m_charts = new QTabWidget;
    m_summary = new QLabel(tr("Open a results folder or a project (File menu) to compare its runs."));
    m_summary->setWordWrap(true);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(m_charts);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
}

const std::vector<RunSummary>& ResultsPanel::runs() const { return m_model->runs(); }

QStringList ResultsPanel::loadResults(const QString& resultsDir) {
    std::vector<std::string> warnings;
    auto runs = ResultsStore(resultsDir.toStdString()).load(&warnings);
    m_model->setRuns(std::move(runs));
    m_table->sortByColumn(-1, Qt::AscendingOrder);  // the store's order: baselines first
    rebuildCharts();
    m_summary->setText(tr("%n run(s) in %1", "", int(m_model->runs().size())).arg(resultsDir) +
                       (warnings.empty() ? QString() : tr(" (%n skipped, see the log)", "", int(warnings.size()))));
    QStringList out;
    for (const auto& w : warnings) out << QString::fromStdString(w);
    return out;
}

void ResultsPanel::rebuildCharts() {
    while (m_charts->count() > 0) {
        QWidget* w = m_charts->widget(0);
        m_charts->removeTab(0);
        delete w;
    }
    const auto& runs = m_model->runs();
    if (runs.empty()) return;
    m_charts->addTab(plots::comparisonBarChart(runs, "accuracy"), tr("Accuracy"));
    m_charts->addTab(plots::comparisonBarChart(runs, "f1"), tr("F1"));
    m_charts->addTab(plots::comparisonBarChart(runs, "size"), tr("Size"));
    m_charts->addTab(plots::comparisonBarChart(runs, "latency"), tr("Latency"));
    m_charts->addTab(plots::sparsityAccuracyPlot(runs), tr("Sparsity vs accuracy"));
    m_charts->addTab(plots::accuracyLatencyPlot(runs), tr("Accuracy vs latency"));
    for (const auto& r : runs) {
        if (r.method == "baseline" && !r.history.empty()) {
            m_charts->addTab(plots::trainingCurvePlot(r), tr("Training curves"));
            break;
        }
    }
}

QString ResultsPanel::tableCsv() const {
    QStringList lines, header;
    for (int c = 0; c < m_proxy->columnCount(); ++c) header << csvCell(m_proxy->headerData(c, Qt::Horizontal).toString());
    lines << header.join(',');
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < m_proxy->columnCount(); ++c) cells << csvCell(m_proxy->index(r, c).data().toString());
        lines << cells.join(',');
    }
    return lines.join('\n') + '\n';
}

void ResultsPanel::exportCsv(const QString& path) const { writeFileAtomic(path.toStdString(), tableCsv().toStdString()); }

void ResultsPanel::exportCurrentChart(const QString& path) const {
    auto* plot = qobject_cast<QCustomPlot*>(m_charts->currentWidget());
    if (!plot) throw Error("no chart to export: open a results folder first");
    if (!plot->savePng(path, 1000, 600))
        throw Error("cannot write " + path.toStdString() + ": check that the folder is writable");
}

}  // namespace tpq::ui
