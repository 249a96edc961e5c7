#pragma once
/// \file pruning_panel.h
/// The Pruning panel: method and parameters, the progressive schedule previewed as you
/// edit it, Run (adds the variant to the project and runs it), and the heatmaps of the
/// project's pruning runs: layers x heads importance with the removed heads crossed out,
/// and per-layer sparsity.

#include <QWidget>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/project.h"
#include "experiment/results_store.h"

class QComboBox;
class QScrollArea;
class QTabWidget;
class QDoubleSpinBox;
class QSpinBox;
class QStackedWidget;
class QPushButton;
class QCustomPlot;
class QVBoxLayout;
class QLabel;

namespace tpq::ui {

class PruningPanel : public QWidget {
    Q_OBJECT

public:
    explicit PruningPanel(QWidget* parent = nullptr);

    void setConfig(const ExperimentConfig& config);
    void applyTo(ExperimentConfig& config) const;
    /// The variant the Run button adds.
    VariantSpec variant() const;
    /// The runs to draw heatmaps for (every run of the results folder).
    void setRuns(const std::vector<RunResult>& runs);
    void setBusy(bool busy);

    std::vector<double> schedulePreview() const;
    QCustomPlot* schedulePlot() const { return m_schedule; }
    QWidget* headHeatmap() const { return m_headHeatmap; }
    QWidget* sparsityHeatmap() const { return m_sparsityHeatmap; }

Q_SIGNALS:
    void runRequested(const tpq::VariantSpec& variant);
    void edited();

private:
    /// The method box's choice, read once from its item data.
    Method chosenMethod() const;
    BlockShape chosenBlock() const;
    void updateSchedule();
    void updateEnabled();
    void showHeadRun(int index);

    QComboBox* m_method;
    QDoubleSpinBox* m_sparsity;
    QComboBox* m_block;  // pruning.unstructured.block
    QScrollArea* m_sparsityScroll;
    QDoubleSpinBox* m_heads;
    QDoubleSpinBox* m_ffn;
    QSpinBox* m_fineTune;
    QDoubleSpinBox* m_initial;
    QDoubleSpinBox* m_final;
    QSpinBox* m_iterations;
    QComboBox* m_scheduleKind;
    QPushButton* m_run;
    QCustomPlot* m_schedule;
    QComboBox* m_headRun;
    QVBoxLayout* m_headArea;
    QVBoxLayout* m_sparsityArea;
    QTabWidget* m_heatmapTabs;
    QWidget* m_headHeatmap = nullptr;
    QWidget* m_sparsityHeatmap = nullptr;
    QLabel* m_noRuns;
    std::vector<RunResult> m_runs;
    ExperimentConfig m_base;
};

}  // namespace tpq::ui
