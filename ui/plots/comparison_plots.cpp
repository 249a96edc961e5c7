#include "plots/comparison_plots.h"

#include <QCoreApplication>
#include <QDir>
#include <QFont>
#include <QSharedPointer>
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include <qcustomplot.h>

#include "plots/panel_plots.h"
#include "util/error.h"

namespace tpq::plots {
namespace {

// Plot texts go through Qt's translator (context "Plots"): the GUI shows them in the
// user's language; `tpq compare` installs no translator and writes English.
QString T(const char* text) {
    return QCoreApplication::translate("Plots", text);
}

const QList<QColor> kPalette = {
    QColor(31, 119, 180), QColor(255, 127, 14),  QColor(44, 160, 44),   QColor(214, 39, 40),  QColor(148, 103, 189),
    QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34), QColor(23, 190, 207)};

QCustomPlot* newPlot(const QString& title) {
    auto* p = new QCustomPlot;
    p->setBackground(Qt::white);
    p->plotLayout()->insertRow(0);
    auto* heading = new QCPTextElement(p, title, QFont("DejaVu Sans", 13, QFont::Bold));
    heading->setMinimumSize(120, 0);  // a long title does not set the plot's minimum width
    p->plotLayout()->addElement(0, 0, heading);
    const QFont axisFont("DejaVu Sans", 10);
    for (QCPAxis* axis : {p->xAxis, p->yAxis, p->yAxis2}) {
        axis->setLabelFont(axisFont);
        axis->setTickLabelFont(QFont("DejaVu Sans", 9));
    }
    p->legend->setFont(QFont("DejaVu Sans", 9));
    makeInteractive(p);
    return p;
}

QString runLabel(const RunResult& r) {
    return QString::fromStdString(r.runId);
}

// The run names of points (x[i] from runs[i]) in the order a graph keeps them: sorted by
// key, ties in the runs' order — the hover tooltip names a point by its data index.
QStringList runNamesByKey(const std::vector<RunResult>& runs, const QVector<double>& x) {
    std::vector<int> order(runs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return x[a] < x[b]; });
    QStringList names;
    for (int i : order) names << runLabel(runs[size_t(i)]);
    return names;
}

double metricValue(const RunResult& r, const QString& metric) {
    if (metric == "accuracy") return 100.0 * r.test.accuracy;
    if (metric == "f1") return r.test.f1;
    if (metric == "size") return double(r.sizeBytes) / 1e6;
    if (metric == "latency") return r.latency.p50Ms;
    throw Error("unknown comparison metric '" + metric.toStdString() + "' (accuracy, f1, size, latency)");
}

// A point's label. Where it goes is decided once the plot is laid out (placePointLabels),
// so that labels overlap neither each other nor the points, at any size.
void addPointLabel(QCustomPlot* p, double x, double y, const QString& text) {
    auto* label = new QCPItemText(p);
    label->setProperty("anchorKey", x);
    label->setProperty("anchorValue", y);
    label->position->setType(QCPItemPosition::ptAbsolute);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setPadding(QMargins(1, 0, 1, 0));
    label->setFont(QFont("DejaVu Sans", 8));
    label->setText(text);
    label->setClipToAxisRect(false);
}

// Places every point label (addPointLabel) in pixels: beside its point, in the first of a
// ring of spots (then farther rings, with a leader line) that stays inside the axis rect
// and overlaps no label placed before and no point.
void placePointLabels(QCustomPlot* p) {
    const QRectF area = p->axisRect()->rect();
    std::vector<QRectF> taken;
    for (int g = 0; g < p->graphCount(); ++g)
        for (auto it = p->graph(g)->data()->constBegin(); it != p->graph(g)->data()->constEnd(); ++it) {
            const QPointF c(p->xAxis->coordToPixel(it->key), p->yAxis->coordToPixel(it->value));
            taken.emplace_back(c.x() - 5, c.y() - 5, 10, 10);
        }
    for (int i = 0; i < p->itemCount(); ++i) {
        if (auto* line = qobject_cast<QCPItemLine*>(p->item(i)); line && line->property("leader").toBool()) {
            p->removeItem(line);
            --i;
        }
    }
    for (int i = 0; i < p->itemCount(); ++i) {
        auto* label = qobject_cast<QCPItemText*>(p->item(i));
        if (!label || !label->property("anchorKey").isValid()) continue;
        const QPointF at(p->xAxis->coordToPixel(label->property("anchorKey").toDouble()),
                         p->yAxis->coordToPixel(label->property("anchorValue").toDouble()));
        const QFontMetricsF metrics(label->font());
        const QSizeF size(metrics.horizontalAdvance(label->text()) + 4, metrics.height() + 1);
        QRectF best;
        double bestOverlap = 1e300;
        for (int ring = 0; ring < 8 && bestOverlap > 0; ++ring) {
            const double d = 6 + ring * (size.height() + 1);
            const QPointF spots[] = {{at.x() + 6, at.y() - d - size.height()},
                                     {at.x() + 6, at.y() + d},
                                     {at.x() - 6 - size.width(), at.y() - d - size.height()},
                                     {at.x() - 6 - size.width(), at.y() + d},
                                     {at.x() + d + 2, at.y() - size.height() / 2},
                                     {at.x() - d - 2 - size.width(), at.y() - size.height() / 2}};
            for (const QPointF& spot : spots) {
                const QRectF r(spot, size);
                if (!area.contains(r)) continue;
                double overlap = 0;
                for (const QRectF& t : taken) {
                    const QRectF both = r.intersected(t);
                    if (!both.isEmpty()) overlap += both.width() * both.height();
                }
                if (overlap < bestOverlap) bestOverlap = overlap, best = r;
                if (overlap == 0) break;
            }
        }
        if (best.isNull()) best = QRectF(QPointF(at.x() + 6, at.y() - size.height() - 6), size);
        label->position->setCoords(best.topLeft());
        taken.push_back(best);
        const QPointF nearest(std::clamp(at.x(), best.left(), best.right()),
                              std::clamp(at.y(), best.top(), best.bottom()));
        if (QLineF(at, nearest).length() > 14) {  // far from its point: a leader line
            auto* leader = new QCPItemLine(p);
            leader->setProperty("leader", true);
            leader->start->setType(QCPItemPosition::ptAbsolute);
            leader->end->setType(QCPItemPosition::ptAbsolute);
            leader->start->setCoords(at);
            leader->end->setCoords(nearest);
            leader->setPen(QPen(QColor(150, 150, 150), 0.8));
        }
    }
}

// Labels are placed again whenever the plot is laid out (a resize, an export at another size).
void placeLabelsOnLayout(QCustomPlot* p) {
    QObject::connect(p, &QCustomPlot::afterLayout, p, [p] { placePointLabels(p); });
}

// Widens an axis range so points and their labels stay inside.
void pad(QCPAxis* axis, double fraction) {
    QCPRange r = axis->range();
    const double span = r.size() > 0 ? r.size() : std::max(1e-3, std::abs(r.lower) * 0.1 + 1e-3);
    axis->setRange(r.lower - span * fraction, r.upper + span * fraction);
}

void savePlot(QCustomPlot* p, const std::string& path, int width, int height) {
    if (!p->savePng(QString::fromStdString(path), width, height))
        throw Error("cannot write " + path + ": check that the folder is writable and the disk is not full");
}

}  // namespace

QColor seriesColor(int i) {
    return kPalette[i % kPalette.size()];
}

QString shortLayerName(const std::string& name) {
    QString s = QString::fromStdString(name);
    QString layer;
    const auto parts = s.split('.');
    for (int i = 0; i + 1 < parts.size(); ++i) {
        bool ok = false;
        parts[i + 1].toInt(&ok);
        if (ok && (parts[i] == "layer" || parts[i] == "layers")) layer = "L" + parts[i + 1];
    }
    QString last = parts.size() >= 2 && parts.back() == "dense" ? parts[parts.size() - 2] : parts.back();
    if (last == "weight" && parts.size() >= 2) last = parts[parts.size() - 2];
    if (s.contains("attention.output")) last = "attn_out";
    return layer.isEmpty() ? last : layer + " " + last;
}

TrainingCurve trainingCurve(const RunResult& run) {
    TrainingCurve c;
    for (const auto& [step, loss] : run.history.stepLoss) {
        c.steps.push_back(double(step));
        c.losses.push_back(loss);
    }
    for (size_t e = 0; e < run.history.epochs.size(); ++e) {
        const double acc = run.history.epochs[e].valAccuracy;
        if (!(acc >= 0)) continue;  // no validation split (NaN)
        c.epochSteps.push_back(double(run.history.epochEndStep(e)));
        c.valAccuracy.push_back(100.0 * acc);
    }
    return c;
}

QCustomPlot* trainingCurvePlot(const RunResult& run) {
    QCustomPlot* p = newPlot(T(QT_TRANSLATE_NOOP("Plots", "Training curves: ")) + runLabel(run));
    const TrainingCurve curve = trainingCurve(run);
    const QVector<double>&steps = curve.steps, &losses = curve.losses, &epochSteps = curve.epochSteps,
          &valAccuracy = curve.valAccuracy;
    p->addGraph(p->xAxis, p->yAxis);
    p->graph(0)->setName(T(QT_TRANSLATE_NOOP("Plots", "training loss (per step)")));
    p->graph(0)->setPen(QPen(kPalette[0], 1.5));
    p->graph(0)->setData(steps, losses);
    p->addGraph(p->xAxis, p->yAxis2);
    p->graph(1)->setName(T(QT_TRANSLATE_NOOP("Plots", "validation accuracy (per epoch)")));
    p->graph(1)->setPen(QPen(kPalette[1], 2));
    p->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 8));
    p->graph(1)->setData(epochSteps, valAccuracy);
    p->xAxis->setLabel(T(QT_TRANSLATE_NOOP("Plots", "optimizer step")));
    p->yAxis->setLabel(T(QT_TRANSLATE_NOOP("Plots", "loss (cross-entropy)")));
    p->yAxis2->setVisible(true);
    p->yAxis2->setLabel(T(QT_TRANSLATE_NOOP("Plots", "validation accuracy (%)")));
    p->rescaleAxes();
    p->yAxis->setRangeLower(0);
    pad(p->yAxis, 0.03);
    p->yAxis->setRangeLower(0);
    pad(p->yAxis2, 0.1);
    // The first and the last epoch's markers drawn whole, not cut by the plot's edge.
    const QCPRange x = p->xAxis->range();
    p->xAxis->setRange(x.lower - 0.03 * std::max(1.0, x.size()), x.upper + 0.03 * std::max(1.0, x.size()));
    legendBelow(p);
    return p;
}

QCustomPlot* comparisonBarChart(const std::vector<RunResult>& runs, const QString& metric) {
    static const QMap<QString, QPair<QString, QString>> titles = {
        {"accuracy", {T(QT_TRANSLATE_NOOP("Plots", "Test accuracy")), T(QT_TRANSLATE_NOOP("Plots", "accuracy (%)"))}},
        {"f1", {T(QT_TRANSLATE_NOOP("Plots", "Test F1")), T(QT_TRANSLATE_NOOP("Plots", "F1 score"))}},
        {"size", {T(QT_TRANSLATE_NOOP("Plots", "Model size on disk")), T(QT_TRANSLATE_NOOP("Plots", "size (MB)"))}},
        {"latency",
         {T(QT_TRANSLATE_NOOP("Plots", "Inference latency")), T(QT_TRANSLATE_NOOP("Plots", "p50 latency (ms)"))}}};
    const auto title = titles.value(metric, {metric, metric});
    QString heading = title.first;
    if (metric == "latency" && !runs.empty())
        heading += QString(" (batch %1, p50)").arg(runs.front().latency.batchSize);
    QCustomPlot* p = newPlot(heading);
    QVector<double> ticks, values;
    QVector<QString> labels;
    double top = 0, bottom = 1e300;
    for (size_t i = 0; i < runs.size(); ++i) {
        const double v = metricValue(runs[i], metric);
        if (std::isnan(v)) continue;
        ticks.push_back(double(ticks.size() + 1));
        values.push_back(v);
        labels.push_back(runLabel(runs[i]));
        top = std::max(top, v);
        bottom = std::min(bottom, v);
    }
    // Horizontal bars: run names stay readable however many runs there are.
    QCPAxis* keys = p->yAxis;
    QCPAxis* valueAxis = p->xAxis;
    auto* bars = new QCPBars(keys, valueAxis);
    bars->setData(ticks, values);
    bars->setWidth(0.65);
    bars->setBrush(kPalette[0].lighter(130));
    bars->setPen(QPen(kPalette[0]));
    for (int i = 0; i < ticks.size(); ++i) {
        auto* label = new QCPItemText(p);
        label->position->setAxes(valueAxis, keys);
        label->position->setCoords(values[i], ticks[i]);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        label->setPadding(QMargins(4, 0, 0, 0));
        label->setFont(QFont("DejaVu Sans", ticks.size() > 20 ? 7 : 9));
        const int digits = metric == "f1" ? 4 : (metric == "accuracy" ? 2 : 1);
        label->setText(QString::number(values[i], 'f', digits));
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->addTicks(ticks, labels);
    keys->setTicker(ticker);
    keys->setSubTicks(false);
    keys->setTickLength(0, 4);
    keys->setRange(0.4, double(ticks.size()) + 0.6);
    keys->setRangeReversed(true);  // the first run on top
    keys->setTickLabelFont(QFont("DejaVu Sans", ticks.size() > 20 ? 7 : 9));
    keys->setLabel(T(QT_TRANSLATE_NOOP("Plots", "run")));
    valueAxis->setLabel(title.second);
    // From zero: bar lengths compare truthfully (the labels carry the last digits).
    valueAxis->setRange(0, top * 1.18 + 1e-9);
    // The baseline's value as a reference line across every bar.
    for (const auto& r : runs) {
        const double v = r.method == Method::Baseline ? metricValue(r, metric) : std::nan("");
        if (std::isnan(v)) continue;
        auto* line = new QCPItemStraightLine(p);
        line->setObjectName("baselineLine");
        line->point1->setAxes(valueAxis, keys);
        line->point2->setAxes(valueAxis, keys);
        line->point1->setCoords(v, 0);
        line->point2->setCoords(v, 1);
        line->setPen(QPen(kPalette[3], 1.2, Qt::DashLine));
        auto* label = new QCPItemText(p);
        label->setObjectName("baselineLabel");
        // Just above the axis rect, clear of the bars and their labels.
        label->position->setAxes(valueAxis, keys);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(v, 0);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setFont(QFont("DejaVu Sans", 8));
        label->setColor(kPalette[3]);
        label->setText(T(QT_TRANSLATE_NOOP("Plots", "baseline")));
        label->setClipToAxisRect(false);
        break;
    }
    return p;
}

QCustomPlot* sparsityAccuracyPlot(const std::vector<RunResult>& runs) {
    QCustomPlot* p = newPlot(T(QT_TRANSLATE_NOOP("Plots", "Sparsity vs accuracy")));
    QVector<double> x, y;
    for (const auto& r : runs) {
        x.push_back(100.0 * r.sparsity);
        y.push_back(100.0 * r.test.accuracy);
    }
    p->addGraph();
    p->graph(0)->setLineStyle(QCPGraph::lsNone);
    p->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(kPalette[0]), kPalette[0], 9));
    p->graph(0)->setData(x, y);  // sorted by key (pointNames follow that order)
    p->graph(0)->setProperty("pointNames", runNamesByKey(runs, x));
    for (size_t i = 0; i < runs.size(); ++i) addPointLabel(p, x[int(i)], y[int(i)], runLabel(runs[i]));
    p->xAxis->setLabel(T(QT_TRANSLATE_NOOP("Plots", "sparsity of the linear layers (% of weights zero)")));
    p->yAxis->setLabel(T(QT_TRANSLATE_NOOP("Plots", "test accuracy (%)")));
    p->rescaleAxes();
    p->xAxis->setRange(-5, std::max(100.0, p->xAxis->range().upper + 5) + 25);
    pad(p->yAxis, 0.25);
    placeLabelsOnLayout(p);
    return p;
}

std::vector<size_t> paretoFront(const std::vector<RunResult>& runs) {
    std::vector<size_t> front;
    for (size_t i = 0; i < runs.size(); ++i) {
        const auto& a = runs[i];
        if (std::isnan(a.latency.p50Ms) || std::isnan(a.test.accuracy)) continue;
        bool dominated = false;
        for (size_t j = 0; j < runs.size() && !dominated; ++j) {
            const auto& b = runs[j];
            if (j == i || std::isnan(b.latency.p50Ms)) continue;
            const bool noWorse = b.latency.p50Ms <= a.latency.p50Ms && b.test.accuracy >= a.test.accuracy;
            const bool better = b.latency.p50Ms < a.latency.p50Ms || b.test.accuracy > a.test.accuracy;
            dominated = noWorse && better;
        }
        if (!dominated) front.push_back(i);
    }
    std::sort(front.begin(), front.end(),
              [&](size_t a, size_t b) { return runs[a].latency.p50Ms < runs[b].latency.p50Ms; });
    return front;
}

QCustomPlot* accuracyLatencyPlot(const std::vector<RunResult>& runs) {
    QString heading = T(QT_TRANSLATE_NOOP("Plots", "Accuracy vs latency (Pareto front marked)"));
    QCustomPlot* p = newPlot(heading);
    QVector<double> x, y, fx, fy;
    QStringList frontNames;  // the front is sorted by latency, as the graph keeps it
    for (const auto& r : runs) {
        x.push_back(r.latency.p50Ms);
        y.push_back(100.0 * r.test.accuracy);
    }
    const auto front = paretoFront(runs);
    for (size_t i : front) {
        fx.push_back(runs[i].latency.p50Ms);
        fy.push_back(100.0 * runs[i].test.accuracy);
        frontNames << runLabel(runs[i]);
    }
    p->addGraph();
    p->graph(0)->setName(T(QT_TRANSLATE_NOOP("Plots", "runs")));
    p->graph(0)->setLineStyle(QCPGraph::lsNone);
    p->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kPalette[0], 1.5), Qt::white, 9));
    p->graph(0)->setData(x, y);  // sorted by key (pointNames follow that order)
    p->graph(0)->setProperty("pointNames", runNamesByKey(runs, x));
    p->addGraph();
    p->graph(1)->setName(T(QT_TRANSLATE_NOOP("Plots", "Pareto front (no run both faster and more accurate)")));
    p->graph(1)->setPen(QPen(kPalette[3], 2, Qt::DashLine));
    p->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(kPalette[3]), kPalette[3], 9));
    p->graph(1)->setData(fx, fy, true);
    p->graph(1)->setProperty("pointNames", frontNames);
    // With many runs only the front is labelled, so the labels stay readable.
    for (size_t i = 0; i < runs.size(); ++i) {
        if (runs.size() <= 12 || std::find(front.begin(), front.end(), i) != front.end())
            addPointLabel(p, x[int(i)], y[int(i)], runLabel(runs[i]));
    }
    const int batch = runs.empty() ? 8 : int(runs.front().latency.batchSize);
    p->xAxis->setLabel(QString(T(QT_TRANSLATE_NOOP("Plots", "p50 latency at batch %1 (ms)"))).arg(batch));
    p->yAxis->setLabel(T(QT_TRANSLATE_NOOP("Plots", "test accuracy (%)")));
    p->rescaleAxes();
    p->xAxis->setRangeLower(0);
    p->xAxis->setRangeUpper(p->xAxis->range().upper * 1.3);
    pad(p->yAxis, 0.25);
    legendBelow(p);
    placeLabelsOnLayout(p);
    return p;
}

namespace {

QCustomPlot* heatmap(const QString& title, const QVector<QString>& columns, const QVector<QString>& rows,
                     const std::function<double(int, int)>& value, const QString& xLabel, const QString& yLabel,
                     const QString& scaleLabel, bool fixedRange01) {
    QCustomPlot* p = newPlot(title);
    const int nx = columns.size(), ny = rows.size();
    auto* map = new QCPColorMap(p->xAxis, p->yAxis);
    // A colour map needs two cells per direction to know its cell size: a single row or
    // column is drawn as two half cells with the same value.
    const int cx = std::max(2, nx), cy = std::max(2, ny);
    map->data()->setSize(cx, cy);
    map->data()->setRange(nx > 1 ? QCPRange(0, nx - 1) : QCPRange(-0.25, 0.25),
                          ny > 1 ? QCPRange(0, ny - 1) : QCPRange(-0.25, 0.25));
    for (int x = 0; x < cx; ++x)
        for (int y = 0; y < cy; ++y) map->data()->setCell(x, y, value(std::min(x, nx - 1), std::min(y, ny - 1)));
    auto* scale = new QCPColorScale(p);
    p->plotLayout()->addElement(1, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->axis()->setLabel(scaleLabel);
    map->setColorScale(scale);
    // Dark blue -> magenta -> dark orange: both ends (and the middle) stand out from the
    // white background, so neither the least nor the most important cell disappears.
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, QColor(13, 8, 135));
    gradient.setColorStopAt(0.5, QColor(190, 55, 130));
    gradient.setColorStopAt(1.0, QColor(225, 110, 15));
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(QColor(170, 170, 170));
    map->setGradient(gradient);
    map->setInterpolate(false);
    if (fixedRange01) {
        map->setDataRange(QCPRange(0, 1));
    } else {
        map->rescaleDataRange(true);
    }
    auto* margins = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    QSharedPointer<QCPAxisTickerText> xt(new QCPAxisTickerText), yt(new QCPAxisTickerText);
    for (int x = 0; x < nx; ++x) xt->addTick(x, columns[x]);
    for (int y = 0; y < ny; ++y) yt->addTick(y, rows[y]);
    p->xAxis->setTicker(xt);
    p->yAxis->setTicker(yt);
    p->xAxis->setTickLabelRotation(nx > 8 ? 60 : 0);
    p->xAxis->setSubTicks(false);
    p->yAxis->setSubTicks(false);
    p->xAxis->setLabel(xLabel);
    p->yAxis->setLabel(yLabel);
    p->xAxis->setRange(-0.5, nx - 0.5);
    p->yAxis->setRange(-0.5, ny - 0.5);
    p->yAxis->setRangeReversed(true);
    // A frame per cell: neighbouring cells of close values stay apart.
    for (int x = 0; x < nx; ++x)
        for (int y = 0; y < ny; ++y) {
            auto* frame = new QCPItemRect(p);
            frame->topLeft->setCoords(x - 0.5, y - 0.5);
            frame->bottomRight->setCoords(x + 0.5, y + 0.5);
            frame->setPen(QPen(QColor(255, 255, 255), 1.5));
            frame->setBrush(Qt::NoBrush);
        }
    return p;
}

}  // namespace

// Run names as rows of a narrow plot: the prefix every run shares ("quickstart_") dropped,
// and names longer than 24 characters broken at '_' onto more lines, so that a panel
// 1024 pixels wide keeps room for the cells.
QVector<QString> compactRowLabels(QVector<QString> names) {
    int common = names.size() > 1 ? names.front().size() : 0;
    for (const QString& n : names) {
        int i = 0;
        while (i < common && i < n.size() && n[i] == names.front()[i]) ++i;
        common = i;
    }
    common = names.isEmpty() ? 0 : int(names.front().left(common).lastIndexOf('_')) + 1;
    for (QString& n : names) {
        if (common > 0 && n.size() > common) n = n.mid(common);
        QString wrapped, line;
        for (const QString& part : n.split('_')) {
            const QString piece = line.isEmpty() ? part : "_" + part;
            if (!line.isEmpty() && line.size() + piece.size() > 24) {
                wrapped += (wrapped.isEmpty() ? "" : "\n") + line;
                line = "_" + part;
            } else {
                line += piece;
            }
        }
        n = wrapped.isEmpty() ? line : wrapped + "\n" + line;
    }
    return names;
}

QCustomPlot* layerSparsityHeatmap(const std::vector<RunResult>& runs) {
    if (std::none_of(runs.begin(), runs.end(), [](const RunResult& r) { return !r.layerSparsity.empty(); }))
        throw Error("no run recorded per-layer sparsity");
    std::vector<const RunResult*> rows;
    std::vector<std::string> layers;
    for (const auto& r : runs) {
        if (r.layerSparsity.empty()) continue;
        rows.push_back(&r);
        for (const auto& [layer, s] : r.layerSparsity)
            if (std::find(layers.begin(), layers.end(), layer) == layers.end()) layers.push_back(layer);
    }
    QVector<QString> columns, names;
    for (const auto& l : layers) columns.push_back(shortLayerName(l));
    for (const auto* r : rows) names.push_back(runLabel(*r));
    names = compactRowLabels(names);
    // The layers that ran on a sparse kernel (result.json's layer_kernels), marked "s".
    auto ranSparse = [&](const RunResult& r, const std::string& layer) {
        for (const auto& [name, k] : r.layerKernels)
            if (name == layer) return k.sparse;
        return false;
    };
    bool anySparse = false;
    for (const auto* r : rows)
        for (const auto& l : layers) anySparse = anySparse || ranSparse(*r, l);
    QCustomPlot* p = heatmap(
        T(QT_TRANSLATE_NOOP("Plots", "Per-layer sparsity")) +
            (anySparse ? T(QT_TRANSLATE_NOOP("Plots", "  (s = ran on the sparse kernel)")) : QString()),
        columns, names,
        [&](int x, int y) {
            for (const auto& [layer, s] : rows[size_t(y)]->layerSparsity)
                if (layer == layers[size_t(x)]) return s;
            return std::nan("");  // a layer the run does not have (removed, or another model)
        },
        T(QT_TRANSLATE_NOOP("Plots", "linear layer")), T(QT_TRANSLATE_NOOP("Plots", "run")),
        T(QT_TRANSLATE_NOOP("Plots", "fraction of weights zero")), true);
    for (size_t y = 0; y < rows.size(); ++y) {
        for (size_t x = 0; x < layers.size(); ++x) {
            if (!ranSparse(*rows[y], layers[x])) continue;
            auto* mark = new QCPItemText(p);
            mark->position->setCoords(double(x), double(y));
            mark->setText("s");
            mark->setFont(QFont("DejaVu Sans", 9, QFont::Bold));
            mark->setColor(Qt::white);
        }
    }
    return p;
}

QCustomPlot* headImportanceHeatmap(const RunResult& run) {
    const auto& m = run.headImportance;
    size_t heads = 0;
    for (const auto& row : m) heads = std::max(heads, row.size());
    QVector<QString> columns, rows;
    // Numbers under an axis titled "attention head": they stay apart in a narrow plot.
    for (size_t h = 0; h < heads; ++h) columns.push_back(QString::number(h));
    for (size_t l = 0; l < m.size(); ++l) rows.push_back(QString(T(QT_TRANSLATE_NOOP("Plots", "layer %1"))).arg(l));
    const bool marked = !run.headsKept.empty();
    QCustomPlot* p = heatmap(
        T(QT_TRANSLATE_NOOP("Plots", "Attention head importance: ")) + runLabel(run) +
            (marked ? T(QT_TRANSLATE_NOOP("Plots", "  (\u00d7 = removed)")) : QString()),
        columns, rows,
        [&](int x, int y) {
            const auto& row = m[size_t(y)];
            const double v = size_t(x) < row.size() ? row[size_t(x)] : -1;
            return v < 0 ? std::nan("") : v;
        },
        T(QT_TRANSLATE_NOOP("Plots", "attention head")), T(QT_TRANSLATE_NOOP("Plots", "encoder layer")),
        T(QT_TRANSLATE_NOOP("Plots", "importance (grey = not scored)")), false);
    // The heads structured pruning removed, crossed out.
    for (size_t l = 0; l < run.headsKept.size() && l < m.size(); ++l) {
        for (size_t h = 0; h < run.headsKept[l].size(); ++h) {
            if (run.headsKept[l][h]) continue;
            auto* cross = new QCPItemText(p);
            cross->position->setCoords(double(h), double(l));
            cross->setText(QString::fromUtf8("\u00d7"));
            cross->setFont(QFont("DejaVu Sans", 22, QFont::Bold));
            cross->setColor(Qt::white);
        }
    }
    return p;
}

std::vector<std::pair<std::string, std::string>> writeComparisonPlots(const std::vector<RunResult>& runs,
                                                                      const std::string& outputDir, int width,
                                                                      int height) {
    if (!QDir().mkpath(QString::fromStdString(outputDir))) throw Error("cannot create the output folder " + outputDir);
    std::vector<std::pair<std::string, std::string>> written;
    auto render = [&](QCustomPlot* plot, const std::string& file, const std::string& caption) {
        std::unique_ptr<QCustomPlot> owner(plot);
        savePlot(plot, outputDir + "/" + file, width, height);
        written.emplace_back(file, caption);
    };
    for (const auto& r : runs) {
        if (r.method == Method::Baseline && !r.history.empty()) {
            render(trainingCurvePlot(r), "training_curves.png", "Training curves (" + r.runId + ")");
            break;
        }
    }
    render(comparisonBarChart(runs, "accuracy"), "accuracy.png", "Test accuracy");
    render(comparisonBarChart(runs, "f1"), "f1.png", "Test F1");
    render(comparisonBarChart(runs, "size"), "size.png", "Model size on disk");
    render(comparisonBarChart(runs, "latency"), "latency.png", "Inference latency");
    render(sparsityAccuracyPlot(runs), "sparsity_vs_accuracy.png", "Sparsity vs accuracy");
    render(accuracyLatencyPlot(runs), "accuracy_vs_latency.png", "Accuracy vs latency, Pareto front");
    if (std::any_of(runs.begin(), runs.end(), [](const RunResult& r) { return !r.layerSparsity.empty(); }))
        render(layerSparsityHeatmap(runs), "layer_sparsity_heatmap.png", "Per-layer sparsity");
    for (const auto& r : runs) {
        if (!r.headImportance.empty()) {
            render(headImportanceHeatmap(r), "head_importance_heatmap.png",
                   "Attention head importance (" + r.runId + ")");
            break;
        }
    }
    return written;
}

}  // namespace tpq::plots
