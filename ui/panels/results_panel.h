#pragma once
/// \file results_panel.h
/// The Results panel: the comparison table of every run in a results folder (sortable),
/// the comparison charts, and export of the table as CSV and of the shown chart as PNG.

#include <QWidget>

#include "experiment/results_store.h"
#include "experiment/slurm_submit.h"

class QSortFilterProxyModel;
class QTableView;
class QTableWidget;
class QTabWidget;
class QLabel;
class QTextBrowser;

namespace tpq::ui {

class ResultsTableModel;

/// A run's confusion matrix as an HTML table (rows: true class, columns: predicted); class
/// names never break inside a word.
QString confusionMatrixHtml(const RunResult& run);

class ResultsPanel : public QWidget {
    Q_OBJECT

public:
    explicit ResultsPanel(QWidget* parent = nullptr);

    /// Reads every run of `resultsDir`; throws tpq::Error when the folder cannot be read.
    /// Runs whose result.json is corrupt are skipped; their warnings are returned.
    /// With `onlyRuns`, just those run ids (a project's own runs); `staleRuns` are shown
    /// greyed (made from an older baseline).
    QStringList loadResults(const QString& resultsDir, const QStringList* onlyRuns = nullptr,
                            const QStringList& staleRuns = {});
    /// No runs (no project open, or one that has none yet).
    void clear(const QString& message = {});
    /// Every variant of the open project with its state (pending, queued, running, failed,
    /// cancelled, finished, stale; experiment/slurm_submit.h), shown in the Variants tab and
    /// counted in the summary line; empty = no project (the tab is hidden).
    void setVariantStatus(const std::vector<VariantStatus>& variants);

    /// The table as shown (current sort order, displayed text) as CSV.
    QString tableCsv() const;
    /// Writes the runs in the table's order as `tpq compare`'s comparison.csv does (raw
    /// numbers, its columns) to `path` atomically; throws tpq::Error when there are no
    /// runs or the file cannot be written.
    void exportCsv(const QString& path) const;
    /// Renders the chart on the current tab to `path` (PNG, 1000x600); throws tpq::Error.
    void exportCurrentChart(const QString& path) const;
    /// Writes every comparison plot of the runs (the set `tpq compare` writes) into `dir`;
    /// returns how many. Throws tpq::Error.
    int exportAllCharts(const QString& dir) const;

    const std::vector<RunResult>& runs() const;
    /// The run id of the table's current row ("" when none).
    QString currentRunId() const;
    /// Whether the table's menu offers Delete Run (a project's runs, nothing running).
    void setCanDelete(bool canDelete) { m_canDelete = canDelete; }
    QTableView* table() const { return m_table; }
    QTableWidget* variantTable() const { return m_variants; }
    /// The Runs / Variants tabs above the charts.
    QTabWidget* tableTabs() const { return m_tableTabs; }
    QTabWidget* charts() const { return m_charts; }
    QTextBrowser* details() const { return m_details; }

Q_SIGNALS:
    void exportCsvRequested();
    void exportPngRequested();
    /// The table's menu: Open Model Folder / Delete Run... on `runId`.
    void openModelFolderRequested(const QString& runId);
    void exportModelRequested(const QString& runId);
    void deleteRunRequested(const QString& runId);

private:
    /// A VariantStatus::state as the user reads it (translated).
    static QString stateName(const std::string& state);
    void rebuildCharts();
    void setRuns(std::vector<RunResult> runs, const QStringList& staleRuns);
    void addChart(QWidget* chart, const QString& title);
    /// Shows run `row` (of the model, unsorted) in the details pane.
    void showDetails(int row);

    ResultsTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QTableWidget* m_variants;
    QTabWidget* m_tableTabs;
    QTabWidget* m_charts;
    QLabel* m_summary;
    QString m_runsSummary;      // what loadResults/clear said
    QString m_variantsSummary;  // the states counted, "" without a project
    QTextBrowser* m_details;
    bool m_canDelete = false;
};

}  // namespace tpq::ui
