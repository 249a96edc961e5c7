#pragma once
/// \file dataset_panel.h
/// The Dataset panel: where the data comes from (kind, path, columns), a preview of the
/// first rows, the class balance, the length histogram and what the loader noticed (bad
/// rows, invalid UTF-8 replaced) shown inline. Loading runs on the worker thread.

#include <QWidget>

#include "config/experiment_config.h"
#include "worker/experiment_worker.h"

class QComboBox;
class QLineEdit;
class QCheckBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;
class QCustomPlot;

namespace tpq::ui {

class DatasetPanel : public QWidget {
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget* parent = nullptr);

    void setConfig(const ExperimentConfig& config);
    /// Writes the panel's fields into `config.data`.
    void applyTo(ExperimentConfig& config) const;
    DatasetOptions options() const;

    void showPreview(const DatasetPreview& preview);
    /// Back to "no data loaded" (another project was opened).
    void clearPreview();
    void showError(const QString& message);
    void setBusy(bool busy);

    QTableWidget* previewTable() const { return m_preview; }
    QListWidget* problems() const { return m_problems; }

Q_SIGNALS:
    void loadRequested(const tpq::DatasetOptions& options);
    void edited();

private:
    void updateEnabled();

    QComboBox* m_kind;
    QLineEdit* m_path;
    QPushButton* m_browse;
    QLineEdit* m_textColumn;
    QLineEdit* m_labelColumn;
    QCheckBox* m_header;
    QPushButton* m_load;
    QLabel* m_summary;
    QTableWidget* m_preview;
    QCustomPlot* m_balance;
    QCustomPlot* m_lengths;
    QListWidget* m_problems;
    DatasetOptions m_base;  // fields the panel does not show, kept as loaded
};

}  // namespace tpq::ui
