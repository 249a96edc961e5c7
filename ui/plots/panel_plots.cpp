#include "plots/panel_plots.h"

#include <QCoreApplication>
#include <QSharedPointer>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

namespace tpq::plots {
namespace {

QString T(const char* text) {
    return QCoreApplication::translate("Plots", text);
}

QString number(double v) {
    if (std::isnan(v)) return "-";
    const double a = std::abs(v);
    return QString::number(v, 'f', a >= 100 ? 1 : a >= 1 ? 2 : a >= 0.01 ? 4 : 6);
}

// The text label a text ticker gives `coord` (the run of a bar, the layer of a cell).
QString tickLabel(const QCPAxis* axis, double coord) {
    if (auto text = axis->ticker().dynamicCast<QCPAxisTickerText>()) {
        const auto& ticks = text->ticks();
        auto it = ticks.find(std::round(coord));
        if (it != ticks.end()) return it.value();
    }
    return {};
}

QString axisLabel(const QCPAxis* axis) {
    return axis->label().isEmpty() ? (axis->orientation() == Qt::Horizontal ? "x" : "y") : axis->label();
}

QString pointName(const QCPAbstractPlottable* plottable, int index) {
    const QStringList names = plottable->property("pointNames").toStringList();
    return index >= 0 && index < names.size() ? names[index] : QString();
}

QString lines(const QString& title, const QStringList& rows) {
    QString html = "<b>" + title.toHtmlEscaped() + "</b>";
    for (const QString& r : rows) html += "<br>" + r.toHtmlEscaped();
    return "<p style=\"white-space:pre\">" + html + "</p>";
}

QList<QCPAxis*> rectAxes(QCustomPlot* plot) {
    QList<QCPAxis*> axes;
    for (QCPAxis* a : plot->axisRect()->axes())
        if (a->visible()) axes << a;
    return axes;
}

}  // namespace

QString hoverText(QCustomPlot* plot, const QPoint& pos) {
    QCPAbstractPlottable* best = nullptr;
    QVariant bestDetails;
    double bestDistance = plot->selectionTolerance() + 1;
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* pl = plot->plottable(i);
        if (!pl->visible() || !pl->keyAxis()) continue;
        QVariant details;
        const double d = pl->selectTest(pos, false, &details);
        if (d >= 0 && d < bestDistance) bestDistance = d, best = pl, bestDetails = details;
    }
    if (!best) return {};
    QCPAxis* keyAxis = best->keyAxis();
    QCPAxis* valueAxis = best->valueAxis();
    if (auto* map = qobject_cast<QCPColorMap*>(best)) {
        double key = 0, value = 0;
        map->pixelsToCoords(QPointF(pos), key, value);
        const double v = map->data()->data(key, value);
        const QString column = tickLabel(keyAxis, key), row = tickLabel(valueAxis, value);
        const QString scale =
            map->colorScale() ? map->colorScale()->axis()->label() : T(QT_TRANSLATE_NOOP("Plots", "value"));
        return lines(row.isEmpty() || column.isEmpty() ? row + column : row + " \u00b7 " + column,
                     {scale + ": " + (std::isnan(v) ? T(QT_TRANSLATE_NOOP("Plots", "none")) : number(v))});
    }
    const auto selection = bestDetails.value<QCPDataSelection>();
    if (selection.isEmpty()) return {};
    const int index = selection.dataRange().begin();
    if (auto* bars = qobject_cast<QCPBars*>(best)) {
        if (index >= bars->dataCount()) return {};
        const auto it = bars->data()->at(index);
        QString title = pointName(bars, index);
        if (title.isEmpty()) title = tickLabel(keyAxis, it->key);
        QStringList rows;
        if (!bars->name().isEmpty()) rows << bars->name();
        rows << axisLabel(valueAxis) + ": " + number(it->value);
        return lines(title, rows);
    }
    if (auto* graph = qobject_cast<QCPGraph*>(best)) {
        if (index >= graph->dataCount()) return {};
        const auto it = graph->data()->at(index);
        QString title = pointName(graph, index);
        QStringList rows;
        if (title.isEmpty())
            title = graph->name();
        else if (!graph->name().isEmpty())
            rows << graph->name();
        rows << axisLabel(keyAxis) + ": " + number(it->key) << axisLabel(valueAxis) + ": " + number(it->value);
        return lines(title, rows);
    }
    return {};
}

void setEmptyHint(QCustomPlot* plot, const QString& hint) {
    auto* item = plot->findChild<QCPItemText*>("emptyHint");
    if (!item && !hint.isEmpty()) {
        item = new QCPItemText(plot);
        item->setObjectName("emptyHint");
        item->position->setType(QCPItemPosition::ptAxisRectRatio);
        item->position->setCoords(0.5, 0.5);
        item->setPositionAlignment(Qt::AlignCenter);
        item->setColor(QColor(110, 110, 110));
        item->setClipToAxisRect(false);
    }
    if (item) {
        item->setText(hint);
        item->setVisible(!hint.isEmpty());
    }
    // Hiding remembers what was shown (the second axis, the legend) to bring it back.
    QList<QCPLayerable*> parts = {plot->xAxis, plot->yAxis, plot->yAxis2, plot->legend};
    const bool hidden = plot->property("tpqHidden").isValid();
    if (!hint.isEmpty() && !hidden) {
        QVariantList shown;
        for (QCPLayerable* part : parts) {
            shown << part->visible();
            part->setVisible(false);
        }
        plot->setProperty("tpqHidden", shown);
    } else if (hint.isEmpty() && hidden) {
        const QVariantList shown = plot->property("tpqHidden").toList();
        for (int i = 0; i < parts.size() && i < shown.size(); ++i) parts[i]->setVisible(shown[i].toBool());
        plot->setProperty("tpqHidden", QVariant());
    }
}

bool isZoomed(const QCustomPlot* plot) {
    return plot->property("tpqZoomed").toBool();
}

void forgetZoom(QCustomPlot* plot) {
    plot->setProperty("tpqZoomed", false);
}

void resetZoom(QCustomPlot* plot) {
    if (!isZoomed(plot)) return;
    const QVariantList home = plot->property("tpqHome").toList();
    const auto axes = plot->axisRect()->axes();
    for (int i = 0; i < axes.size() && i < home.size(); ++i) {
        const QPointF r = home[i].toPointF();
        axes[i]->setRange(r.x(), r.y());
    }
    forgetZoom(plot);
    plot->replot();
}

void makeInteractive(QCustomPlot* plot) {
    if (plot->property("tpqInteractive").toBool()) return;
    plot->setProperty("tpqInteractive", true);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->setMouseTracking(true);
    // Before the first drag or wheel turn: remember the view a reset goes back to, and
    // move every visible axis (the training curves' second one too).
    const auto startMoving = [plot] {
        const auto axes = rectAxes(plot);
        plot->axisRect()->setRangeDragAxes(axes);
        plot->axisRect()->setRangeZoomAxes(axes);
        if (isZoomed(plot)) return;
        QVariantList home;
        for (QCPAxis* a : plot->axisRect()->axes()) home << QPointF(a->range().lower, a->range().upper);
        plot->setProperty("tpqHome", home);
        plot->setProperty("tpqZoomed", true);
    };
    QObject::connect(plot, &QCustomPlot::mousePress, plot, [startMoving](QMouseEvent* e) {
        if (e->button() == Qt::LeftButton) startMoving();
    });
    QObject::connect(plot, &QCustomPlot::mouseWheel, plot, [startMoving](QWheelEvent*) { startMoving(); });
    QObject::connect(plot, &QCustomPlot::mouseDoubleClick, plot, [plot](QMouseEvent*) { resetZoom(plot); });
    QObject::connect(plot, &QCustomPlot::mouseMove, plot, [plot](QMouseEvent* e) {
        if (e->buttons() != Qt::NoButton) return;  // dragging
        const QPoint pos = e->position().toPoint();
        const QString text = hoverText(plot, pos);
        if (text.isEmpty()) {
            QToolTip::hideText();
            return;
        }
        const QString hint = T(QT_TRANSLATE_NOOP("Plots", "drag: pan \u00b7 wheel: zoom \u00b7 double-click: reset"));
        QToolTip::showText(plot->mapToGlobal(pos), text + "<p style=\"color:#777;white-space:pre\">" + hint + "</p>",
                           plot);
    });
}

QCustomPlot* titledPlot(const QString& title, QCustomPlot* into) {
    QCustomPlot* p = into ? into : new QCustomPlot;
    p->setBackground(Qt::white);
    p->plotLayout()->insertRow(0);
    auto* heading = new QCPTextElement(p, title, QFont(p->font().family(), 11, QFont::Bold));
    heading->setMinimumSize(120, 0);  // a long title does not set the plot's minimum width
    p->plotLayout()->addElement(0, 0, heading);
    p->setMinimumHeight(220);
    makeInteractive(p);
    return p;
}

void legendBelow(QCustomPlot* plot, int columns) {
    QCPLegend* legend = plot->legend;
    legend->setVisible(true);
    if (plot->property("tpqLegendBelow").toBool()) return;
    plot->setProperty("tpqLegendBelow", true);
    if (plot->axisRect()->insetLayout()->take(legend)) plot->axisRect()->insetLayout()->simplify();
    const int row = plot->plotLayout()->rowCount();
    plot->plotLayout()->addElement(row, 0, legend);
    // The wrap first: setFillOrder re-lays the items already there by it.
    legend->setWrap(columns);
    legend->setFillOrder(QCPLegend::foColumnsFirst, true);
    legend->setMargins(QMargins(6, 2, 6, 2));
    legend->setBorderPen(Qt::NoPen);
    // A grid's column is as narrow as its narrowest element's maximum, and an empty
    // legend's maximum is its margins: without this, a plot with no series yet (Compare
    // with no run picked) drew its title and axis rect ~120 pixels wide. (Not
    // QWIDGETSIZE_MAX - 1: the layout adds the margins to it and then ignores it.)
    legend->setMaximumSize(1 << 20, 1 << 20);
    plot->plotLayout()->setRowStretchFactor(row, 0.001);
}

void setPlotTitle(QCustomPlot* plot, const QString& title) {
    if (auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) t->setText(title);
}

void setBars(QCustomPlot* plot, const QStringList& labels, const QVector<double>& values, const QString& valueLabel) {
    plot->clearPlottables();
    forgetZoom(plot);
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
    setEmptyHint(plot, labels.isEmpty() ? T(QT_TRANSLATE_NOOP("Plots", "Nothing to show yet")) : QString());
    plot->replot();
}

void setHistogram(QCustomPlot* plot, const QVector<double>& values, int bins, const QString& xLabel) {
    plot->clearPlottables();
    forgetZoom(plot);
    if (values.isEmpty() || bins <= 0) {
        setEmptyHint(plot, T(QT_TRANSLATE_NOOP("Plots", "Nothing to show yet")));
        plot->replot();
        return;
    }
    setEmptyHint(plot, {});
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

void setGroupedBars(QCustomPlot* plot, const QStringList& labels, const QVector<QVector<double>>& series,
                    const QStringList& names, const QString& valueLabel) {
    plot->clearPlottables();
    forgetZoom(plot);
    auto* group = plot->findChild<QCPBarsGroup*>();
    if (!group) group = new QCPBarsGroup(plot);
    group->clear();
    static const QColor colours[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44)};
    const double width = 0.8 / std::max<int>(1, int(series.size()));
    double lo = 0, hi = 0;
    for (int s = 0; s < series.size(); ++s) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(s < names.size() ? names[s] : QString());
        bars->setBrush(colours[s % 3]);
        bars->setPen(Qt::NoPen);
        bars->setWidth(width);
        QVector<double> keys, values;
        QStringList pointNames;
        for (int i = 0; i < labels.size() && i < series[s].size(); ++i) {
            if (std::isnan(series[s][i])) continue;
            keys << i;
            values << series[s][i];
            pointNames << labels[i];
            lo = std::min(lo, series[s][i]);
            hi = std::max(hi, series[s][i]);
        }
        bars->setData(keys, values, true);
        bars->setProperty("pointNames", pointNames);
        bars->setBarsGroup(group);
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < labels.size(); ++i) ticker->addTick(i, labels[i]);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setSubTicks(false);
    plot->xAxis->setRange(-0.7, labels.size() - 0.3);
    plot->xAxis->setTickLabelRotation(labels.size() > 6 ? 45 : 0);
    plot->yAxis->setRange(lo < 0 ? lo * 1.15 : 0, hi > 0 ? hi * 1.15 : (lo < 0 ? -lo * 0.05 : 1));
    plot->yAxis->setLabel(valueLabel);
    setEmptyHint(plot, labels.isEmpty() ? T(QT_TRANSLATE_NOOP("Plots", "Nothing to show yet")) : QString());
    if (series.size() > 1 && !labels.isEmpty())
        legendBelow(plot);
    else if (!labels.isEmpty())
        plot->legend->setVisible(false);
    plot->replot();
}

}  // namespace tpq::plots
