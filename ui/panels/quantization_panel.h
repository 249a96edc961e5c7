#pragma once
/// \file quantization_panel.h
/// The Quantization panel: method and parameters; the layer sensitivity chart of the
/// project's mixed-precision run; a per-layer precision table (fp32/bf16/fp16/int8/int4)
/// seeded from the top-k sensitive layers and editable, with the model size estimate
/// updating as it is edited; Run (the table runs as the "custom" mixed setting).

#include <QWidget>
#include <map>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/project.h"
#include "experiment/results_store.h"
#include "models/architecture_estimate.h"

class QComboBox;
class QCheckBox;
class QSpinBox;
class QPushButton;
class QTableWidget;
class QLabel;
class QCustomPlot;

namespace tpq::ui {

class QuantizationPanel : public QWidget {
    Q_OBJECT

public:
    explicit QuantizationPanel(QWidget* parent = nullptr);

    void setConfig(const ExperimentConfig& config);
    void applyTo(ExperimentConfig& config) const;
    VariantSpec variant() const;
    /// The float model the precision table describes (its model.safetensors is read for
    /// the layer shapes); "" = none yet.
    void setModelDir(const QString& dir);
    void setRuns(const std::vector<RunResult>& runs);
    void setBusy(bool busy);

    /// Layer -> precision as the table shows it.
    std::map<std::string, std::string> plan() const;
    /// The estimate for plan(), in bytes (0 when no model is known).
    qint64 estimatedBytes() const { return m_estimatedBytes; }
    QTableWidget* precisionTable() const { return m_table; }
    void setLayerPrecision(const QString& layer, const QString& precision);

Q_SIGNALS:
    void runRequested(const tpq::VariantSpec& variant);
    void edited();

private:
    /// The method box's choice, read once from its item data.
    Method chosenMethod() const;
    /// Fills the table: top k sensitive layers in the sensitive precision, the rest int8,
    /// then the saved precision_map on top.
    void seedTable();
    /// What the empty sensitivity chart says.
    static QString sensitivityHint();
    /// seedTable without the saved map (Reset from Sensitivity, a new top k).
    void reseed();
    void updateEstimate();
    void updateEnabled();

    QComboBox* m_method;
    QComboBox* m_observer;
    QSpinBox* m_calibration;
    QCheckBox* m_perChannel;
    QCheckBox* m_embeddings;
    QSpinBox* m_topK;
    QComboBox* m_sensitivePrecision;
    QSpinBox* m_groupSize;
    QCheckBox* m_useTable;
    QPushButton* m_seed;
    QPushButton* m_run;
    QCustomPlot* m_sensitivity;
    QTableWidget* m_table;
    QLabel* m_estimate;
    std::vector<TensorShape> m_shapes;
    std::vector<LayerSensitivity> m_sensitivityRows;
    std::map<std::string, std::string> m_saved;  // the config's precision_map and the user's edits
    qint64 m_estimatedBytes = 0;
    ExperimentConfig m_base;
};

}  // namespace tpq::ui
