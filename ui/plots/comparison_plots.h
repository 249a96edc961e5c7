#pragma once
/// \file comparison_plots.h
/// The comparison plots as QCustomPlot widgets: the GUI shows them, `tpq compare`
/// renders them offscreen to PNG. Each takes the runs as read by tpq::ResultsStore.

#include <QColor>
#include <QString>
#include <QVector>
#include <utility>
#include <vector>

#include "experiment/results_store.h"

class QCustomPlot;

namespace tpq::plots {

/// The colour of the i-th series of a plot (a fixed palette, repeating).
QColor seriesColor(int i);

/// A run's history.csv as curve points: the loss per optimizer step, and the validation
/// accuracy (%) of each epoch at the step that epoch ended.
struct TrainingCurve {
    QVector<double> steps, losses, epochSteps, valAccuracy;
};
TrainingCurve trainingCurve(const RunResult& run);

/// Training loss per optimizer step and validation accuracy per epoch of one run.
QCustomPlot* trainingCurvePlot(const RunResult& run);

/// Bars of one metric per run. `metric`: accuracy, f1, size, latency.
QCustomPlot* comparisonBarChart(const std::vector<RunResult>& runs, const QString& metric);

/// Test accuracy against sparsity of the linear layers, one point per run.
QCustomPlot* sparsityAccuracyPlot(const std::vector<RunResult>& runs);

/// Test accuracy against p50 latency, one point per run; the Pareto front (no other run
/// both faster and more accurate) drawn as a line and its points filled.
QCustomPlot* accuracyLatencyPlot(const std::vector<RunResult>& runs);

/// Runs with layer_sparsity (rows) x linear layers (columns), colour = zero fraction.
/// Throws tpq::Error when no run has layer_sparsity.
QCustomPlot* layerSparsityHeatmap(const std::vector<RunResult>& runs);

/// Layers (rows) x heads (columns) importance of a structured pruning run.
QCustomPlot* headImportanceHeatmap(const RunResult& run);

/// A linear layer's short label ("bert.encoder.layer.3.attention.self.query" -> "L3 query",
/// "...attention.output.dense" -> "L3 attn_out").
QString shortLayerName(const std::string& name);

/// The runs on the Pareto front of accuracy vs latency (indices into `runs`).
std::vector<size_t> paretoFront(const std::vector<RunResult>& runs);

/// Renders every plot that has data into `outputDir` as PNG (width x height pixels) and
/// returns (file name, caption) pairs in order. Needs a QApplication. Throws tpq::Error
/// when a file cannot be written.
std::vector<std::pair<std::string, std::string>> writeComparisonPlots(const std::vector<RunResult>& runs,
                                                                      const std::string& outputDir, int width = 1000,
                                                                      int height = 600);

}  // namespace tpq::plots
