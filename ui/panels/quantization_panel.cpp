#include "panels/quantization_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "experiment/method.h"
#include "kernels/cpu_features.h"
#include "panels/form_fields.h"
#include "plots/comparison_plots.h"
#include "plots/panel_plots.h"

namespace tpq::ui {

namespace {

const QStringList kPrecisions = {"fp32", "bf16", "fp16", "int8", "int4"};

}  // namespace

QuantizationPanel::QuantizationPanel(QWidget* parent) : QWidget(parent) {
    m_method = new QComboBox;
    m_method->setObjectName("quantMethod");
    m_method->addItem(tr("Dynamic int8 (post-training)"), "dynamic");
    m_method->addItem(tr("Static int8 (calibrated)"), "static");
    m_method->addItem(tr("Quantization-aware training"), "qat");
    m_method->addItem(tr("Mixed precision"), "mixed");
    m_observer = new QComboBox;
    for (const char* o : {"minmax", "moving_average", "percentile", "mse"}) m_observer->addItem(o, o);
    m_calibration = new QSpinBox;
    m_calibration->setRange(1, 10000);
    m_perChannel = new QCheckBox(tr("One scale per output channel"));
    m_embeddings = new QCheckBox(tr("Store embedding tables as int8"));
    m_topK = new QSpinBox;
    m_topK->setRange(0, 1000);
    m_sensitivePrecision = new QComboBox;
    for (const char* p : {"bf16", "fp16", "fp32", "int8"}) m_sensitivePrecision->addItem(p, p);
    m_groupSize = new QSpinBox;
    m_groupSize->setRange(2, 4096);
    m_groupSize->setSingleStep(2);
    m_useTable = new QCheckBox(tr("Run changed layers as \"custom\""));
    m_useTable->setToolTip(
        tr("The layers you change in the table run as the extra \"custom\" mixed-precision setting"));
    m_useTable->setChecked(true);
    m_seed = new QPushButton(tr("Reset from Sensitivity"));
    m_run = new QPushButton(tr("Run Quantization"));
    m_run->setObjectName("runQuantization");

    auto* params = new QGroupBox(tr("Method"));
    auto* f = new QFormLayout(params);
    f->addRow(tr("Method:"), m_method);
    f->addRow(tr("Observer (static):"), m_observer);
    f->addRow(tr("Calibration batches:"), m_calibration);
    f->addRow(QString(), m_perChannel);
    f->addRow(QString(), m_embeddings);
    auto* mixed = new QGroupBox(tr("Mixed precision"));
    auto* mf = new QFormLayout(mixed);
    mf->addRow(tr("Most sensitive layers kept (top k):"), m_topK);
    mf->addRow(tr("Their precision:"), m_sensitivePrecision);
    mf->addRow(tr("int4 group size:"), m_groupSize);
    mf->addRow(QString(), m_useTable);
    FormFields::configKey(m_method, "quantization.method");
    FormFields::configKey(m_observer, "quantization.observer");
    FormFields::configKey(m_calibration, "quantization.calibration_batches");
    FormFields::configKey(m_perChannel, "quantization.per_channel");
    FormFields::configKey(m_embeddings, "quantization.quantize_embeddings");
    FormFields::configKey(m_topK, "quantization.mixed_precision.top_k");
    FormFields::configKey(m_sensitivePrecision, "quantization.mixed_precision.sensitive_precision");
    FormFields::configKey(m_groupSize, "quantization.mixed_precision.group_size");
    FormFields::configKey(m_useTable, "quantization.mixed_precision.precision_map");
    auto* left = new QVBoxLayout;
    left->addWidget(params);
    left->addWidget(mixed);
    left->addWidget(m_run);
    left->addStretch();

    m_sensitivity = plots::titledPlot(tr("Layer sensitivity"));
    plots::setEmptyHint(m_sensitivity, sensitivityHint());
    m_sensitivity->setObjectName("sensitivityPlot");
    m_table = new QTableWidget(0, 3);
    m_table->setHorizontalHeaderLabels({tr("Layer"), tr("Precision"), tr("Weights")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->verticalHeader()->setDefaultSectionSize(24);
    m_estimate = new QLabel(tr("Open a project with a trained model to estimate sizes."));
    m_estimate->setObjectName("sizeEstimate");
    m_estimate->setWordWrap(true);
    auto* tableBox = new QVBoxLayout;
    auto* tableHead = new QHBoxLayout;
    tableHead->addWidget(new QLabel(tr("Per-layer precision:")));
    tableHead->addStretch();
    tableHead->addWidget(m_seed);
    tableBox->addLayout(tableHead);
    tableBox->addWidget(m_table, 1);
    tableBox->addWidget(m_estimate);
    auto* right = new QVBoxLayout;
    right->addWidget(m_sensitivity, 2);
    right->addLayout(tableBox, 3);
    auto* top = new QHBoxLayout(this);
    top->addLayout(left, 2);
    top->addLayout(right, 5);

    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        Q_EMIT edited();
    });
    for (QComboBox* c : {m_observer, m_sensitivePrecision})
        connect(c, &QComboBox::currentIndexChanged, this, &QuantizationPanel::edited);
    connect(m_sensitivePrecision, &QComboBox::currentIndexChanged, this, &QuantizationPanel::reseed);
    for (QSpinBox* s : {m_calibration, m_groupSize})
        connect(s, &QSpinBox::valueChanged, this, &QuantizationPanel::edited);
    connect(m_groupSize, &QSpinBox::valueChanged, this, &QuantizationPanel::updateEstimate);
    connect(m_topK, &QSpinBox::valueChanged, this, [this] {
        reseed();
        Q_EMIT edited();
    });
    for (QCheckBox* c : {m_perChannel, m_embeddings, m_useTable})
        connect(c, &QCheckBox::toggled, this, [this] {
            updateEstimate();
            Q_EMIT edited();
        });
    connect(m_seed, &QPushButton::clicked, this, [this] {
        reseed();
        Q_EMIT edited();
    });
    connect(m_run, &QPushButton::clicked, this, [this] { Q_EMIT runRequested(variant()); });
    setConfig(ExperimentConfig());
}

void QuantizationPanel::setConfig(const ExperimentConfig& config) {
    m_base = config;
    const auto& q = config.quantization;
    const QSignalBlocker b1(m_method), b2(m_observer), b3(m_calibration), b4(m_perChannel), b5(m_embeddings),
        b6(m_topK), b7(m_sensitivePrecision), b8(m_groupSize);
    m_method->setCurrentIndex(std::max(0, m_method->findData(QString::fromStdString(q.method))));
    m_observer->setCurrentIndex(std::max(0, m_observer->findData(QString::fromStdString(q.observer))));
    m_calibration->setValue(q.calibrationBatches);
    m_perChannel->setChecked(q.perChannel);
    m_embeddings->setChecked(q.quantizeEmbeddings);
    m_topK->setValue(q.sensitiveLayersTopK);
    m_sensitivePrecision->setCurrentIndex(
        std::max(0, m_sensitivePrecision->findData(QString::fromStdString(q.sensitivePrecision))));
    m_groupSize->setValue(q.int4GroupSize);
    updateEnabled();
    m_saved = q.precisionMap;
    {
        const QSignalBlocker block(m_useTable);
        m_useTable->setChecked(true);  // the table runs as "custom" once a layer is changed
    }
    seedTable();
}

void QuantizationPanel::applyTo(ExperimentConfig& config) const {
    auto& q = config.quantization;
    q.method = m_method->currentData().toString().toStdString();
    q.observer = m_observer->currentData().toString().toStdString();
    q.calibrationBatches = m_calibration->value();
    q.perChannel = m_perChannel->isChecked();
    q.quantizeEmbeddings = m_embeddings->isChecked();
    q.sensitiveLayersTopK = m_topK->value();
    q.sensitivePrecision = m_sensitivePrecision->currentData().toString().toStdString();
    q.int4GroupSize = m_groupSize->value();
    // Only the layers the user changed: the engine starts from the same top-k seed.
    q.precisionMap.clear();
    if (m_useTable->isChecked()) q.precisionMap = m_saved;
}

Method QuantizationPanel::chosenMethod() const {
    return requireMethod(m_method->currentData().toString().toStdString(), "the Quantization panel");
}

VariantSpec QuantizationPanel::variant() const {
    VariantSpec v;
    v.method = chosenMethod();
    if (v.method == Method::Static) v.observer = m_observer->currentData().toString().toStdString();
    return v;
}

void QuantizationPanel::updateEnabled() {
    const Method m = chosenMethod();
    m_observer->setEnabled(m == Method::Static);
    m_calibration->setEnabled(m == Method::Static);
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_topK, m_sensitivePrecision, m_groupSize, m_useTable, m_table, m_seed})
        w->setEnabled(m == Method::Mixed);
}

void QuantizationPanel::setModelDir(const QString& dir) {
    m_shapes.clear();
    if (!dir.isEmpty()) {
        try {
            m_shapes = readSafetensorsShapes(QDir(dir).filePath("model.safetensors").toStdString());
        } catch (const std::exception&) {
            m_shapes.clear();  // not trained yet, or not a float model folder: no estimate
        }
    }
    seedTable();
}

QString QuantizationPanel::sensitivityHint() {
    return tr("Run a mixed-precision variant\nto measure it");
}

void QuantizationPanel::setRuns(const std::vector<RunResult>& runs) {
    m_sensitivityRows.clear();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        if (!it->layerSensitivity.empty()) {
            m_sensitivityRows = it->layerSensitivity;
            break;
        }
    }
    QStringList labels;
    QVector<QVector<double>> deltas(2);
    for (const auto& s : m_sensitivityRows) {
        labels << plots::shortLayerName(s.layer);
        deltas[0] << s.lossDeltaInt8;
        deltas[1] << s.lossDeltaInt4;  // NaN where the layer's width does not fit int4 groups
    }
    plots::setGroupedBars(m_sensitivity, labels, deltas, {tr("layer alone in int8"), tr("layer alone in int4")},
                          tr("validation loss change"));
    if (m_sensitivityRows.empty()) plots::setEmptyHint(m_sensitivity, sensitivityHint());
    seedTable();
}

void QuantizationPanel::seedTable() {
    // Rows: the model's linear layers (from its weights), else the sensitivity table's.
    QStringList layers;
    for (const auto& layer : linearLayerNames(m_shapes)) layers << QString::fromStdString(layer);
    std::map<QString, qint64> weights;  // by tensor name
    for (const auto& t : m_shapes) weights[QString::fromStdString(t.name)] = t.numel();
    if (layers.isEmpty())
        for (const auto& s : m_sensitivityRows) layers << QString::fromStdString(s.layer);
    // Top k of the sensitivity table (most sensitive first) get the sensitive precision.
    QStringList sensitive;
    for (int i = 0; i < int(m_sensitivityRows.size()) && i < m_topK->value(); ++i)
        sensitive << QString::fromStdString(m_sensitivityRows[size_t(i)].layer);
    const QString sensitivePrecision = m_sensitivePrecision->currentData().toString();
    const QSignalBlocker block(m_table);
    m_table->setRowCount(layers.size());
    for (int r = 0; r < layers.size(); ++r) {
        auto* name = new QTableWidgetItem(layers[r]);
        name->setFlags(name->flags() & ~Qt::ItemIsEditable);
        m_table->setItem(r, 0, name);
        auto* combo = new QComboBox;
        combo->addItems(kPrecisions);
        if (kernels::bf16IsEmulated())
            combo->setItemData(int(kPrecisions.indexOf("bf16")), tr("bf16 is emulated on this CPU: slower than fp32."),
                               Qt::ToolTipRole);
        bool skip = false;  // skip_layers stay fp32, as in the engine
        for (const auto& part : m_base.quantization.skipLayers)
            skip = skip || layers[r].contains(QString::fromStdString(part));
        combo->setCurrentText(skip ? "fp32" : sensitive.contains(layers[r]) ? sensitivePrecision : "int8");
        connect(combo, &QComboBox::currentIndexChanged, this, [this, combo, layer = layers[r]] {
            m_saved[layer.toStdString()] = combo->currentText().toStdString();  // survives a reseed after a run
            updateEstimate();
            Q_EMIT edited();
        });
        m_table->setCellWidget(r, 1, combo);
        const auto weight = weights.find(layers[r] + ".weight");
        auto* count = new QTableWidgetItem(weight != weights.end() ? QLocale().toString(weight->second) : "-");
        count->setFlags(count->flags() & ~Qt::ItemIsEditable);
        count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(r, 2, count);
    }
    // The user's choices (and the project's precision_map) win over the seed until Reset.
    for (const auto& [layer, precision] : m_saved)
        setLayerPrecision(QString::fromStdString(layer), QString::fromStdString(precision));
    updateEstimate();
}

void QuantizationPanel::reseed() {
    m_saved.clear();
    seedTable();
}

void QuantizationPanel::setLayerPrecision(const QString& layer, const QString& precision) {
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (m_table->item(r, 0)->text() != layer) continue;
        if (auto* combo = qobject_cast<QComboBox*>(m_table->cellWidget(r, 1))) {
            const QSignalBlocker block(combo);  // restoring, not editing
            combo->setCurrentText(precision);
        }
    }
    updateEstimate();
}

std::map<std::string, std::string> QuantizationPanel::plan() const {
    std::map<std::string, std::string> out;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (auto* combo = qobject_cast<QComboBox*>(m_table->cellWidget(r, 1)))
            out[m_table->item(r, 0)->text().toStdString()] = combo->currentText().toStdString();
    }
    return out;
}

void QuantizationPanel::updateEstimate() {
    if (m_shapes.empty()) {
        m_estimatedBytes = 0;
        m_estimate->setText(tr("Train the baseline (or open a project with a trained model) to estimate sizes."));
        return;
    }
    const int64_t fp32 = estimatePlanBytes(m_shapes, {}, m_groupSize->value(), false);
    m_estimatedBytes = estimatePlanBytes(m_shapes, plan(), m_groupSize->value(), m_embeddings->isChecked());
    std::map<std::string, int> counts;
    for (const auto& [layer, p] : plan()) counts[p]++;
    QStringList parts;
    for (const auto& [p, n] : counts) parts << QString("%1 %2").arg(n).arg(QString::fromStdString(p));
    QString text = tr("Estimated size: %1 MB (fp32: %2 MB, %3x smaller). Layers: %4.")
                       .arg(double(m_estimatedBytes) / 1e6, 0, 'f', 2)
                       .arg(double(fp32) / 1e6, 0, 'f', 2)
                       .arg(m_estimatedBytes > 0 ? double(fp32) / double(m_estimatedBytes) : 0, 0, 'f', 2)
                       .arg(parts.join(", "));
    // Said, not hidden: bf16 layers on a CPU without bf16 hardware run slower than fp32.
    if (counts.count("bf16") && kernels::bf16IsEmulated())
        text += " " + tr("bf16 is emulated on this CPU: slower than fp32.");
    m_estimate->setText(text);
}

void QuantizationPanel::setBusy(bool busy) {
    m_run->setEnabled(!busy);
}

}  // namespace tpq::ui
