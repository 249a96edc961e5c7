#include "results_table_model.h"

#include <QBrush>
#include <cmath>

#include "translations.h"

namespace tpq::ui {
namespace {

enum Column {
    Run,
    Method,
    Weights,
    Accuracy,
    F1,
    Drop,
    Sparsity,
    Nonzero,
    SizeMb,
    Compression,
    P50,
    P50Batch1,
    Speedup,
    Count
};

QVariant number(double v) {
    return std::isnan(v) ? QVariant() : QVariant(v);
}

QString fixed(double v, int digits, const QString& suffix = {}) {
    return std::isnan(v) ? QStringLiteral("-") : QString::number(v, 'f', digits) + suffix;
}

}  // namespace

void ResultsTableModel::setRuns(std::vector<RunResult> runs) {
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

void ResultsTableModel::setStaleRuns(const QStringList& runIds) {
    m_stale = QSet<QString>(runIds.begin(), runIds.end());
    if (!m_runs.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, Count - 1));
}

bool ResultsTableModel::isStale(int row) const {
    return row >= 0 && row < int(m_runs.size()) && m_stale.contains(QString::fromStdString(m_runs[size_t(row)].runId));
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_runs.size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : Count;
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case Run:
            return tr("Run");
        case Method:
            return tr("Method");
        case Weights:
            return tr("Weights");
        case Accuracy:
            return tr("Accuracy");
        case F1:
            return tr("F1");
        case Drop:
            return tr("Drop (points)");
        case Sparsity:
            return tr("Sparsity");
        case Nonzero:
            return tr("Non-zero params");
        case SizeMb:
            return tr("Size (MB)");
        case Compression:
            return tr("Compression");
        case P50:
            return tr("p50 (ms)");
        case P50Batch1:
            return tr("Batch-1 p50 (ms)");
        case Speedup:
            return tr("Speedup");
        default:
            return {};
    }
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(m_runs.size())) return {};
    const RunResult& r = m_runs[size_t(index.row())];
    if (role == Qt::ForegroundRole) return isStale(index.row()) ? QVariant(QBrush(Qt::gray)) : QVariant();
    if (role == Qt::ToolTipRole)
        return isStale(index.row()) ? tr("Made from an older baseline: the baseline was trained again since. "
                                         "Run > Start runs it again.")
                                    : QVariant();
    if (role == Qt::TextAlignmentRole)
        return index.column() <= Weights ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                         : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::UserRole) {
        switch (index.column()) {
            case Run:
                return QString::fromStdString(r.runId);
            case Method:
                return QString(resultMethodName(r.method));
            case Weights:
                return QString::fromStdString(r.weightPrecision());
            case Accuracy:
                return number(r.test.accuracy);
            case F1:
                return number(r.test.f1);
            case Drop:
                return number(100 * r.accuracyDrop());
            case Sparsity:
                return number(r.sparsity);
            case Nonzero:
                return QVariant::fromValue<qlonglong>(r.nonzeroParameters);
            case SizeMb:
                return number(double(r.sizeBytes) / 1e6);
            case Compression:
                return number(r.compressionRatio());
            case P50:
                return number(r.latency.p50Ms);
            case P50Batch1:
                return number(r.latencyBatch1.p50Ms);
            case Speedup:
                return number(r.speedup());
            default:
                return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case Run:
            return QString::fromStdString(r.runId) + (isStale(index.row()) ? tr(" (stale)") : QString());
        case Method:
            return displayName(r.method);
        case Weights:
            return QString::fromStdString(r.weightPrecision());
        case Accuracy:
            return fixed(100 * r.test.accuracy, 2, "%");
        case F1:
            return fixed(r.test.f1, 4);
        case Drop:
            return fixed(100 * r.accuracyDrop(), 2);
        case Sparsity:
            return fixed(100 * r.sparsity, 1, "%");
        case Nonzero:
            return QString::number(r.nonzeroParameters);
        case SizeMb:
            return fixed(double(r.sizeBytes) / 1e6, 2);
        case Compression:
            return fixed(r.compressionRatio(), 2, "x");
        case P50:
            return fixed(r.latency.p50Ms, 1);
        case P50Batch1:
            return fixed(r.latencyBatch1.p50Ms, 1);
        case Speedup:
            return fixed(r.speedup(), 2, "x");
        default:
            return {};
    }
}

}  // namespace tpq::ui
