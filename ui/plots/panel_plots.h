#pragma once
/// \file panel_plots.h
/// Small QCustomPlot helpers the panels share: a titled plot, vertical bars with text
/// labels, a histogram.

#include <QString>
#include <QStringList>
#include <QVector>

class QCustomPlot;

namespace tpq::plots {

/// An empty white plot with a bold title row.
QCustomPlot* titledPlot(const QString& title, QCustomPlot* into = nullptr);
/// Replaces the plot's content with one vertical bar per label.
void setBars(QCustomPlot* plot, const QStringList& labels, const QVector<double>& values, const QString& valueLabel);
/// Replaces the plot's content with a histogram of `values` in `bins` equal bins.
void setHistogram(QCustomPlot* plot, const QVector<double>& values, int bins, const QString& xLabel);
/// Moves the plot's legend out of the axis rect into a row below it: it never hides data.
void legendBelow(QCustomPlot* plot);
/// Sets the plot's title text (the first element of titledPlot's title row).
void setPlotTitle(QCustomPlot* plot, const QString& title);

}  // namespace tpq::plots
