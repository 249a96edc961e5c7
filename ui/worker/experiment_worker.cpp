// The engine's headers (torch) come first and Qt's keywords are off for this file
// (QT_NO_KEYWORDS): LibTorch uses `slots` as a name.
#include "worker/experiment_worker.h"

#include <QElapsedTimer>
#include <chrono>
#include <filesystem>
#include <map>

#include "data/dataset_loader.h"
#include "experiment/experiment_runner.h"
#include "experiment/predict.h"
#include "experiment/project.h"
#include "io/model_folder.h"
#include "util/logging.h"

namespace tpq::ui {

namespace {

qint64 nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QStringList qsList(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v) out << qs(s);
    return out;
}

int wordCount(const std::string& text) {
    int n = 0;
    bool inWord = false;
    for (unsigned char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (!space && !inWord) ++n;
        inWord = !space;
    }
    return n;
}

}  // namespace

struct ExperimentWorker::ModelCache {
    struct Entry {
        std::filesystem::file_time_type stamp;
        std::shared_ptr<LoadedModel> model;
    };
    std::map<std::string, Entry> entries;

    /// The newest modification time of the folder's files: a saved model replaces them.
    static std::filesystem::file_time_type stampOf(const std::string& dir) {
        std::filesystem::file_time_type newest{};
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.is_regular_file(ec)) newest = std::max(newest, e.last_write_time(ec));
        return newest;
    }

    const LoadedModel& get(const std::string& dir) {
        const auto stamp = stampOf(dir);
        auto it = entries.find(dir);
        if (it == entries.end() || it->second.stamp != stamp)
            it = entries.insert_or_assign(dir, Entry{stamp, std::make_shared<LoadedModel>(loadModelFolder(dir))}).first;
        return *it->second.model;
    }
};

ExperimentWorker::ExperimentWorker() : m_models(std::make_unique<ModelCache>()) {}

ExperimentWorker::~ExperimentWorker() = default;

ProgressCallback ExperimentWorker::forwardProgress() {
    return [this](const Progress& p) {
        WorkerProgress w;
        w.step = p.step;
        w.total = p.total;
        w.etaSeconds = p.etaSeconds;
        w.message = qs(p.message);
        Q_EMIT progress(w);
    };
}

void ExperimentWorker::runJob(const QString& name, const std::function<void()>& job) {
    JobOutcome outcome;
    outcome.job = name;
    QElapsedTimer timer;
    timer.start();
    try {
        job();
        outcome.ok = true;
    } catch (const Cancelled&) {
        outcome.cancelled = true;
        logWarning(name.toStdString() + ": cancelled");
    } catch (const std::exception& e) {
        outcome.error = QString::fromUtf8(e.what());
        logError(e.what());
    }
    outcome.seconds = double(timer.elapsed()) / 1000.0;
    Q_EMIT finished(outcome);
}

void ExperimentWorker::runProject(const QString& projectPath, const QStringList& only) {
    runJob("project", [&] {
        Project project = Project::load(projectPath.toStdString());
        TrainRunCallbacks callbacks;
        callbacks.cancel = &m_cancel;
        callbacks.loading = forwardProgress();
        callbacks.training = [this](const TrainProgress& p) {
            // At most ~30 reports a second (tiny models train thousands of steps a second);
            // epoch summaries and the last step always go through.
            const qint64 now = nowNs();
            if (!p.epochEnd && p.step > 1 && p.step != p.totalSteps && now - m_lastStepNs < 33'000'000) return;
            m_lastStepNs = now;
            TrainPoint t;
            t.step = p.step;
            t.totalSteps = p.totalSteps;
            t.epoch = p.epoch;
            t.epochs = p.epochs;
            t.stepLoss = p.stepLoss;
            t.meanLoss = p.loss;
            t.epochEnd = p.epochEnd;
            t.trainAccuracy = p.trainAccuracy;
            t.valAccuracy = p.valAccuracy;
            t.valLoss = p.valLoss;
            t.etaSeconds = p.etaSeconds;
            Q_EMIT trainingStep(t);
        };
        ExperimentRunner runner(project);
        std::vector<std::string> keys;
        for (const QString& k : only) keys.push_back(k.toStdString());
        runner.setOnly(keys);
        runner.run(callbacks, [this](const VariantProgress& v) {
            VariantEvent e;
            e.index = int(v.index);
            e.total = int(v.total);
            e.variant = qs(v.variant);
            e.state = v.state;
            e.runIds = qsList(v.runIds);
            e.seconds = v.seconds;
            Q_EMIT variantChanged(e);
        });
    });
}

void ExperimentWorker::loadDatasetPreview(const DatasetOptions& options, int previewRows) {
    runJob("dataset", [&] {
        const auto problems = options.validate();
        if (!problems.empty()) throw Error(problems.front());
        LoadContext context;
        context.cancel = &m_cancel;
        context.progress = forwardProgress();
        TextClassificationDataset data = loadDataset(options, context);
        if (options.deduplicate) removeDuplicates(data);
        DatasetPreview preview;
        const LoadReport& report = data.report();
        preview.source = qs(report.source);
        preview.labelNames = qsList(data.labelNames());
        for (size_t c : data.countsPerClass()) preview.counts << qint64(c);
        preview.total = qint64(data.size());
        preview.duplicatesRemoved = qint64(report.duplicatesRemoved);
        preview.invalidUtf8Replaced = qint64(report.invalidUtf8Replaced);
        preview.skipped = qint64(report.skipped);
        preview.warnings = qsList(report.warnings);
        preview.notes = qsList(report.notes);
        preview.wordCounts.reserve(int(data.size()));
        for (size_t i = 0; i < data.size(); ++i) {
            if (i % 1000 == 0) m_cancel.throwIfCancelled();
            preview.wordCounts << wordCount(data.text(i));
            if (int(i) < previewRows) preview.rows << qMakePair(qs(data.text(i).substr(0, 400)), int(data.label(i)));
        }
        Q_EMIT datasetLoaded(preview);
    });
}

void ExperimentWorker::evaluateModel(const ExperimentConfig& config, const QString& modelDir) {
    runJob("evaluate", [&] {
        TrainRunCallbacks callbacks;
        callbacks.cancel = &m_cancel;
        callbacks.loading = forwardProgress();
        LoadedModel model = loadModelFolder(modelDir.toStdString());
        const Evaluator::DetailedReport report = evaluateOnTestSplit(model, config, callbacks);
        const ClassificationMetrics& m = report.metrics;
        EvaluationResult r;
        r.modelDir = modelDir;
        r.accuracy = m.accuracy;
        r.f1 = m.f1;
        r.loss = m.loss;
        for (const auto& c : report.perClass) r.labelNames << qs(c.name);
        for (const auto& row : m.confusionMatrix) {
            QVector<qint64> out;
            for (int64_t v : row) out << qint64(v);
            r.confusionMatrix << out;
        }
        Q_EMIT evaluated(r);
    });
}

void ExperimentWorker::predict(const QStringList& runIds, const QStringList& modelDirs, const QString& text) {
    runJob("predict", [&] {
        PredictionResult result;
        result.text = text;
        for (int i = 0; i < runIds.size() && i < modelDirs.size(); ++i) {
            m_cancel.throwIfCancelled();
            RunPrediction r;
            r.runId = runIds[i];
            try {
                // Loaded once, then reused: pressing Predict again costs the prediction only.
                const PredictionBatch batch =
                    predictTexts(m_models->get(modelDirs[i].toStdString()), {text.toStdString()});
                const TextPrediction& t = batch.texts.front();
                r.label = qs(t.label);
                for (const auto& n : t.labelNames) r.labelNames << qs(n);
                for (double p : t.probabilities) r.probabilities << p;
                r.milliseconds = batch.predictMs;
            } catch (const Cancelled&) {
                throw;
            } catch (const std::exception& e) {
                r.error = qs(e.what());
            }
            result.runs << r;
            WorkerProgress p;
            p.step = i + 1;
            p.total = runIds.size();
            p.message = tr("Predicting: %1").arg(runIds[i]);
            Q_EMIT progress(p);
        }
        Q_EMIT predicted(result);
    });
}

WorkerThread::WorkerThread(QObject* parent) : QObject(parent), m_worker(new ExperimentWorker) {
    registerWorkerTypes();
    m_thread.setObjectName("tpq-worker");
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ExperimentWorker::finished, this, [this](const JobOutcome&) {
        m_busy = false;
        Q_EMIT busyChanged(false);
    });
    m_thread.start();
}

WorkerThread::~WorkerThread() {
    m_thread.requestInterruption();
    m_worker->cancel();
    m_thread.quit();
    m_thread.wait();
}

bool WorkerThread::start(const std::function<void(ExperimentWorker*)>& job) {
    if (m_busy) return false;
    m_busy = true;
    m_worker->resetCancel();
    Q_EMIT busyChanged(true);
    ExperimentWorker* w = m_worker;
    QMetaObject::invokeMethod(
        w, [w, job] { job(w); }, Qt::QueuedConnection);
    return true;
}

void WorkerThread::cancel() {
    if (m_busy) m_worker->cancel();
}

void registerWorkerTypes() {
    static const bool once = [] {
        qRegisterMetaType<WorkerProgress>();
        qRegisterMetaType<TrainPoint>();
        qRegisterMetaType<VariantEvent>();
        qRegisterMetaType<DatasetPreview>();
        qRegisterMetaType<EvaluationResult>();
        qRegisterMetaType<JobOutcome>();
        qRegisterMetaType<PredictionResult>();
        return true;
    }();
    (void)once;
}

}  // namespace tpq::ui
