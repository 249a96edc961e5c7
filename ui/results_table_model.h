#pragma once
/// \file results_table_model.h
/// The comparison table as a Qt model: one row per run (tpq::RunResult), the columns of
/// the CLI's comparison table. Qt::DisplayRole is formatted text, Qt::UserRole the raw
/// number (or text) that sorting uses.

#include <QAbstractTableModel>
#include <QSet>
#include <vector>

#include "experiment/results_store.h"

namespace tpq::ui {

class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    explicit ResultsTableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}

    void setRuns(std::vector<RunResult> runs);
    /// Runs made from an older baseline: greyed, with a tooltip saying so.
    void setStaleRuns(const QStringList& runIds);
    bool isStale(int row) const;
    const std::vector<RunResult>& runs() const { return m_runs; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<RunResult> m_runs;
    QSet<QString> m_stale;
};

}  // namespace tpq::ui
