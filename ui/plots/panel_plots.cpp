#include "plots/panel_plots.h"

#include <QSharedPointer>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace tpq::plots {

QCustomPlot* titledPlot(const QString& title, QCustomPlot* into) {
    QCustomPlot* p = into ? into : new QCustomPlot;
    p->setBackground(Qt::white);
    p->plotLayout()->insertRow(0);
    p->plotLayout()->addElement(0, 0, new QCPTextElement(p, title, QFont(p->font().family(), 11, QFont::Bold)));
    p->setMinimumHeight(220);
    return p;
}

void legendBelow(QCustomPlot* plot) {
    QCPLegend* legend = plot->legend;
    legend->setVisible(true);
    if (plot->axisRect()->insetLayout()->take(legend)) plot->axisRect()->insetLayout()->simplify();
    const int row = plot->plotLayout()->rowCount();
    plot->plotLayout()->addElement(row, 0, legend);
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setWrap(3);
    legend->setMargins(QMargins(6, 2, 6, 2));
    legend->setBorderPen(Qt::NoPen);
    plot->plotLayout()->setRowStretchFactor(row, 0.001);
}

void setPlotTitle(QCustomPlot* plot, const QString& title) {
    if (auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) t->setText(title);
}

void setBars(QCustomPlot* plot, const QStringList& labels, const QVector<double>& values, const QString& valueLabel) {
    plot->clearPlottables();
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setBrush(QColor(31, 119, 180));
    bars->setPen(Qt::NoPen);
    QVector<double> ticks;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < labels.size(); ++i) {
        ticks << i;
        ticker->addTick(i, labels[i]);
    }
    bars->setData(ticks, values);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setSubTicks(false);
    plot->xAxis->setRange(-0.7, labels.size() - 0.3);
    plot->xAxis->setTickLabelRotation(labels.size() > 6 ? 45 : 0);
    double top = 0;
    for (double v : values) top = std::max(top, v);
    plot->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    plot->yAxis->setLabel(valueLabel);
    plot->replot();
}

void setHistogram(QCustomPlot* plot, const QVector<double>& values, int bins, const QString& xLabel) {
    plot->clearPlottables();
    if (values.isEmpty() || bins <= 0) {
        plot->replot();
        return;
    }
    QVector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    // Up to the 99th percentile: one very long mail would squeeze everything else into a bin.
    const double hi = std::max(1.0, sorted[int(std::floor(0.99 * (sorted.size() - 1)))]);
    const double width = hi / bins;
    QVector<double> centers(bins), counts(bins, 0);
    for (int b = 0; b < bins; ++b) centers[b] = (b + 0.5) * width;
    for (double v : values)
        if (v <= hi) counts[std::min(bins - 1, int(v / width))] += 1;
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setWidth(width * 0.9);
    bars->setBrush(QColor(44, 160, 44));
    bars->setPen(Qt::NoPen);
    bars->setData(centers, counts);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    plot->xAxis->setTickLabelRotation(0);
    plot->xAxis->setRange(0, hi);
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setRange(0, *std::max_element(counts.begin(), counts.end()) * 1.1 + 1);
    plot->replot();
}

}  // namespace tpq::plots
