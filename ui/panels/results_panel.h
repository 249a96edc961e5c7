#pragma once
/// \file results_panel.h
/// The Results panel: the comparison table of every run in a results folder (sortable),
/// the comparison charts, and export of the table as CSV and of the shown chart as PNG.

#include <QWidget>

#include "experiment/results_store.h"

class QSortFilterProxyModel;
class QTableView;
class QTabWidget;
class QLabel;
class QTextBrowser;

namespace tpq::ui {

class ResultsTableModel;

class ResultsPanel : public QWidget {
    Q_OBJECT

public:
    explicit ResultsPanel(QWidget* parent = nullptr);

    /// Reads every run of `resultsDir`; throws tpq::Error when the folder cannot be read.
    /// Runs whose result.json is corrupt are skipped; their warnings are returned.
    QStringList loadResults(const QString& resultsDir);

    /// The table as shown (current sort order, displayed text) as CSV.
    QString tableCsv() const;
    /// Writes tableCsv() to `path` atomically; throws tpq::Error.
    void exportCsv(const QString& path) const;
    /// Renders the chart on the current tab to `path` (PNG, 1000x600); throws tpq::Error.
    void exportCurrentChart(const QString& path) const;
    /// Writes every comparison plot of the runs (the set `tpq compare` writes) into `dir`;
    /// returns how many. Throws tpq::Error.
    int exportAllCharts(const QString& dir) const;

    const std::vector<RunSummary>& runs() const;
    QTableView* table() const { return m_table; }
    QTabWidget* charts() const { return m_charts; }
    QTextBrowser* details() const { return m_details; }

Q_SIGNALS:
    void exportCsvRequested();
    void exportPngRequested();

private:
    void rebuildCharts();
    void addChart(QWidget* chart, const QString& title);
    /// Shows run `row` (of the model, unsorted) in the details pane.
    void showDetails(int row);

    ResultsTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QTabWidget* m_charts;
    QLabel* m_summary;
    QTextBrowser* m_details;
};

}  // namespace tpq::ui
