#include "panels/pruning_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "experiment/method.h"
#include "panels/form_fields.h"
#include "plots/comparison_plots.h"
#include "plots/panel_plots.h"
#include "prune/pruning_schedule.h"

namespace tpq::ui {

namespace {

bool isPruning(const RunResult& r) {
    return tpq::isPruning(r.method);
}

}  // namespace

PruningPanel::PruningPanel(QWidget* parent) : QWidget(parent) {
    m_method = new QComboBox;
    m_method->addItem(tr("Unstructured (magnitude)"), "unstructured");
    m_method->addItem(tr("Structured (heads + FFN neurons)"), "structured");
    m_method->addItem(tr("Progressive (gradual, with fine-tuning)"), "progressive");
    m_sparsity = FormFields::fraction(0, 0.99);
    m_block = new QComboBox;
    m_block->setObjectName("pruningBlock");
    m_block->addItem(tr("1×1 (single weights)"), "1x1");
    m_block->addItem(tr("1×4 (4 inputs: fastest with int8)"), "1x4");
    m_block->addItem(tr("4×1 (4 outputs)"), "4x1");
    m_block->addItem(tr("16×1 (16 outputs)"), "16x1");
    m_block->addItem(tr("32×1 (32 outputs)"), "32x1");
    m_block->setToolTip(
        tr("Weights removed together (outputs × inputs). Layers sparse enough run on the sparse kernels "
           "in inference; 1×4 blocks let the int8 kernel skip whole instructions."));
    m_heads = FormFields::fraction(0, 0.95);
    m_ffn = FormFields::fraction(0, 0.95);
    m_fineTune = new QSpinBox;
    m_fineTune->setRange(0, 20);
    m_initial = FormFields::fraction(0, 0.99);
    m_final = FormFields::fraction(0, 0.99);
    m_iterations = new QSpinBox;
    m_iterations->setRange(1, 50);
    m_scheduleKind = new QComboBox;
    m_scheduleKind->addItem(tr("cubic"), "cubic");
    m_scheduleKind->addItem(tr("linear"), "linear");
    m_run = new QPushButton(tr("Run Pruning"));
    m_run->setObjectName("runPruning");

    auto* params = new QGroupBox(tr("Method"));
    auto* f = new QFormLayout(params);
    f->addRow(tr("Method:"), m_method);
    f->addRow(tr("Sparsity:"), m_sparsity);
    f->addRow(tr("Block:"), m_block);
    f->addRow(tr("Heads to remove (fraction):"), m_heads);
    f->addRow(tr("FFN neurons to remove (fraction):"), m_ffn);
    f->addRow(tr("Fine-tuning epochs:"), m_fineTune);
    auto* progressive = new QGroupBox(tr("Progressive schedule"));
    auto* pf = new QFormLayout(progressive);
    pf->addRow(tr("Initial sparsity:"), m_initial);
    pf->addRow(tr("Final sparsity:"), m_final);
    pf->addRow(tr("Iterations:"), m_iterations);
    pf->addRow(tr("Schedule:"), m_scheduleKind);
    FormFields::configKey(m_method, "pruning.method");
    FormFields::configKey(m_sparsity, "pruning.sparsity");
    FormFields::configKey(m_block, "pruning.unstructured.block");
    FormFields::projectKey(m_heads, "variants: - {method: structured, heads: 0.5}");
    FormFields::configKey(m_ffn, "pruning.ffn_pruning.intermediate_sparsity");
    FormFields::configKey(m_fineTune, "pruning.fine_tune_epochs");
    FormFields::configKey(m_initial, "pruning.progressive.initial_sparsity");
    FormFields::configKey(m_final, "pruning.progressive.final_sparsity");
    FormFields::configKey(m_iterations, "pruning.progressive.num_iterations");
    FormFields::configKey(m_scheduleKind, "pruning.progressive.schedule");
    m_schedule = plots::titledPlot(tr("Schedule preview"));
    m_schedule->setMinimumHeight(180);
    m_schedule->addGraph();
    m_schedule->graph(0)->setPen(QPen(QColor(214, 39, 40), 2));
    m_schedule->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    m_schedule->xAxis->setLabel(tr("iteration"));
    m_schedule->yAxis->setLabel(tr("target sparsity"));
    m_schedule->yAxis->setRange(0, 1);

    // The form scrolls on its own and the heatmaps take turns in tabs: the panel fits a
    // 1024x700 window however long the run names are.
    auto* form = new QWidget;
    auto* left = new QVBoxLayout(form);
    left->setContentsMargins(0, 0, 0, 0);
    left->addWidget(params);
    left->addWidget(progressive);
    left->addWidget(m_schedule);
    left->addWidget(m_run);
    left->addStretch();
    QScrollArea* formScroll = FormFields::scrollingColumn(form);

    m_headRun = new QComboBox;
    m_headRun->setObjectName("headRun");
    m_headRun->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_headRun->setMinimumContentsLength(16);
    m_noRuns = new QLabel(tr("No pruning runs in this project yet: run one to see its heatmaps."));
    m_noRuns->setWordWrap(true);
    auto* headPage = new QWidget;
    auto* headLayout = new QVBoxLayout(headPage);
    auto* pick = new QHBoxLayout;
    pick->addWidget(new QLabel(tr("Head importance of:")));
    pick->addWidget(m_headRun, 1);
    headLayout->addLayout(pick);
    m_headArea = new QVBoxLayout;
    headLayout->addLayout(m_headArea, 1);
    // The per-layer heatmap keeps cells that can be read (a column per layer: 26 for
    // bert-mini) and scrolls when the panel is narrower than that.
    m_sparsityScroll = new QScrollArea;
    m_sparsityScroll->setObjectName("sparsityScroll");
    m_sparsityScroll->setWidgetResizable(true);
    m_sparsityScroll->setFrameShape(QFrame::NoFrame);
    auto* sparsityContent = new QWidget;
    m_sparsityArea = new QVBoxLayout(sparsityContent);
    m_sparsityArea->setContentsMargins(0, 0, 0, 0);
    m_sparsityScroll->setWidget(sparsityContent);
    QWidget* sparsityPage = m_sparsityScroll;
    m_heatmapTabs = new QTabWidget;
    m_heatmapTabs->setObjectName("heatmapTabs");
    m_heatmapTabs->addTab(headPage, tr("Head importance"));
    m_heatmapTabs->addTab(sparsityPage, tr("Per-layer sparsity"));
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_noRuns);
    rightLayout->addWidget(m_heatmapTabs, 1);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(formScroll);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setChildrenCollapsible(false);
    auto* top = new QHBoxLayout(this);
    top->addWidget(split);

    for (QDoubleSpinBox* s : {m_sparsity, m_heads, m_ffn, m_initial, m_final})
        connect(s, &QDoubleSpinBox::valueChanged, this, [this] {
            updateSchedule();
            Q_EMIT edited();
        });
    for (QSpinBox* s : {m_fineTune, m_iterations})
        connect(s, &QSpinBox::valueChanged, this, [this] {
            updateSchedule();
            Q_EMIT edited();
        });
    for (QComboBox* c : {m_method, m_scheduleKind, m_block})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            updateEnabled();
            updateSchedule();
            Q_EMIT edited();
        });
    connect(m_headRun, &QComboBox::currentIndexChanged, this, &PruningPanel::showHeadRun);
    connect(m_run, &QPushButton::clicked, this, [this] { Q_EMIT runRequested(variant()); });
    setConfig(ExperimentConfig());
}

void PruningPanel::setConfig(const ExperimentConfig& config) {
    m_base = config;
    const auto& p = config.pruning;
    const QSignalBlocker b1(m_method), b2(m_sparsity), b3(m_heads), b4(m_ffn), b5(m_fineTune), b6(m_initial),
        b7(m_final), b8(m_iterations), b9(m_scheduleKind), b10(m_block);
    const auto parsed = parseMethod(p.method);  // the alias magnitude is unstructured
    const std::string method = parsed ? methodName(*parsed) : p.method;
    const int index = m_method->findData(QString::fromStdString(method));
    m_method->setCurrentIndex(index < 0 ? 0 : index);
    m_sparsity->setValue(p.sparsity);
    m_heads->setValue(0.5);
    m_ffn->setValue(p.ffnSparsity);
    m_fineTune->setValue(p.fineTuneEpochs);
    m_initial->setValue(p.initialSparsity);
    m_final->setValue(p.finalSparsity);
    m_iterations->setValue(p.numIterations);
    m_scheduleKind->setCurrentIndex(p.progressiveSchedule == "linear" ? 1 : 0);
    // A shape of the config's own that the list does not offer joins it.
    const QString block = QString::fromStdString(blockShapeName(p.block));
    if (m_block->findData(block) < 0) m_block->addItem(QString(block).replace('x', QChar(0x00d7)), block);
    m_block->setCurrentIndex(m_block->findData(block));
    updateEnabled();
    updateSchedule();
}

BlockShape PruningPanel::chosenBlock() const {
    return parseBlockShape(m_block->currentData().toString().toStdString()).value_or(BlockShape{});
}

void PruningPanel::applyTo(ExperimentConfig& config) const {
    auto& p = config.pruning;
    p.method = m_method->currentData().toString().toStdString();
    p.sparsity = m_sparsity->value();
    p.ffnSparsity = m_ffn->value();
    p.fineTuneEpochs = m_fineTune->value();
    p.initialSparsity = m_initial->value();
    p.finalSparsity = m_final->value();
    p.numIterations = m_iterations->value();
    p.progressiveSchedule = m_scheduleKind->currentData().toString().toStdString();
    p.block = chosenBlock();
}

Method PruningPanel::chosenMethod() const {
    return requireMethod(m_method->currentData().toString().toStdString(), "the Pruning panel");
}

VariantSpec PruningPanel::variant() const {
    VariantSpec v;
    v.method = chosenMethod();
    if (v.method == Method::Unstructured) v.sparsity = m_sparsity->value();
    if (v.method == Method::Unstructured || v.method == Method::Progressive) v.block = chosenBlock();
    if (v.method == Method::Structured) {
        v.heads = m_heads->value();
        v.ffnSparsity = m_ffn->value();
    }
    if (v.method != Method::Progressive) v.fineTuneEpochs = m_fineTune->value();
    return v;
}

void PruningPanel::updateEnabled() {
    const Method m = chosenMethod();
    m_sparsity->setEnabled(m == Method::Unstructured);
    m_block->setEnabled(m == Method::Unstructured || m == Method::Progressive);
    m_heads->setEnabled(m == Method::Structured);
    m_ffn->setEnabled(m == Method::Structured);
    for (QWidget* w : std::initializer_list<QWidget*>{m_initial, m_final, m_iterations, m_scheduleKind, m_schedule})
        w->setEnabled(m == Method::Progressive);
}

std::vector<double> PruningPanel::schedulePreview() const {
    return pruningSchedule(m_initial->value(), m_final->value(), m_iterations->value(),
                           m_scheduleKind->currentData().toString().toStdString());
}

void PruningPanel::updateSchedule() {
    const auto s = schedulePreview();
    QVector<double> x{0}, y{m_initial->value()};
    for (size_t i = 0; i < s.size(); ++i) {
        x << double(i + 1);
        y << s[i];
    }
    m_schedule->graph(0)->setData(x, y);
    plots::forgetZoom(m_schedule);
    m_schedule->xAxis->setRange(-0.2, double(s.size()) + 0.2);
    m_schedule->replot();
}

void PruningPanel::setRuns(const std::vector<RunResult>& runs) {
    m_runs = runs;
    const QSignalBlocker block(m_headRun);
    m_headRun->clear();
    for (size_t i = 0; i < runs.size(); ++i)
        if (!runs[i].headImportance.empty()) m_headRun->addItem(QString::fromStdString(runs[i].runId), int(i));
    m_headRun->setEnabled(m_headRun->count() > 0);
    if (m_sparsityHeatmap) m_sparsityHeatmap->deleteLater();
    m_sparsityHeatmap = nullptr;
    std::vector<RunResult> pruned;
    for (const auto& r : runs)
        if (isPruning(r) || r.method == Method::Baseline) pruned.push_back(r);
    const bool anyPruning = std::any_of(pruned.begin(), pruned.end(), [](const RunResult& r) { return isPruning(r); });
    const bool anySparsity =
        std::any_of(pruned.begin(), pruned.end(), [](const RunResult& r) { return !r.layerSparsity.empty(); });
    if (anyPruning && anySparsity) {
        m_sparsityHeatmap = plots::layerSparsityHeatmap(pruned);
        int layers = 0, rows = 0;
        for (const auto& r : pruned) {
            layers = std::max(layers, int(r.layerSparsity.size()));
            rows += r.layerSparsity.empty() ? 0 : 1;
        }
        m_sparsityHeatmap->setMinimumSize(std::max(360, 22 * layers + 300), std::max(320, 46 * rows + 220));
        m_sparsityArea->addWidget(m_sparsityHeatmap, 1);
    }
    m_noRuns->setVisible(!anyPruning);
    showHeadRun(m_headRun->count() > 0 ? m_headRun->count() - 1 : -1);
    if (m_headRun->count() > 0) m_headRun->setCurrentIndex(m_headRun->count() - 1);
}

void PruningPanel::showHeadRun(int index) {
    if (m_headHeatmap) m_headHeatmap->deleteLater();
    m_headHeatmap = nullptr;
    if (index < 0 || index >= m_headRun->count()) return;
    const size_t run = size_t(m_headRun->itemData(index).toInt());
    if (run >= m_runs.size()) return;
    QCustomPlot* plot = plots::headImportanceHeatmap(m_runs[run]);
    // The run is named in the box above: a short title.
    plots::setPlotTitle(plot, tr("× = removed"));
    m_headHeatmap = plot;
    m_headHeatmap->setMinimumSize(200, 200);
    m_headArea->addWidget(m_headHeatmap, 1);
}

void PruningPanel::setBusy(bool busy) {
    m_run->setEnabled(!busy);
}

}  // namespace tpq::ui
