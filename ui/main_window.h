#pragma once
/// \file main_window.h
/// TPQ Studio's main window: the Dataset, Model, Pruning, Quantization and Results panels
/// around one open project (*.tpq.yaml), the engine on a worker thread (progress, ETA and
/// Cancel in the status bar, its log lines in a dock), File / Run / Help menus.

#include <QMainWindow>
#include <functional>
#include <map>
#include <memory>

#include "export/model_export.h"
#include "worker/experiment_worker.h"

class QMenu;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QAction;

namespace tpq {
class Project;
struct RunResult;
struct VariantSpec;
}  // namespace tpq

namespace tpq::ui {

class DatasetPanel;
class ModelPanel;
class PruningPanel;
class QuantizationPanel;
class ResultsPanel;
class PredictPanel;
class ComparePanel;
class ProjectWatcher;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a project file (*.tpq.yaml) or a results folder. Errors are shown in a
    /// dialog; returns false then.
    bool openPath(const QString& path);
    /// Opens the New Experiment wizard; on Finish writes and opens the project (and starts it).
    void newExperiment();
    /// Runs the project's unfinished variants (`only`: just these variant keys).
    bool startRun(const QStringList& only = {});
    void cancelRun();
    /// Saves the project (the panels' settings into its config); false on error or no project.
    bool save();
    bool saveAs(const QString& path = {});
    /// Closes the project (asking to save changes first); false = the user cancelled.
    bool closeProject();

    /// Deletes a project run (the variant's record and its folders inside results/ and
    /// checkpoints/) after asking; false when cancelled or refused.
    bool deleteRun(const QString& runId);
    /// Opens a shown run's model folder in the file manager (its path in the status bar and
    /// the log); false, after saying why, when it has none.
    bool openModelFolder(const QString& runId);
    /// File > Export Model... for a shown run: asks for the format and output
    /// (ExportModelDialog), then exportRunModelTo(); false when cancelled or failed.
    bool exportRunModel(const QString& runId);
    /// Writes run `runId`'s model as `options` say (asking before replacing an existing
    /// output) on a thread behind a busy dialog; the notes go to the log. False, after saying
    /// why, when the run has no model folder or the export fails.
    bool exportRunModelTo(const QString& runId, ExportOptions options);

    bool isDirty() const { return m_dirty; }
    bool isBusy() const;
    const Project* project() const { return m_project.get(); }
    WorkerThread* workerThread() const { return m_worker; }
    /// The panel shown: 0 dataset, 1 model, 2 pruning, 3 quantization, 4 results,
    /// 5 predict, 6 compare.
    void showPanel(int index);
    /// The welcome page (no project or results folder open) is shown.
    bool welcomeShown() const;
    /// Opens the demo project (results/demo.tpq.yaml of the source tree, copied from
    /// configs/demo.tpq.yaml when it is not there yet); it runs on Run > Start.
    bool openDemo();

    DatasetPanel* datasetPanel() const { return m_dataset; }
    ModelPanel* modelPanel() const { return m_model; }
    PruningPanel* pruningPanel() const { return m_pruning; }
    QuantizationPanel* quantizationPanel() const { return m_quantization; }
    ResultsPanel* resultsPanel() const { return m_results; }
    PredictPanel* predictPanel() const { return m_predict; }
    ComparePanel* comparePanel() const { return m_compare; }
    QWidget* welcomePage() const { return m_welcome; }
    /// The Predict view's own thread (predictions run beside a training run).
    WorkerThread* predictThread() const { return m_predictWorker; }
    QPlainTextEdit* logView() const { return m_log; }
    QProgressBar* progressBar() const { return m_progress; }

Q_SIGNALS:
    /// A job on the worker ended (after the window updated itself).
    void jobFinished(const tpq::ui::JobOutcome& outcome);
    /// A Predict job ended (on the Predict view's own thread).
    void predictionFinished(const tpq::ui::JobOutcome& outcome);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void connectWorker();
    void openDialog();
    void openResultsFolder();
    void exportCsv();
    void exportPng();
    void exportAllPlots();
    void exportTo(const QString& title, const QString& defaultName, const QString& filter,
                  const std::function<void(const QString&)>& write);
    void about();
    void rememberRecent(const QString& path);
    void rebuildRecentMenu();
    void showError(const QString& title, const QString& message);
    /// False, after saying why in a dialog titled `title`, when no project is open.
    bool requireProject(const QString& title);
    /// False, after a dialog saying `whatToDo`, while a job runs.
    bool requireIdle(const QString& whatToDo);
    void markDirty();
    void updateTitle();
    void reloadResults();
    /// The Results panel's Variants tab from the project's runs and Slurm's queue.
    void refreshVariantStatus();
    /// Points the watcher at the open project (or at nothing).
    void watchProject();
    /// The project file changed on disk (another tpq, a Slurm task): its runs re-read.
    void onProjectFileChanged();
    /// Every panel back to "nothing of a project": runs, charts, curves, evaluation.
    void resetPanels();
    /// The panels' fields from the config a results folder's baseline was trained with.
    void showRunConfig();
    void setPanelsConfig(const ExperimentConfig& config);
    /// The project's runs' model folders by run id (empty without a project).
    std::map<std::string, QString> projectModelDirs() const;
    /// A shown run's model folder: the project's record of it, else (a results folder)
    /// its result.json's model_dir.
    QString runModelDir(const RunResult& run, const std::map<std::string, QString>& projectDirs) const;
    QString modelFolderOf(const QString& runId) const;
    QWidget* buildWelcome();
    void refreshWelcome();
    /// Welcome page or panels, as a project (or results folder) is open or not.
    void updatePages();
    void userGuide();
    void runVariant(const VariantSpec& variant);
    void onFinished(const JobOutcome& outcome);
    /// Re-reads the project file (the runs the worker recorded).
    void refreshProjectFromDisk();
    /// The project's config with every panel's fields applied.
    ExperimentConfig panelConfig() const;
    void setBusy(bool busy);
    QString baselineModelDir() const;
    /// Asks to save unsaved changes; false = the user cancelled.
    bool maybeSave();

    std::unique_ptr<Project> m_project;
    QString m_resultsDir;
    bool m_dirty = false;
    WorkerThread* m_worker;
    WorkerThread* m_predictWorker;
    ProjectWatcher* m_watcher;
    QStackedWidget* m_pages;
    QWidget* m_welcome;
    QWidget* m_workspace;
    QListWidget* m_welcomeRecent;
    QListWidget* m_nav;
    QStackedWidget* m_stack;
    DatasetPanel* m_dataset;
    ModelPanel* m_model;
    PruningPanel* m_pruning;
    QuantizationPanel* m_quantization;
    ResultsPanel* m_results;
    PredictPanel* m_predict;
    ComparePanel* m_compare;
    QPlainTextEdit* m_log;
    QMenu* m_recent;
    QLabel* m_status;
    QProgressBar* m_progress;
    QLabel* m_eta;
    QPushButton* m_cancel;
    QAction* m_startAction;
    QAction* m_saveAction;
    QAction* m_saveAsAction;
    QAction* m_cancelAction;
};

}  // namespace tpq::ui
