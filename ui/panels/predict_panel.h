#pragma once
/// \file predict_panel.h
/// The Predict view: type or paste a text, pick runs (the baseline and its compressed
/// variants), and see each one's label and class probabilities side by side with the time
/// it took. The models run on a thread of their own, beside any training.

#include <QWidget>

#include "worker/experiment_worker.h"

class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QLabel;

namespace tpq::ui {

class PredictPanel : public QWidget {
    Q_OBJECT

public:
    explicit PredictPanel(QWidget* parent = nullptr);

    /// The runs that can answer: ids and their model folders (absolute). The first three
    /// are picked.
    void setRuns(const QStringList& runIds, const QStringList& modelDirs);
    void setText(const QString& text);
    /// Picks exactly these runs.
    void selectRuns(const QStringList& runIds);
    QStringList selectedRuns() const;
    void showResult(const PredictionResult& result);
    void setBusy(bool busy);
    QTableWidget* table() const { return m_table; }

Q_SIGNALS:
    void predictRequested(const QStringList& runIds, const QStringList& modelDirs, const QString& text);

private:
    QPlainTextEdit* m_text;
    QListWidget* m_runs;
    QPushButton* m_predict;
    QTableWidget* m_table;
    QLabel* m_hint;
    QStringList m_dirs;
};

}  // namespace tpq::ui
