#pragma once
/// \file compare_panel.h
/// The Compare view: pick two or more runs and see their training curves overlaid (loss
/// per step, optionally smoothed; validation loss and accuracy per epoch), a table of
/// their metrics with the differences from the first picked run, per-class precision,
/// recall and F1, and their confusion matrices side by side.

#include <QWidget>
#include <vector>

#include "experiment/results_store.h"

class QCheckBox;
class QCustomPlot;
class QListWidget;
class QSpinBox;
class QTableWidget;
class QTextBrowser;

namespace tpq::ui {

class ComparePanel : public QWidget {
    Q_OBJECT

public:
    explicit ComparePanel(QWidget* parent = nullptr);

    /// The runs to pick from; the baseline and the first two others are picked.
    void setRuns(const std::vector<RunResult>& runs);
    void selectRuns(const QStringList& runIds);
    QStringList selectedRuns() const;

    QCustomPlot* curves() const { return m_curves; }
    QTableWidget* metrics() const { return m_metrics; }
    QTableWidget* perClass() const { return m_perClass; }
    QTextBrowser* confusion() const { return m_confusion; }

private:
    void rebuild();
    void showCurves(const std::vector<const RunResult*>& picked);
    void showMetrics(const std::vector<const RunResult*>& picked);
    void showPerClass(const std::vector<const RunResult*>& picked);

    std::vector<RunResult> m_runs;
    QListWidget* m_list;
    QSpinBox* m_smoothing;
    QCheckBox* m_validation;
    QCustomPlot* m_curves;
    QTableWidget* m_metrics;
    QTableWidget* m_perClass;
    QTextBrowser* m_confusion;
};

}  // namespace tpq::ui
