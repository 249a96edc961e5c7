#pragma once
/// \file model_panel.h
/// The Model panel: architecture and training fields with the parameter count and size
/// updating as you type; Train and Evaluate; live training curves (loss per step,
/// train/validation accuracy per epoch) drawn while training runs.

#include <QWidget>

#include "config/experiment_config.h"
#include "worker/experiment_worker.h"

class QComboBox;
class QSpinBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QCustomPlot;

namespace tpq::ui {

class ModelPanel : public QWidget {
    Q_OBJECT

public:
    explicit ModelPanel(QWidget* parent = nullptr);

    void setConfig(const ExperimentConfig& config);
    void applyTo(ExperimentConfig& config) const;

    /// Clears the curves (a new training run starts).
    void clearCurves();
    void addTrainPoint(const TrainPoint& p);
    /// Draws a finished run's curves (history.csv) when no training is running.
    void showHistory(const QVector<QPair<qint64, double>>& stepLoss, const QVector<double>& trainAccuracy,
                     const QVector<double>& valAccuracy, const QVector<qint64>& epochEndSteps);
    void showEvaluation(const EvaluationResult& r);
    void clearEvaluation();
    /// The vocabulary of the trained model (0 = not trained yet): the word tokenizer's
    /// estimate uses it instead of the largest vocabulary the config allows.
    void setVocabularySize(qint64 tokens);
    void setBusy(bool busy);

    QString parameterText() const;
    QCustomPlot* curves() const { return m_curves; }
    int lossPoints() const;
    int epochPoints() const;

Q_SIGNALS:
    void trainRequested();
    void evaluateRequested();
    void edited();

private:
    void updateEstimate();
    void updateEnabled();

    QComboBox* m_name;
    QSpinBox* m_labels;
    QSpinBox* m_dModel;
    QSpinBox* m_heads;
    QSpinBox* m_layers;
    QSpinBox* m_dFf;
    QSpinBox* m_maxLength;
    QComboBox* m_tokenizer;
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QDoubleSpinBox* m_lr;
    QLabel* m_estimate;
    QLabel* m_evaluation;
    QPushButton* m_train;
    QPushButton* m_evaluate;
    QCustomPlot* m_curves;
    ExperimentConfig m_base;
    qint64 m_vocabulary = 0;
};

}  // namespace tpq::ui
