#include "panels/results_panel.h"

#include <QDesktopServices>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>

#include <qcustomplot.h>

#include "plots/comparison_plots.h"
#include "plots/panel_plots.h"
#include "results_table_model.h"
#include "translations.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace tpq::ui {
namespace {

QString csvCell(const QString& s) {
    return QString::fromStdString(tpq::csvCell(s.toStdString()));
}

}  // namespace

QString confusionMatrixHtml(const RunResult& r) {
    // Class names never break inside a word: the table scrolls instead.
    const auto name = [&](size_t i) {
        return i < r.labelNames.size() ? QString::fromStdString(r.labelNames[i]).toHtmlEscaped() : QString::number(i);
    };
    QString html = "<table border=1 cellspacing=0 cellpadding=3><tr><th></th>";
    for (size_t c = 0; c < r.test.confusionMatrix.size(); ++c)
        html += "<th style=\"white-space:pre\">" + name(c) + "</th>";
    html += "</tr>";
    for (size_t i = 0; i < r.test.confusionMatrix.size(); ++i) {
        html += "<tr><th style=\"white-space:pre\">" + name(i) + "</th>";
        for (int64_t v : r.test.confusionMatrix[i])
            html += "<td align=right style=\"white-space:pre\">" + QString::number(v) + "</td>";
        html += "</tr>";
    }
    return html + "</table>";
}

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
    m_summary->setObjectName("resultsSummary");
    m_summary->setWordWrap(true);
    m_details = new QTextBrowser;
    m_details->setObjectName("runDetails");
    m_details->setPlaceholderText(tr("Select a run to see its confusion matrix and training history."));
    m_variants = new QTableWidget(0, 6);
    m_variants->setObjectName("variantStates");
    m_variants->setHorizontalHeaderLabels({tr("#"), tr("Variant"), tr("State"), tr("Run ids"), tr("Job"), tr("Log")});
    m_variants->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_variants->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_variants->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_variants->horizontalHeader()->setStretchLastSection(true);
    m_variants->verticalHeader()->setVisible(false);
    m_variants->setToolTip(
        tr("Each variant of the project: refreshed when the project file changes (other tpq "
           "processes, Slurm jobs) and, while jobs run, from squeue. Double-click a log to open it."));
    connect(m_variants, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        const QTableWidgetItem* log = m_variants->item(row, 5);
        if (log && !log->text().isEmpty()) QDesktopServices::openUrl(QUrl::fromLocalFile(log->text()));
    });
    m_tableTabs = new QTabWidget;
    m_tableTabs->setObjectName("resultsTableTabs");
    m_tableTabs->addTab(m_table, tr("Runs"));
    auto* tableRow = new QSplitter(Qt::Horizontal);
    tableRow->addWidget(m_tableTabs);
    tableRow->addWidget(m_details);
    tableRow->setStretchFactor(0, 4);
    tableRow->setStretchFactor(1, 1);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(tableRow);
    splitter->addWidget(m_charts);
    // Both grow with the window: a taller window shows more rows and a larger chart.
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                showDetails(current.isValid() ? m_proxy->mapToSource(current).row() : -1);
            });
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        QMenu menu;
        const QString run = currentRunId();
        if (!run.isEmpty()) {
            menu.addAction(tr("Open Model Folder"), this, [this, run] { Q_EMIT openModelFolderRequested(run); });
            menu.addAction(tr("Export Model..."), this, [this, run] { Q_EMIT exportModelRequested(run); });
            QAction* remove =
                menu.addAction(tr("Delete Run..."), this, [this, run] { Q_EMIT deleteRunRequested(run); });
            remove->setEnabled(m_canDelete);
            menu.addSeparator();
        }
        menu.addAction(tr("Export Results CSV..."), this, &ResultsPanel::exportCsvRequested);
        menu.exec(m_table->viewport()->mapToGlobal(at));
    });
}

void ResultsPanel::addChart(QWidget* chart, const QString& title) {
    // The plot widget takes the mouse itself: the menu has to be its own.
    chart->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(chart, &QWidget::customContextMenuRequested, this, [this, chart](const QPoint& at) {
        QMenu menu;
        menu.addAction(tr("Export This Plot PNG..."), this, &ResultsPanel::exportPngRequested);
        if (auto* plot = qobject_cast<QCustomPlot*>(chart)) {
            QAction* reset = menu.addAction(tr("Reset Zoom (double-click)"), plot, [plot] { plots::resetZoom(plot); });
            reset->setEnabled(plots::isZoomed(plot));
        }
        menu.exec(chart->mapToGlobal(at));
    });
    m_charts->addTab(chart, title);
}

void ResultsPanel::showDetails(int row) {
    const auto& runs = m_model->runs();
    if (row < 0 || row >= int(runs.size())) {
        m_details->clear();
        return;
    }
    const RunResult& r = runs[size_t(row)];
    QString html = "<h3>" + QString::fromStdString(r.runId).toHtmlEscaped() + "</h3>";
    html += "<p>" + tr("Method: %1").arg(displayName(r.method)) + "<br>" +
            tr("Accuracy %1%, F1 %2").arg(100 * r.test.accuracy, 0, 'f', 2).arg(r.test.f1, 0, 'f', 4) + "</p>";
    if (!r.test.confusionMatrix.empty()) {
        html += "<p><b>" + tr("Confusion matrix") + "</b> " + tr("(rows: true, columns: predicted)") + "</p>" +
                confusionMatrixHtml(r);
    }
    QString epochs;
    for (const auto& h : r.history.epochs) {
        epochs += "<tr><td>" + QString::number(h.epoch) + "</td><td>" + QString::number(h.trainLoss, 'f', 4) +
                  "</td><td>" + (h.valAccuracy >= 0 ? QString::number(100 * h.valAccuracy, 'f', 2) + "%" : "-") +
                  "</td></tr>";
    }
    if (!epochs.isEmpty()) {
        html += "<p><b>" + tr("History") + "</b></p><table border=1 cellspacing=0 cellpadding=3><tr><th>" +
                tr("epoch") + "</th><th>" + tr("train loss") + "</th><th>" + tr("val accuracy") + "</th></tr>" +
                epochs + "</table>";
    }
    m_details->setHtml(html);
}

const std::vector<RunResult>& ResultsPanel::runs() const {
    return m_model->runs();
}

QString ResultsPanel::currentRunId() const {
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) return {};
    const int row = m_proxy->mapToSource(current).row();
    const auto& runs = m_model->runs();
    return row >= 0 && row < int(runs.size()) ? QString::fromStdString(runs[size_t(row)].runId) : QString();
}

QStringList ResultsPanel::loadResults(const QString& resultsDir, const QStringList* onlyRuns,
                                      const QStringList& staleRuns) {
    std::vector<std::string> warnings;
    auto runs = ResultsStore(resultsDir.toStdString()).load(&warnings);
    if (onlyRuns) {
        // A project shows its own runs, not whatever else shares the folder.
        runs.erase(
            std::remove_if(runs.begin(), runs.end(),
                           [&](const RunResult& r) { return !onlyRuns->contains(QString::fromStdString(r.runId)); }),
            runs.end());
    }
    setRuns(std::move(runs), staleRuns);
    QString summary = tr("%n run(s) in %1", "", int(m_model->runs().size())).arg(resultsDir);
    if (!warnings.empty()) summary += tr(" (%n skipped, see the log)", "", int(warnings.size()));
    if (!staleRuns.isEmpty())
        summary += " " + tr("Grey rows were made from an older baseline: Run > Start runs them again.");
    m_runsSummary = summary;
    m_summary->setText(m_runsSummary + m_variantsSummary);
    QStringList out;
    for (const auto& w : warnings) out << QString::fromStdString(w);
    return out;
}

void ResultsPanel::clear(const QString& message) {
    setRuns({}, {});
    m_runsSummary = message.isEmpty() ? tr("No runs yet: Run > Start (F5) runs the project's variants.") : message;
    m_summary->setText(m_runsSummary + m_variantsSummary);
}

void ResultsPanel::setVariantStatus(const std::vector<VariantStatus>& variants) {
    const QSignalBlocker quiet(m_variants);
    const int selected = m_variants->currentRow();
    m_variants->setRowCount(int(variants.size()));
    std::map<std::string, int> counts;
    for (size_t i = 0; i < variants.size(); ++i) {
        const VariantStatus& v = variants[i];
        ++counts[v.state];
        const QStringList cells = {QString::number(v.index),
                                   QString::fromStdString(v.variant),
                                   stateName(v.state),
                                   QString::fromStdString(join(v.runIds, ", ")),
                                   QString::fromStdString(v.job),
                                   QString::fromStdString(v.log)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (v.state == "failed") item->setForeground(QColor(0xc0, 0x20, 0x20));
            if (v.state == "running") item->setForeground(QColor(0x10, 0x50, 0xb0));
            if (v.state == "stale" || v.state == "pending" || v.state == "queued")
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            if (c == 5 && !v.log.empty()) item->setToolTip(tr("Double-click to open the log"));
            m_variants->setItem(int(i), c, item);
        }
    }
    if (selected >= 0 && selected < m_variants->rowCount()) m_variants->selectRow(selected);
    const int tab = m_tableTabs->indexOf(m_variants);
    if (variants.empty()) {
        if (tab >= 0) m_tableTabs->removeTab(tab);
        m_variantsSummary.clear();
    } else {
        if (tab < 0) m_tableTabs->addTab(m_variants, QString());
        QStringList parts;
        for (const char* state : {"finished", "running", "queued", "pending", "failed", "cancelled", "stale"})
            if (counts[state] > 0)
                parts << tr("%1 %2", "a count of variants and their state: 3 finished")
                             .arg(counts[state])
                             .arg(stateName(state));
        m_variantsSummary = "  \u00b7  " + tr("Variants: %1.").arg(parts.join(", "));
        const bool attention = counts["failed"] > 0;
        m_tableTabs->setTabText(m_tableTabs->indexOf(m_variants),
                                attention ? tr("Variants (%n failed)", "", counts["failed"]) : tr("Variants"));
    }
    m_summary->setText(m_runsSummary + m_variantsSummary);
}

QString ResultsPanel::stateName(const std::string& state) {
    if (state == "pending") return tr("pending");
    if (state == "queued") return tr("queued");
    if (state == "running") return tr("running");
    if (state == "failed") return tr("failed");
    if (state == "cancelled") return tr("cancelled");
    if (state == "finished") return tr("finished");
    if (state == "stale") return tr("stale");
    return QString::fromStdString(state);
}

void ResultsPanel::setRuns(std::vector<RunResult> runs, const QStringList& staleRuns) {
    // The same runs again (the project file changed under a watched project) keep the
    // user's row, sort order, scroll position and chart tab.
    const QString current = currentRunId();
    const bool refresh = !current.isEmpty() && std::any_of(runs.begin(), runs.end(), [&](const RunResult& r) {
        return QString::fromStdString(r.runId) == current;
    });
    const int column = m_table->horizontalScrollBar()->value(), row = m_table->verticalScrollBar()->value();
    const int chart = m_charts->currentIndex();
    m_model->setRuns(std::move(runs));
    m_model->setStaleRuns(staleRuns);
    if (!refresh) m_table->sortByColumn(-1, Qt::AscendingOrder);  // the store's order: baselines first
    rebuildCharts();
    if (refresh && chart < m_charts->count()) m_charts->setCurrentIndex(chart);
    int select = m_proxy->rowCount() > 0 ? 0 : -1;
    for (int r = 0; refresh && r < m_proxy->rowCount(); ++r)
        if (QString::fromStdString(m_model->runs()[size_t(m_proxy->mapToSource(m_proxy->index(r, 0)).row())].runId) ==
            current)
            select = r;
    if (select >= 0)
        m_table->selectRow(select);
    else
        showDetails(-1);
    m_table->horizontalScrollBar()->setValue(refresh ? column : 0);  // a new folder starts at its first column
    m_table->verticalScrollBar()->setValue(refresh ? row : 0);
}

void ResultsPanel::rebuildCharts() {
    while (m_charts->count() > 0) {
        QWidget* w = m_charts->widget(0);
        m_charts->removeTab(0);
        w->deleteLater();  // its context menu or export dialog may still be on the stack
    }
    const auto& runs = m_model->runs();
    if (runs.empty()) return;
    addChart(plots::comparisonBarChart(runs, "accuracy"), tr("Accuracy"));
    addChart(plots::comparisonBarChart(runs, "f1"), tr("F1"));
    addChart(plots::comparisonBarChart(runs, "size"), tr("Size"));
    addChart(plots::comparisonBarChart(runs, "latency"), tr("Latency"));
    addChart(plots::sparsityAccuracyPlot(runs), tr("Sparsity vs accuracy"));
    addChart(plots::accuracyLatencyPlot(runs), tr("Accuracy vs latency"));
    for (const auto& r : runs) {
        if (r.method == Method::Baseline && !r.history.empty()) {
            addChart(plots::trainingCurvePlot(r), tr("Training curves"));
            break;
        }
    }
}

QString ResultsPanel::tableCsv() const {
    QStringList lines, header;
    for (int c = 0; c < m_proxy->columnCount(); ++c)
        header << csvCell(m_proxy->headerData(c, Qt::Horizontal).toString());
    lines << header.join(',');
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < m_proxy->columnCount(); ++c) cells << csvCell(m_proxy->index(r, c).data().toString());
        lines << cells.join(',');
    }
    return lines.join('\n') + '\n';
}

void ResultsPanel::exportCsv(const QString& path) const {
    if (m_proxy->rowCount() == 0)
        throw Error(tr("no runs to export: open a project or a results folder with finished runs first").toStdString());
    std::vector<RunResult> shown;  // in the table's order
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        shown.push_back(m_model->runs()[size_t(m_proxy->mapToSource(m_proxy->index(r, 0)).row())]);
    writeFileAtomic(path.toStdString(), comparisonCsv(shown));
}

int ResultsPanel::exportAllCharts(const QString& dir) const {
    return int(plots::writeComparisonPlots(runs(), dir.toStdString()).size());
}

void ResultsPanel::exportCurrentChart(const QString& path) const {
    auto* plot = qobject_cast<QCustomPlot*>(m_charts->currentWidget());
    if (!plot) throw Error(tr("no chart to export: open a results folder first").toStdString());
    if (!plot->savePng(path, 1000, 600))
        throw Error(tr("cannot write %1: check that the folder is writable").arg(path).toStdString());
}

}  // namespace tpq::ui
