#include "panels/model_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "models/architecture_estimate.h"
#include "models/bert_presets.h"
#include "panels/form_fields.h"
#include "plots/panel_plots.h"

namespace tpq::ui {

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
    m_name = new QComboBox;
    FormFields::addModels(m_name);
    m_name->setObjectName("modelName");
    m_labels = FormFields::integer(2, 1000);
    m_labels->setObjectName("classes");
    m_dModel = FormFields::integer(8, 4096, 8);
    m_dModel->setObjectName("dModel");
    m_heads = FormFields::integer(1, 64);
    m_layers = FormFields::integer(1, 48);
    m_dFf = FormFields::integer(8, 16384, 64);
    m_maxLength = FormFields::integer(8, 512, 8);
    m_tokenizer = new QComboBox;
    m_tokenizer->addItem(tr("WordPiece (BERT vocabulary)"), "wordpiece");
    m_tokenizer->addItem(tr("Words (built from the training split)"), "word");
    m_epochs = FormFields::integer(1, 100);
    m_epochs->setObjectName("epochs");
    m_batch = FormFields::integer(1, 1024);
    m_lr = new QDoubleSpinBox;
    m_lr->setDecimals(6);
    m_lr->setRange(1e-6, 1.0);
    m_lr->setSingleStep(1e-5);
    m_estimate = new QLabel;
    m_estimate->setObjectName("parameterEstimate");
    m_estimate->setWordWrap(true);
    m_evaluation = new QLabel;
    m_evaluation->setObjectName("evaluation");
    m_evaluation->setWordWrap(true);
    m_evaluation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_train = new QPushButton(tr("Train"));
    m_train->setObjectName("train");
    m_evaluate = new QPushButton(tr("Evaluate"));
    m_evaluate->setObjectName("evaluate");

    // Long item texts do not widen the form: the list shows them whole.
    for (QComboBox* c : {m_name, m_tokenizer}) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(18);
    }
    auto* arch = new QGroupBox(tr("Architecture"));
    auto* af = new QFormLayout(arch);
    af->addRow(tr("Model:"), m_name);
    af->addRow(tr("Classes:"), m_labels);
    af->addRow(tr("Width (d_model):"), m_dModel);
    af->addRow(tr("Attention heads:"), m_heads);
    af->addRow(tr("Layers:"), m_layers);
    af->addRow(tr("Feed-forward width:"), m_dFf);
    af->addRow(tr("Tokenizer:"), m_tokenizer);
    af->addRow(tr("Max tokens per text:"), m_maxLength);
    af->addRow(m_estimate);
    auto* training = new QGroupBox(tr("Training"));
    auto* tf = new QFormLayout(training);
    tf->addRow(tr("Epochs:"), m_epochs);
    tf->addRow(tr("Batch size:"), m_batch);
    tf->addRow(tr("Learning rate:"), m_lr);
    const std::pair<QWidget*, const char*> keys[] = {
        {m_name, "model.name"},           {m_labels, "model.num_labels"},   {m_dModel, "model.d_model"},
        {m_heads, "model.num_heads"},     {m_layers, "model.num_layers"},   {m_dFf, "model.d_ff"},
        {m_tokenizer, "tokenizer.type"},  {m_maxLength, "data.max_length"}, {m_epochs, "training.epochs"},
        {m_batch, "training.batch_size"}, {m_lr, "training.learning_rate"}};
    for (const auto& [field, key] : keys) FormFields::configKey(field, key);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_evaluate);
    auto* form = new QWidget;
    auto* left = new QVBoxLayout(form);
    left->setContentsMargins(0, 0, 0, 0);
    left->addWidget(arch);
    left->addWidget(training);
    left->addLayout(buttons);
    left->addWidget(m_evaluation);
    left->addStretch();

    m_curves = plots::titledPlot(tr("Training curves"));
    m_curves->addGraph(m_curves->xAxis, m_curves->yAxis);
    m_curves->graph(0)->setName(tr("training loss (per step)"));
    m_curves->graph(0)->setPen(QPen(QColor(31, 119, 180), 1.5));
    m_curves->addGraph(m_curves->xAxis, m_curves->yAxis2);
    m_curves->graph(1)->setName(tr("train accuracy (per epoch)"));
    m_curves->addGraph(m_curves->xAxis, m_curves->yAxis2);
    m_curves->graph(2)->setName(tr("validation accuracy (per epoch)"));
    const QList<QColor> colors = {QColor(255, 127, 14), QColor(44, 160, 44)};
    for (int g = 1; g <= 2; ++g) {
        m_curves->graph(g)->setPen(QPen(colors[g - 1], 2));
        m_curves->graph(g)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colors[g - 1], 8));
    }
    m_curves->xAxis->setLabel(tr("optimizer step"));
    m_curves->yAxis->setLabel(tr("loss"));
    m_curves->yAxis2->setVisible(true);
    m_curves->yAxis2->setLabel(tr("accuracy (%)"));
    m_curves->yAxis2->setRange(0, 105);  // 100% markers drawn whole
    plots::legendBelow(m_curves, 2);     // two per row: the panel fits 1024 pixels

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(FormFields::scrollingColumn(form));
    split->addWidget(m_curves);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setChildrenCollapsible(false);
    auto* top = new QHBoxLayout(this);
    top->addWidget(split);

    for (QSpinBox* s : {m_labels, m_dModel, m_heads, m_layers, m_dFf, m_maxLength, m_epochs, m_batch}) {
        connect(s, &QSpinBox::valueChanged, this, [this] {
            updateEstimate();
            Q_EMIT edited();
        });
    }
    connect(m_lr, &QDoubleSpinBox::valueChanged, this, &ModelPanel::edited);
    for (QComboBox* c : {m_name, m_tokenizer}) {
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            updateEnabled();
            updateEstimate();
            Q_EMIT edited();
        });
    }
    connect(m_train, &QPushButton::clicked, this, &ModelPanel::trainRequested);
    connect(m_evaluate, &QPushButton::clicked, this, &ModelPanel::evaluateRequested);
    setConfig(ExperimentConfig());
    clearCurves();
}

void ModelPanel::setConfig(const ExperimentConfig& config) {
    m_base = config;
    const QSignalBlocker blockers[] = {
        QSignalBlocker(m_name),   QSignalBlocker(m_labels), QSignalBlocker(m_dModel),    QSignalBlocker(m_heads),
        QSignalBlocker(m_layers), QSignalBlocker(m_dFf),    QSignalBlocker(m_maxLength), QSignalBlocker(m_tokenizer),
        QSignalBlocker(m_epochs), QSignalBlocker(m_batch),  QSignalBlocker(m_lr)};
    const int index = m_name->findData(QString::fromStdString(config.model.name));
    m_name->setCurrentIndex(index < 0 ? 0 : index);
    m_labels->setValue(config.model.numLabels);
    m_dModel->setValue(config.model.dModel);
    m_heads->setValue(config.model.numHeads);
    m_layers->setValue(config.model.numLayers);
    m_dFf->setValue(config.model.dFf);
    m_maxLength->setValue(config.maxLength);
    m_tokenizer->setCurrentIndex(config.tokenizer.type == "word" ? 1 : 0);
    m_epochs->setValue(config.training.epochs);
    m_batch->setValue(config.training.batchSize);
    m_lr->setValue(config.training.learningRate);
    updateEnabled();
    updateEstimate();
}

void ModelPanel::applyTo(ExperimentConfig& config) const {
    config.model.name = m_name->currentData().toString().toStdString();
    config.model.numLabels = m_labels->value();
    if (config.model.name == "transformer") {  // a preset's fields show its shape, not config keys
        config.model.dModel = m_dModel->value();
        config.model.numHeads = m_heads->value();
        config.model.numLayers = m_layers->value();
        config.model.dFf = m_dFf->value();
    }
    config.maxLength = m_maxLength->value();
    config.tokenizer.type = m_tokenizer->currentData().toString().toStdString();
    config.training.epochs = m_epochs->value();
    config.training.batchSize = m_batch->value();
    config.training.learningRate = m_lr->value();
}

void ModelPanel::updateEnabled() {
    const QString name = m_name->currentData().toString();
    const bool custom = name == "transformer";
    for (QSpinBox* s : {m_dModel, m_heads, m_layers, m_dFf}) s->setEnabled(custom);
    // A preset's own shape (read-only); the custom Transformer's fields are the config's.
    const QSignalBlocker b1(m_dModel), b2(m_heads), b3(m_layers), b4(m_dFf);
    if (custom) {
        m_dModel->setValue(m_base.model.dModel);
        m_heads->setValue(m_base.model.numHeads);
        m_layers->setValue(m_base.model.numLayers);
        m_dFf->setValue(m_base.model.dFf);
    } else if (const BertPreset* p = findBertPreset(name.toStdString())) {
        m_dModel->setValue(int(p->hidden));
        m_heads->setValue(int(p->heads));
        m_layers->setValue(int(p->layers));
        m_dFf->setValue(int(4 * p->hidden));
    }
}

QString ModelPanel::parameterText() const {
    return m_estimate->text();
}

void ModelPanel::updateEstimate() {
    ExperimentConfig c = m_base;
    applyTo(c);
    const bool words = c.tokenizer.type == "word";
    // The word vocabulary is built from the training split: the trained model's when there
    // is one, else the most the config allows (said so).
    const bool known = words && m_vocabulary > 0;
    const int64_t vocab = known ? m_vocabulary : FormFields::estimateVocabulary(c);
    try {
        const int64_t n = estimateParameters(c.model, vocab);
        m_estimate->setText(tr("%1 parameters, %2 MB in fp32 (vocabulary of %3 tokens%4)")
                                .arg(QLocale().toString(qlonglong(n)))
                                .arg(double(n) * 4 / 1e6, 0, 'f', 2)
                                .arg(vocab)
                                .arg(known   ? tr(", as the trained model built it")
                                     : words ? tr(", at most: it is built from the training split")
                                             : QString()));
        if (c.model.name == "transformer" && c.model.dModel % std::max(1, c.model.numHeads) != 0)
            m_estimate->setText(m_estimate->text() + "\n" + tr("The width must be a multiple of the heads."));
    } catch (const std::exception& e) {
        m_estimate->setText(QString::fromStdString(e.what()));
    }
}

void ModelPanel::clearCurves() {
    for (int g = 0; g < 3; ++g) m_curves->graph(g)->data()->clear();
    plots::forgetZoom(m_curves);
    plots::setEmptyHint(m_curves, tr("Train the baseline (Train, or Run > Start) to see its curves here"));
    m_curves->replot();
}

int ModelPanel::lossPoints() const {
    return m_curves->graph(0)->dataCount();
}
int ModelPanel::epochPoints() const {
    return m_curves->graph(2)->dataCount();
}

void ModelPanel::addTrainPoint(const TrainPoint& p) {
    plots::setEmptyHint(m_curves, {});
    if (p.epochEnd) {
        if (p.trainAccuracy >= 0) m_curves->graph(1)->addData(double(p.step), 100 * p.trainAccuracy);
        if (p.valAccuracy >= 0) m_curves->graph(2)->addData(double(p.step), 100 * p.valAccuracy);
    } else {
        m_curves->graph(0)->addData(double(p.step), p.stepLoss);
    }
    // A little room past the last step: the last epoch's markers are drawn whole. A view
    // the user panned or zoomed stays as it is.
    if (!plots::isZoomed(m_curves)) {
        m_curves->xAxis->setRange(0, std::max<double>(1, double(p.totalSteps)) * 1.03);
        bool found = false;
        const QCPRange loss = m_curves->graph(0)->getValueRange(found);
        if (found) m_curves->yAxis->setRange(0, loss.upper * 1.1);
    }
    m_curves->replot(QCustomPlot::rpQueuedReplot);
}

void ModelPanel::showHistory(const QVector<QPair<qint64, double>>& stepLoss, const QVector<double>& trainAccuracy,
                             const QVector<double>& valAccuracy, const QVector<qint64>& epochEndSteps) {
    clearCurves();
    qint64 last = 1;
    for (const auto& [step, loss] : stepLoss) {
        m_curves->graph(0)->addData(double(step), loss);
        last = std::max(last, step);
    }
    for (int e = 0; e < epochEndSteps.size(); ++e) {
        if (e < trainAccuracy.size() && trainAccuracy[e] >= 0)
            m_curves->graph(1)->addData(epochEndSteps[e], 100 * trainAccuracy[e]);
        if (e < valAccuracy.size() && valAccuracy[e] >= 0)
            m_curves->graph(2)->addData(epochEndSteps[e], 100 * valAccuracy[e]);
    }
    plots::setEmptyHint(m_curves, stepLoss.isEmpty() && valAccuracy.isEmpty()
                                      ? tr("This run recorded no training history")
                                      : QString());
    m_curves->xAxis->setRange(0, double(last) * 1.03);
    bool found = false;
    const QCPRange loss = m_curves->graph(0)->getValueRange(found);
    if (found) m_curves->yAxis->setRange(0, loss.upper * 1.1);
    m_curves->replot();
}

void ModelPanel::showEvaluation(const EvaluationResult& r) {
    QString text = tr("Test accuracy %1%, F1 %2, loss %3")
                       .arg(100 * r.accuracy, 0, 'f', 2)
                       .arg(r.f1, 0, 'f', 4)
                       .arg(r.loss, 0, 'f', 4);
    text += "\n" + tr("Confusion matrix (rows: true, columns: predicted):");
    for (int i = 0; i < r.confusionMatrix.size(); ++i) {
        QStringList cells;
        for (qint64 v : r.confusionMatrix[i]) cells << QString::number(v);
        text += "\n  " + (i < r.labelNames.size() ? r.labelNames[i] : QString::number(i)) + ": " + cells.join("  ");
    }
    m_evaluation->setText(text);
}

void ModelPanel::clearEvaluation() {
    m_evaluation->clear();
}

void ModelPanel::setVocabularySize(qint64 tokens) {
    m_vocabulary = tokens;
    updateEstimate();
}

void ModelPanel::setBusy(bool busy) {
    m_train->setEnabled(!busy);
    m_evaluate->setEnabled(!busy);
}

}  // namespace tpq::ui
