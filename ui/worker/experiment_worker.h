#pragma once
/// \file experiment_worker.h
/// The engine on a thread of its own. An ExperimentWorker lives on a QThread owned by
/// WorkerThread; jobs are started with QMetaObject::invokeMethod (queued), progress comes
/// back as queued signals of plain structs, never tensors, and cancel() is safe from any
/// thread (the engine checks the token between batches). Only torch-free core headers
/// here: the .cpp includes the engine.

#include <QMetaType>
#include <QObject>
#include <QPair>
#include <QStringList>
#include <QThread>
#include <QVector>
#include <memory>

#include "config/experiment_config.h"
#include "experiment/variant_state.h"
#include "util/progress.h"

namespace tpq::ui {

/// Loading, calibrating, measuring: step/total with an ETA.
struct WorkerProgress {
    qint64 step = 0, total = 0;  // total 0 = unknown
    double etaSeconds = -1;
    QString message;
};

/// One training step, or (epochEnd) an epoch's validation summary.
struct TrainPoint {
    qint64 step = 0, totalSteps = 0;
    int epoch = 0, epochs = 0;
    double stepLoss = 0, meanLoss = 0;
    bool epochEnd = false;
    double trainAccuracy = -1, valAccuracy = -1, valLoss = -1;
    double etaSeconds = -1;
};

/// A project variant starting (running or resuming), skipped or finished.
struct VariantEvent {
    int index = 0, total = 0;
    QString variant;
    VariantState state = VariantState::Running;
    QStringList runIds;
    double seconds = 0;
};

/// The first rows, class balance and lengths of a dataset, and what the loader noticed.
struct DatasetPreview {
    QString source;
    QStringList labelNames;
    QVector<qint64> counts;             // per class
    QVector<QPair<QString, int>> rows;  // (text, label id), the first rows
    QVector<int> wordCounts;            // words per text, every text
    QStringList warnings, notes;
    qint64 total = 0, duplicatesRemoved = 0, invalidUtf8Replaced = 0, skipped = 0;
};

/// A test-split evaluation of a model folder.
struct EvaluationResult {
    QString modelDir;
    double accuracy = 0, f1 = 0, loss = 0;
    QVector<QVector<qint64>> confusionMatrix;
    QStringList labelNames;
};

/// One run's answer for a typed text (Predict view).
struct RunPrediction {
    QString runId;
    QString label;  // "" when the run failed: see error
    QStringList labelNames;
    QVector<double> probabilities;
    double milliseconds = 0;  // tokenizing and running the text (the model loaded)
    QString error;
};

struct PredictionResult {
    QString text;
    QVector<RunPrediction> runs;
};

/// How a job ended: ok, cancelled, or failed with `error` (what, where, what to do).
struct JobOutcome {
    QString job;  // "project", "dataset", "evaluate"
    bool ok = false;
    bool cancelled = false;
    QString error;
    double seconds = 0;
};

class ExperimentWorker : public QObject {
    Q_OBJECT

public:
    ExperimentWorker();
    ~ExperimentWorker() override;

    /// Thread-safe: the running job stops at its next batch and ends with cancelled.
    void cancel() { m_cancel.cancel(); }
    /// Clears a cancel request before a new job is queued.
    void resetCancel() { m_cancel.reset(); }

    // Jobs: call them on the worker's thread (WorkerThread::start). Each ends with finished().

    /// Runs every unfinished variant of the project file (the same as `tpq run`).
    /// `only`: the variant keys to run (and the baseline first if it is not done); empty = all.
    void runProject(const QString& projectPath, const QStringList& only = {});
    /// Loads the dataset `options` describe (no split) for the Dataset panel.
    void loadDatasetPreview(const tpq::DatasetOptions& options, int previewRows = 200);
    /// Evaluates a model folder on the test split of `config`'s data.
    void evaluateModel(const tpq::ExperimentConfig& config, const QString& modelDir);
    /// Classifies `text` with each run's model folder (`runIds[i]` in `modelDirs[i]`);
    /// a run that fails says why in its row, the others still answer.
    void predict(const QStringList& runIds, const QStringList& modelDirs, const QString& text);

Q_SIGNALS:
    void progress(const tpq::ui::WorkerProgress& p);
    void trainingStep(const tpq::ui::TrainPoint& p);
    void variantChanged(const tpq::ui::VariantEvent& e);
    void datasetLoaded(const tpq::ui::DatasetPreview& preview);
    void evaluated(const tpq::ui::EvaluationResult& result);
    void predicted(const tpq::ui::PredictionResult& result);
    void finished(const tpq::ui::JobOutcome& outcome);

private:
    /// The engine's progress reports as progress() signals.
    ProgressCallback forwardProgress();
    /// Runs `job`, turning exceptions into the outcome.
    void runJob(const QString& name, const std::function<void()>& job);

    CancellationToken m_cancel;
    qint64 m_lastStepNs = 0;
    /// predict()'s loaded model folders, reused while their files stay the same.
    struct ModelCache;
    std::unique_ptr<ModelCache> m_models;
};

/// Owns the worker's thread: starts it, queues jobs, shuts down with
/// request-interruption, cancel, quit, wait.
class WorkerThread : public QObject {
    Q_OBJECT

public:
    explicit WorkerThread(QObject* parent = nullptr);
    ~WorkerThread() override;

    ExperimentWorker* worker() const { return m_worker; }
    bool isBusy() const { return m_busy; }

    /// Queues a job on the worker thread; false when one is still running.
    bool start(const std::function<void(ExperimentWorker*)>& job);
    void cancel();

Q_SIGNALS:
    void busyChanged(bool busy);

private:
    QThread m_thread;
    ExperimentWorker* m_worker;
    bool m_busy = false;
};

/// Registers the structs above for queued connections (call once before connecting).
void registerWorkerTypes();

}  // namespace tpq::ui

Q_DECLARE_METATYPE(tpq::ui::WorkerProgress)
Q_DECLARE_METATYPE(tpq::ui::TrainPoint)
Q_DECLARE_METATYPE(tpq::ui::VariantEvent)
Q_DECLARE_METATYPE(tpq::ui::DatasetPreview)
Q_DECLARE_METATYPE(tpq::ui::EvaluationResult)
Q_DECLARE_METATYPE(tpq::ui::JobOutcome)
Q_DECLARE_METATYPE(tpq::ui::PredictionResult)
