#pragma once
/// \file panel_plots.h
/// Small QCustomPlot helpers the panels share: a titled plot, vertical bars with text
/// labels, a histogram.

#include <QPoint>
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
/// Moves the plot's legend out of the axis rect into a row below it (`columns` entries
/// per row): it never hides data.
void legendBelow(QCustomPlot* plot, int columns = 3);
/// Sets the plot's title text (the first element of titledPlot's title row).
void setPlotTitle(QCustomPlot* plot, const QString& title);

/// An empty plot shows `hint` in its middle and no axes; "" = it has data (axes back).
/// setBars, setGroupedBars and setHistogram call it.
void setEmptyHint(QCustomPlot* plot, const QString& hint);

/// Makes a plot explorable: hovering a point, bar or cell shows its exact value and run
/// (its plottable's "pointNames" property, a QStringList by data index, names points);
/// dragging pans, the wheel zooms, a double-click (or resetZoom) goes back to the view
/// the plot had before the user moved it. titledPlot and the comparison plots call it.
void makeInteractive(QCustomPlot* plot);
/// The user has panned or zoomed the plot: live updates keep their hands off its ranges.
bool isZoomed(const QCustomPlot* plot);
/// Back to the view before the user panned or zoomed, and replots.
void resetZoom(QCustomPlot* plot);
/// New data: the view the code sets from now on is the one a reset returns to.
void forgetZoom(QCustomPlot* plot);
/// What hovering `pos` (widget pixels) shows: the nearest point, bar or cell within a
/// few pixels, "" when there is none.
QString hoverText(QCustomPlot* plot, const QPoint& pos);

/// Replaces the plot's content with groups of vertical bars: one bar per series at each
/// label (NaN values are left out), the series named in a legend below the plot.
void setGroupedBars(QCustomPlot* plot, const QStringList& labels, const QVector<QVector<double>>& series,
                    const QStringList& names, const QString& valueLabel);

}  // namespace tpq::plots
