#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QEventLoop>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTextBrowser>
#include <QThread>
#include <QTime>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "experiment/project.h"
#include "experiment/results_store.h"
#include "export_model_dialog.h"
#include "io/model_info.h"
#include "new_experiment_wizard.h"
#include "panels/compare_panel.h"
#include "panels/dataset_panel.h"
#include "panels/model_panel.h"
#include "panels/predict_panel.h"
#include "panels/pruning_panel.h"
#include "panels/quantization_panel.h"
#include "panels/results_panel.h"
#include "project_watcher.h"
#include "text/word_vocab_tokenizer.h"
#include "translations.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"
#include "util/system_info.h"
#include "worker/log_bridge.h"

namespace tpq::ui {

namespace {

QString formatEta(double seconds) {
    if (seconds < 0) return {};
    const int s = int(seconds + 0.5);
    return s >= 3600
               ? QString("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'))
               : QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

/// Tokens in a model folder's word vocabulary (as the model was built with it); 0 when it
/// has none (or a WordPiece vocabulary, whose size the config fixes).
qint64 wordVocabularySize(const QString& modelDir) {
    const QString path = QDir(modelDir).filePath("vocab.txt");
    if (modelDir.isEmpty() || !QFileInfo(path).isFile()) return 0;
    try {
        return qint64(WordVocabTokenizer::fromFile(path.toStdString()).vocabSize());
    } catch (const std::exception&) {
        return 0;  // not a word vocabulary
    }
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    registerWorkerTypes();
    m_worker = new WorkerThread(this);
    m_watcher = new ProjectWatcher(this);
    connect(m_watcher, &ProjectWatcher::fileChanged, this, &MainWindow::onProjectFileChanged);
    connect(m_watcher, &ProjectWatcher::queueChanged, this, &MainWindow::refreshVariantStatus);
    m_dataset = new DatasetPanel;
    m_model = new ModelPanel;
    m_pruning = new PruningPanel;
    m_quantization = new QuantizationPanel;
    m_results = new ResultsPanel;
    m_predict = new PredictPanel;
    m_compare = new ComparePanel;
    m_predictWorker = new WorkerThread(this);
    m_stack = new QStackedWidget;
    m_nav = new QListWidget;
    m_nav->setObjectName("navigation");
    const QStringList names = {tr("Dataset"), tr("Model"),   tr("Pruning"), tr("Quantization"),
                               tr("Results"), tr("Predict"), tr("Compare")};
    const QList<QWidget*> panels = {m_dataset, m_model, m_pruning, m_quantization, m_results, m_predict, m_compare};
    for (int i = 0; i < panels.size(); ++i) {
        m_nav->addItem(names[i]);
        // In a scroll area: a panel never grows the window past the screen (1024x700 fits).
        auto* scroll = new QScrollArea;
        scroll->setWidget(panels[i]);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        m_stack->addWidget(scroll);
    }
    m_nav->setFixedWidth(150);
    QFont navFont = m_nav->font();
    navFont.setPointSize(navFont.pointSize() + 2);
    m_nav->setFont(navFont);
    m_nav->setSpacing(4);
    connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_workspace = new QWidget;
    auto* layout = new QHBoxLayout(m_workspace);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_nav);
    layout->addWidget(m_stack, 1);
    m_pages = new QStackedWidget;
    m_welcome = buildWelcome();
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(m_workspace);
    setCentralWidget(m_pages);

    m_log = new QPlainTextEdit;
    m_log->setObjectName("log");
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    auto* dock = new QDockWidget(tr("Log"), this);
    dock->setObjectName("logDock");
    dock->toggleViewAction()->setObjectName("showLog");
    dock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {150}, Qt::Vertical);
    connect(LogBridge::instance(), &LogBridge::line, this, [this](int level, const QString& text) {
        m_log->appendPlainText(text);
        if (level >= 2) statusBar()->showMessage(text, 8000);
    });

    buildMenus();
    buildStatusBar();
    connectWorker();

    connect(m_dataset, &DatasetPanel::edited, this, &MainWindow::markDirty);
    connect(m_model, &ModelPanel::edited, this, &MainWindow::markDirty);
    connect(m_pruning, &PruningPanel::edited, this, &MainWindow::markDirty);
    connect(m_quantization, &QuantizationPanel::edited, this, &MainWindow::markDirty);
    connect(m_dataset, &DatasetPanel::loadRequested, this, [this](const DatasetOptions& options) {
        if (!m_worker->start([options](ExperimentWorker* w) { w->loadDatasetPreview(options); })) return;
        m_status->setText(tr("Loading the dataset..."));
    });
    connect(m_model, &ModelPanel::trainRequested, this, [this] {
        VariantSpec baseline;
        baseline.method = Method::Baseline;
        runVariant(baseline);
    });
    connect(m_model, &ModelPanel::evaluateRequested, this, [this] {
        const QString dir = baselineModelDir();
        if (!m_project || dir.isEmpty()) {
            showError(tr("Nothing to evaluate"), tr("Train the baseline first (Model panel, Train)."));
            return;
        }
        const ExperimentConfig config = panelConfig();
        m_worker->start([config, dir](ExperimentWorker* w) { w->evaluateModel(config, dir); });
    });
    connect(m_pruning, &PruningPanel::runRequested, this, &MainWindow::runVariant);
    connect(m_quantization, &QuantizationPanel::runRequested, this, &MainWindow::runVariant);
    connect(m_results, &ResultsPanel::exportCsvRequested, this, &MainWindow::exportCsv);
    connect(m_results, &ResultsPanel::exportPngRequested, this, &MainWindow::exportPng);
    connect(m_results, &ResultsPanel::openModelFolderRequested, this, &MainWindow::openModelFolder);
    connect(m_results, &ResultsPanel::exportModelRequested, this, &MainWindow::exportRunModel);
    connect(m_results, &ResultsPanel::deleteRunRequested, this, &MainWindow::deleteRun);
    // Predictions on a thread of their own: they run while a training run goes on.
    connect(m_predict, &PredictPanel::predictRequested, this,
            [this](const QStringList& ids, const QStringList& dirs, const QString& text) {
                if (!m_predictWorker->start([ids, dirs, text](ExperimentWorker* w) { w->predict(ids, dirs, text); }))
                    return;
                m_predict->setBusy(true);
            });
    connect(m_predictWorker->worker(), &ExperimentWorker::predicted, m_predict, &PredictPanel::showResult);
    connect(m_predictWorker->worker(), &ExperimentWorker::finished, this, [this](const JobOutcome& outcome) {
        m_predict->setBusy(false);
        if (!outcome.ok && !outcome.cancelled) showError(tr("Cannot predict"), outcome.error);
        Q_EMIT predictionFinished(outcome);
    });

    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray())) resize(1280, 860);
    // Never larger than the screen it opens on (a size saved on a larger screen, or the
    // default on a 1024x700 one); the title bar's height is left free.
    if (const QScreen* screen = QGuiApplication::primaryScreen()) {
        const QRect free = screen->availableGeometry();
        if (width() > free.width() || height() > free.height() - 32) {
            resize(std::min(width(), free.width()), std::min(height(), free.height() - 32));
            move(free.topLeft());
        }
    }
    restoreState(settings.value("window/state").toByteArray());
    showPanel(0);
    updateTitle();
    updatePages();
    statusBar()->showMessage(tr("Ready: File > New Experiment, or open a project."));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New Experiment..."), QKeySequence::New, this, &MainWindow::newExperiment);
    file->addAction(tr("&Open..."), QKeySequence::Open, this, &MainWindow::openDialog);
    file->addAction(tr("Open Results &Folder..."), QKeySequence(tr("Ctrl+Shift+O")), this,
                    &MainWindow::openResultsFolder);
    m_recent = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    m_saveAction = file->addAction(tr("&Save"), QKeySequence::Save, this, [this] { save(); });
    // Spelled out: QKeySequence::SaveAs and ::Quit are empty on some desktops.
    m_saveAsAction = file->addAction(tr("Save &As..."), QKeySequence(tr("Ctrl+Shift+S")), this, [this] { saveAs(); });
    file->addAction(tr("&Close Project"), QKeySequence(tr("Ctrl+W")), this, [this] { closeProject(); });
    file->addSeparator();
    file->addAction(tr("Export Results &CSV..."), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportCsv);
    file->addAction(tr("Export Plots &PNG..."), QKeySequence(tr("Ctrl+Shift+E")), this, &MainWindow::exportAllPlots);
    file->addAction(tr("Export &Model..."), this, [this] { exportRunModel(m_results->currentRunId()); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence(tr("Ctrl+Q")), this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    m_startAction = run->addAction(tr("&Start"), QKeySequence(tr("F5")), this, [this] { startRun(); });
    m_cancelAction = run->addAction(tr("&Cancel"), QKeySequence(tr("Shift+F5")), this, &MainWindow::cancelRun);
    m_cancelAction->setEnabled(false);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_nav->count(); ++i)
        view->addAction(m_nav->item(i)->text(), QKeySequence(QString("Ctrl+%1").arg(i + 1)), this,
                        [this, i] { showPanel(i); });
    view->addSeparator();
    if (auto* dock = findChild<QDockWidget*>("logDock")) {
        QAction* log = dock->toggleViewAction();  // brings a closed Log dock back
        log->setText(tr("&Log"));
        log->setShortcut(QKeySequence(tr("Ctrl+L")));
        view->addAction(log);
    }
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User Guide"), QKeySequence(tr("F1")), this, &MainWindow::userGuide);
    help->addAction(tr("&About TPQ Studio"), this, &MainWindow::about);
    rebuildRecentMenu();
}

void MainWindow::buildStatusBar() {
    m_status = new QLabel;
    // Long progress messages are cut, never widen the window.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setMinimumWidth(120);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(260);
    m_progress->setVisible(false);
    m_eta = new QLabel;
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName("cancel");
    m_cancel->setVisible(false);
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelRun);
    statusBar()->addPermanentWidget(m_status);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_eta);
    statusBar()->addPermanentWidget(m_cancel);
}

void MainWindow::connectWorker() {
    ExperimentWorker* w = m_worker->worker();
    connect(m_worker, &WorkerThread::busyChanged, this, &MainWindow::setBusy);
    connect(w, &ExperimentWorker::progress, this, [this](const WorkerProgress& p) {
        m_status->setText(p.message);
        m_progress->setRange(0, p.total > 0 ? 1000 : 0);
        if (p.total > 0) m_progress->setValue(int(1000 * p.step / p.total));
        m_progress->setFormat(p.total > 0 ? QString("%1/%2").arg(p.step).arg(p.total) : QString());
        m_eta->setText(p.etaSeconds >= 0 ? tr("ETA %1").arg(formatEta(p.etaSeconds)) : QString());
    });
    connect(w, &ExperimentWorker::trainingStep, this, [this](const TrainPoint& p) {
        if (p.step <= 1 && !p.epochEnd && m_model->lossPoints() > 0) m_model->clearCurves();
        m_model->addTrainPoint(p);
        m_progress->setRange(0, 1000);
        m_progress->setValue(p.totalSteps > 0 ? int(1000 * p.step / p.totalSteps) : 0);
        m_progress->setFormat(QString("%1/%2").arg(p.step).arg(p.totalSteps));
        m_status->setText(tr("Training: epoch %1/%2, loss %3").arg(p.epoch).arg(p.epochs).arg(p.meanLoss, 0, 'f', 4));
        m_eta->setText(p.etaSeconds >= 0 ? tr("ETA %1").arg(formatEta(p.etaSeconds)) : QString());
    });
    connect(w, &ExperimentWorker::variantChanged, this, [this](const VariantEvent& e) {
        if (e.state == VariantState::Running || e.state == VariantState::Resuming) {
            statusBar()->showMessage(tr("[%1/%2] %3: running").arg(e.index).arg(e.total).arg(e.variant));
        } else if (e.state == VariantState::Finished) {
            statusBar()->showMessage(
                tr("[%1/%2] %3: done in %4 s").arg(e.index).arg(e.total).arg(e.variant).arg(e.seconds, 0, 'f', 0));
            refreshProjectFromDisk();
            reloadResults();
        } else if (e.state == VariantState::Skipped) {
            m_log->appendPlainText(tr("[%1/%2] %3: finished before, skipped").arg(e.index).arg(e.total).arg(e.variant));
        }
    });
    connect(w, &ExperimentWorker::datasetLoaded, m_dataset, &DatasetPanel::showPreview);
    connect(w, &ExperimentWorker::evaluated, m_model, &ModelPanel::showEvaluation);
    connect(w, &ExperimentWorker::finished, this, &MainWindow::onFinished);
}

void MainWindow::setBusy(bool busy) {
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_cancel->setEnabled(true);
    m_cancelAction->setEnabled(busy);
    m_startAction->setEnabled(!busy);
    // The worker records runs in the project file while it runs: no saving meanwhile.
    m_saveAction->setEnabled(!busy);
    m_saveAsAction->setEnabled(!busy);
    m_dataset->setBusy(busy);
    m_model->setBusy(busy);
    m_pruning->setBusy(busy);
    m_quantization->setBusy(busy);
    m_results->setCanDelete(m_project && !busy);
    if (!busy) {
        m_eta->clear();
        m_status->clear();
    }
}

bool MainWindow::isBusy() const {
    return m_worker->isBusy();
}

void MainWindow::refreshProjectFromDisk() {
    if (!m_project) return;
    try {
        // The worker recorded runs in the file: take them; the panels keep their edits
        // (they are applied on Save).
        *m_project = Project::load(m_project->path());
    } catch (const std::exception& e) {
        showError(tr("Cannot reload the project"), QString::fromStdString(e.what()));
    }
}

ExperimentConfig MainWindow::panelConfig() const {
    ExperimentConfig config = m_project->config();
    m_dataset->applyTo(config);
    m_model->applyTo(config);
    m_pruning->applyTo(config);
    m_quantization->applyTo(config);
    return config;
}

void MainWindow::onFinished(const JobOutcome& outcome) {
    if (outcome.job == "project") {
        refreshProjectFromDisk();
        reloadResults();
    }
    if (outcome.cancelled) {
        statusBar()->showMessage(
            tr("Cancelled after %1 s; what finished before is kept.").arg(outcome.seconds, 0, 'f', 1));
    } else if (!outcome.ok) {
        if (outcome.job == "dataset") m_dataset->showError(outcome.error);
        showError(outcome.job == "dataset" ? tr("Cannot load the dataset") : tr("The run failed"), outcome.error);
    } else {
        statusBar()->showMessage(tr("Done in %1 s.").arg(outcome.seconds, 0, 'f', 1));
    }
    // A long run that ends while the window is in the background: the desktop says so.
    if (outcome.job == "project" && outcome.seconds > 20 && !isActiveWindow()) QApplication::alert(this);
    Q_EMIT jobFinished(outcome);
}

void MainWindow::showPanel(int index) {
    m_nav->setCurrentRow(index);
}

bool MainWindow::welcomeShown() const {
    return m_pages->currentWidget() == m_welcome;
}

void MainWindow::updatePages() {
    const bool open = m_project || !m_resultsDir.isEmpty();
    m_pages->setCurrentWidget(open ? m_workspace : m_welcome);
    if (!open) refreshWelcome();
    m_startAction->setEnabled(m_project && !isBusy());
}

QWidget* MainWindow::buildWelcome() {
    auto* page = new QWidget;
    page->setObjectName("welcome");
    auto* title =
        new QLabel(tr("<h1>TPQ Studio</h1><p>Prune and quantize Transformer text classifiers, and compare "
                      "every variant: accuracy, F1, size, latency.</p>"));
    title->setWordWrap(true);
    auto* newButton = new QPushButton(tr("New Experiment..."));
    newButton->setObjectName("welcomeNew");
    newButton->setToolTip(tr("A wizard: dataset, tokenizer, model, the variants to compare (Ctrl+N)"));
    auto* openButton = new QPushButton(tr("Open Project..."));
    openButton->setObjectName("welcomeOpen");
    auto* demoButton = new QPushButton(tr("Open the Demo"));
    demoButton->setObjectName("welcomeDemo");
    demoButton->setToolTip(
        tr("The quickstart bert-mini on the SpamAssassin corpus and four compressed variants; "
           "Run > Start runs what has not run yet"));
    for (QPushButton* b : {newButton, openButton, demoButton}) b->setMinimumHeight(36);
    m_welcomeRecent = new QListWidget;
    m_welcomeRecent->setObjectName("welcomeRecent");
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(newButton);
    buttons->addWidget(openButton);
    buttons->addWidget(demoButton);
    buttons->addStretch();
    auto* recent = new QVBoxLayout;
    recent->addWidget(new QLabel(tr("<b>Open Recent</b> (double-click)")));
    recent->addWidget(m_welcomeRecent, 1);
    auto* row = new QHBoxLayout;
    row->addLayout(buttons, 1);
    row->addLayout(recent, 2);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(40, 30, 40, 30);
    layout->addWidget(title);
    layout->addLayout(row, 1);
    connect(newButton, &QPushButton::clicked, this, &MainWindow::newExperiment);
    connect(openButton, &QPushButton::clicked, this, &MainWindow::openDialog);
    connect(demoButton, &QPushButton::clicked, this, &MainWindow::openDemo);
    connect(m_welcomeRecent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { openPath(item->data(Qt::UserRole).toString()); });
    return page;
}

void MainWindow::refreshWelcome() {
    m_welcomeRecent->clear();
    const QStringList recent = QSettings().value("recent").toStringList();
    for (const QString& path : recent) {
        QString line = path;
        if (path.endsWith(".tpq.yaml")) {
            try {
                const Project p = Project::load(path.toStdString());
                int finished = 0;
                double best = -1;
                for (const auto& r : p.runs()) {
                    if (r.status != RunStatus::Finished) continue;
                    ++finished;
                    for (const auto& dir : r.resultDirs) {
                        try {
                            best =
                                std::max(best, ResultsStore::readRun(p.absolute(dir) + "/result.json").test.accuracy);
                        } catch (const std::exception&) {
                        }
                    }
                }
                line = QString::fromStdString(p.name()) + "  —  " + path + "\n    " +
                       tr("%n finished run(s)", "", finished) +
                       (best >= 0 ? tr(", best accuracy %1%").arg(100 * best, 0, 'f', 2) : QString());
            } catch (const std::exception& e) {
                line = path + "\n    " +
                       tr("cannot be opened: %1").arg(QString::fromStdString(e.what()).section('\n', 0, 0));
            }
        } else {
            line = path + "\n    " + tr("results folder");
        }
        auto* item = new QListWidgetItem(line);
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
        m_welcomeRecent->addItem(item);
    }
    if (recent.isEmpty()) {
        auto* item = new QListWidgetItem(tr("No recent projects yet."));
        item->setFlags(Qt::NoItemFlags);
        m_welcomeRecent->addItem(item);
    }
}

bool MainWindow::openDemo() {
    const QDir source(QStringLiteral(TPQ_SOURCE_DIR));
    const QString project = source.filePath("results/demo.tpq.yaml");
    if (!QFileInfo::exists(project)) {
        const QString packaged = source.filePath("configs/demo.tpq.yaml");
        if (!QDir().mkpath(source.filePath("results")) || !QFile::copy(packaged, project)) {
            showError(tr("Cannot open the demo"),
                      tr("Cannot copy %1 to %2: check that the folder is writable.").arg(packaged, project));
            return false;
        }
    }
    return openPath(project);
}

void MainWindow::userGuide() {
    // The README's desktop-app section, as the README shows it.
    const QString readme = QDir(QStringLiteral(TPQ_SOURCE_DIR)).filePath("README.md");
    QString text;
    try {
        const QString all = QString::fromStdString(readFile(readme.toStdString()));
        const int start = int(all.indexOf("## The desktop app"));
        const int end = start < 0 ? -1 : int(all.indexOf("\n## ", start + 3));
        text = start < 0 ? all : all.mid(start, end < 0 ? -1 : end - start);
    } catch (const std::exception& e) {
        showError(tr("No user guide"), QString::fromStdString(e.what()));
        return;
    }
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("TPQ Studio User Guide"));
    auto* browser = new QTextBrowser;
    browser->setObjectName("userGuide");
    browser->setSearchPaths({QFileInfo(readme).absolutePath()});
    browser->setOpenExternalLinks(true);
    browser->setMarkdown(text);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(browser);
    dialog->resize(900, 650);
    dialog->show();
}

void MainWindow::markDirty() {
    if (!m_project || m_dirty) return;
    m_dirty = true;
    updateTitle();
}

void MainWindow::updateTitle() {
    QString title = tr("TPQ Studio");
    if (m_project)
        title += " - " + QFileInfo(QString::fromStdString(m_project->path())).fileName() + (m_dirty ? "*" : "");
    else if (!m_resultsDir.isEmpty())
        title += " - " + m_resultsDir;
    setWindowTitle(title);
}

QString MainWindow::baselineModelDir() const {
    if (!m_project) return {};
    if (!m_project->baseModel().empty()) return QString::fromStdString(m_project->baseModel());
    VariantSpec baseline;
    baseline.method = Method::Baseline;
    const ProjectRun* run = m_project->findRun(baseline.key());
    if (!run || run->status != RunStatus::Finished || run->modelDirs.empty()) return {};
    return QString::fromStdString(m_project->absolute(run->modelDirs.front()));
}

void MainWindow::resetPanels() {
    m_results->clear(m_project ? QString() : tr("Open a results folder or a project (File menu) to compare its runs."));
    m_pruning->setRuns({});
    m_quantization->setRuns({});
    m_quantization->setModelDir({});
    m_compare->setRuns({});
    m_predict->setRuns({}, {});
    m_model->setVocabularySize(0);
    m_model->clearEvaluation();
    if (!isBusy()) m_model->clearCurves();
    m_dataset->clearPreview();
}

void MainWindow::reloadResults() {
    try {
        if (m_resultsDir.isEmpty() || !QFileInfo(m_resultsDir).isDir()) {
            m_results->clear();  // nothing has run yet
        } else if (m_project) {
            // The project's own runs only: another project may share the folder.
            QStringList own, stale;
            for (const auto& r : m_project->runs())
                for (const auto& id : r.runIds) own << QString::fromStdString(id);
            for (const auto& id : m_project->staleRunIds()) stale << QString::fromStdString(id);
            const QStringList warnings = m_results->loadResults(m_resultsDir, &own, stale);
            for (const auto& w : warnings) m_log->appendPlainText(w);
        } else {
            const QStringList warnings = m_results->loadResults(m_resultsDir);
            for (const auto& w : warnings) m_log->appendPlainText(w);
        }
    } catch (const std::exception& e) {
        m_log->appendPlainText(QString::fromStdString(e.what()));
        m_results->clear(QString::fromStdString(e.what()));
    }
    const auto& runs = m_results->runs();
    m_pruning->setRuns(runs);
    m_quantization->setRuns(runs);
    m_quantization->setModelDir(baselineModelDir());
    m_compare->setRuns(runs);
    {
        // Every shown run with a model folder can answer in the Predict view.
        QStringList ids, dirs;
        const std::map<std::string, QString> projectDirs = projectModelDirs();
        for (const auto& r : runs) {
            const QString dir = runModelDir(r, projectDirs);
            if (dir.isEmpty() || !QFileInfo(dir).isDir()) continue;
            ids << QString::fromStdString(r.runId);
            dirs << dir;
        }
        m_predict->setRuns(ids, dirs);
    }
    m_model->setVocabularySize(wordVocabularySize(baselineModelDir()));
    if (!isBusy()) {
        const bool drawn = std::any_of(runs.begin(), runs.end(), [](const RunResult& r) {
            return r.method == Method::Baseline && !r.history.empty();
        });
        if (!drawn) m_model->clearCurves();
        for (const auto& r : runs) {
            if (r.method != Method::Baseline || r.history.empty()) continue;
            QVector<QPair<qint64, double>> steps;
            QVector<double> train, val;
            QVector<qint64> ends;
            for (const auto& [step, loss] : r.history.stepLoss) steps << qMakePair(qint64(step), loss);
            for (size_t e = 0; e < r.history.epochs.size(); ++e) {
                train << r.history.epochs[e].trainAccuracy;
                val << r.history.epochs[e].valAccuracy;
                ends << qint64(r.history.epochEndStep(e));
            }
            m_model->showHistory(steps, train, val, ends);
            break;
        }
    }
    refreshVariantStatus();
}

void MainWindow::refreshVariantStatus() {
    if (!m_project) {
        m_results->setVariantStatus({});
        return;
    }
    const std::vector<VariantStatus> states = projectStatus(*m_project, m_watcher->queue());
    m_results->setVariantStatus(states);
    // squeue again every few seconds while the cluster has work of this project: a job that
    // dies (scancel, time limit) changes no file.
    m_watcher->setPolling(std::any_of(states.begin(), states.end(), [](const VariantStatus& v) {
        return (v.state == "running" || v.state == "queued") && startsWith(v.job, "slurm ");
    }));
}

void MainWindow::watchProject() {
    if (!m_project) return m_watcher->watch(QString());
    m_watcher->watch(QString::fromStdString(m_project->path()), QString::fromStdString(m_project->stateFolder()));
}

void MainWindow::onProjectFileChanged() {
    if (!m_project) return;
    try {
        m_project->reloadRuns();  // what other tpq processes recorded; unsaved edits stay
    } catch (const std::exception& e) {
        m_log->appendPlainText(tr("Cannot re-read the project's runs: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    reloadResults();
}

bool MainWindow::openPath(const QString& path) {
    if (!requireIdle(tr("Cancel it (Run > Cancel) before opening another project."))) return false;
    if (!maybeSave()) return false;
    try {
        QString resultsDir = path;
        std::unique_ptr<Project> project;
        if (path.endsWith(".tpq.yaml")) {
            project = std::make_unique<Project>(Project::load(path.toStdString()));
            resultsDir = QString::fromStdString(project->config().output.resultsDir);
        } else if (!QFileInfo::exists(path)) {
            throw Error(tr("%1 does not exist: choose a project file (*.tpq.yaml) or a results folder")
                            .arg(path)
                            .toStdString());
        } else if (!QFileInfo(path).isDir()) {
            throw Error(tr("%1 is neither a project file (*.tpq.yaml) nor a results folder").arg(path).toStdString());
        } else {
            m_results->loadResults(path);  // throws for an unreadable folder before anything changes
        }
        m_project = std::move(project);
        watchProject();
        m_resultsDir = resultsDir;
        m_dirty = false;
        resetPanels();  // nothing of the project open before stays
        if (m_project) setPanelsConfig(m_project->config());
        // The log keeps earlier projects' lines: a rule says where this one's begin.
        if (!m_log->document()->isEmpty())
            m_log->appendPlainText(QString(12, QChar(0x2500)) + " " + tr("Opened %1").arg(path) + " " +
                                   QString(12, QChar(0x2500)));
        reloadResults();
        if (!m_project) showRunConfig();
        m_dirty = false;
        rememberRecent(QFileInfo(path).absoluteFilePath());
        updateTitle();
        updatePages();
        statusBar()->showMessage(tr("Opened %1: %n run(s)", "", int(m_results->runs().size())).arg(path));
        if (!m_project) showPanel(4);
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot open %1").arg(path), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::newExperiment() {
    if (!requireIdle(tr("Cancel it (Run > Cancel) before starting a new experiment."))) return;
    if (!maybeSave()) return;  // before the wizard writes anything
    NewExperimentWizard wizard(this);
    if (wizard.exec() != QDialog::Accepted) return;
    try {
        const QString path = wizard.createProject();
        if (openPath(path) && wizard.startNow()) {
            showPanel(1);
            startRun();
        }
    } catch (const std::exception& e) {
        showError(tr("Cannot create the project"), QString::fromStdString(e.what()));
    }
}

bool MainWindow::startRun(const QStringList& only) {
    if (!requireProject(tr("No project"))) return false;
    if (isBusy()) return false;
    if (m_dirty && !save()) return false;
    const QString path = QString::fromStdString(m_project->path());
    return m_worker->start([path, only](ExperimentWorker* w) { w->runProject(path, only); });
}

void MainWindow::runVariant(const VariantSpec& variant) {
    if (!requireProject(tr("No project"))) return;
    if (isBusy()) return;
    const ProjectRun* done = m_project->findRun(variant.key());
    if (done && done->status == RunStatus::Finished) {
        const QString ids = QString::fromStdString(done->runIds.empty() ? std::string() : done->runIds.front());
        if (QMessageBox::question(this, tr("Run again?"),
                                  tr("%1 has finished before (%2). Run it again with the current settings?")
                                      .arg(QString::fromStdString(variant.key()), ids)) != QMessageBox::Yes)
            return;
        m_project->forgetRun(variant.key());
        m_dirty = true;
    }
    if (m_project->addVariant(variant)) m_dirty = true;
    if (startRun({QString::fromStdString(variant.key())})) {
        statusBar()->showMessage(tr("Running %1").arg(QString::fromStdString(variant.key())));
    }
}

void MainWindow::cancelRun() {
    if (!isBusy()) return;
    m_cancel->setEnabled(false);
    m_status->setText(tr("Cancelling..."));
    m_worker->cancel();
}

bool MainWindow::save() {
    if (!requireProject(tr("Nothing to save")) || !requireIdle(tr("Save when it has finished, or cancel it first.")))
        return false;
    try {
        m_project->setConfig(panelConfig());
        m_project->save();
        m_dirty = false;
        updateTitle();
        statusBar()->showMessage(tr("Saved %1").arg(QString::fromStdString(m_project->path())));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot save the project"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::saveAs(const QString& chosen) {
    if (!requireProject(tr("Nothing to save")) || !requireIdle(tr("Save when it has finished, or cancel it first.")))
        return false;
    QString path = chosen;
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Save Project As"), QString::fromStdString(m_project->path()),
                                            tr("TPQ Studio projects (*.tpq.yaml)"));
    if (path.isEmpty()) return false;
    if (!path.endsWith(".tpq.yaml")) {
        path += ".tpq.yaml";  // the dialog checked the name without it
        if (QFileInfo::exists(path) &&
            QMessageBox::question(this, tr("Replace file?"), tr("%1 exists. Replace it?").arg(path)) !=
                QMessageBox::Yes)
            return false;
    }
    try {
        // On a copy: the open project changes only once the new file is written, and the
        // original file keeps what it had.
        Project copy = *m_project;
        copy.setConfig(panelConfig());
        copy.saveAs(path.toStdString());
        *m_project = copy;
        watchProject();
        m_dirty = false;
        rememberRecent(QFileInfo(path).absoluteFilePath());
        updateTitle();
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot save the project"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::closeProject() {
    if (!requireIdle(tr("Cancel it (Run > Cancel) before closing the project."))) return false;
    if (!maybeSave()) return false;
    m_project.reset();
    watchProject();
    refreshVariantStatus();
    m_resultsDir.clear();
    m_dirty = false;
    setPanelsConfig(ExperimentConfig());
    resetPanels();
    updateTitle();
    updatePages();
    statusBar()->showMessage(tr("Project closed."));
    return true;
}

std::map<std::string, QString> MainWindow::projectModelDirs() const {
    std::map<std::string, QString> dirs;
    if (!m_project) return dirs;
    for (const auto& pr : m_project->runs())
        for (size_t i = 0; i < pr.runIds.size() && i < pr.modelDirs.size(); ++i)
            dirs[pr.runIds[i]] = QString::fromStdString(m_project->absolute(pr.modelDirs[i]));
    return dirs;
}

QString MainWindow::runModelDir(const RunResult& r, const std::map<std::string, QString>& projectDirs) const {
    if (m_project) {
        const auto it = projectDirs.find(r.runId);
        return it == projectDirs.end() ? QString() : it->second;
    }
    // A results folder: model_dir as the run wrote it, relative to the folder the run was
    // started in (normally the one holding results/), else to the current folder.
    const QString dir = QString::fromStdString(r.modelDir);
    if (dir.isEmpty() || !QFileInfo(dir).isRelative()) return dir;
    const QString beside = QDir(m_resultsDir).filePath("../" + dir);
    return QFileInfo(QFileInfo::exists(beside) ? beside : dir).absoluteFilePath();
}

void MainWindow::setPanelsConfig(const ExperimentConfig& config) {
    m_dataset->setConfig(config);
    m_model->setConfig(config);
    m_pruning->setConfig(config);
    m_quantization->setConfig(config);
}

void MainWindow::showRunConfig() {
    // A results folder has no project: show how its baseline was trained, not defaults.
    for (const auto& r : m_results->runs()) {
        if (r.method != Method::Baseline) continue;
        const QString dir = runModelDir(r, {});
        try {
            const std::string yaml = ModelInfo::read(dir.toStdString()).trainingConfig;
            if (yaml.empty()) continue;
            setPanelsConfig(ExperimentConfig::parse(yaml, dir.toStdString() + "/tpq.json"));
            m_model->setVocabularySize(wordVocabularySize(dir));
            return;
        } catch (const std::exception& e) {
            m_log->appendPlainText(
                tr("Cannot read the training settings of %1: %2").arg(dir, QString::fromStdString(e.what())));
        }
    }
}

bool MainWindow::maybeSave() {
    if (!m_dirty || !m_project) return true;
    const auto answer =
        QMessageBox::warning(this, tr("Unsaved changes"), tr("The project has unsaved changes. Save them?"),
                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Save) return save();
    m_dirty = false;
    return true;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (isBusy()) {
        const auto answer = QMessageBox::question(this, tr("A run is in progress"),
                                                  tr("Cancel the run and quit? Finished variants are kept; the "
                                                     "interrupted one runs again when you start the project."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        // Wait for the worker to stop (and the project to be re-read) before saving.
        m_worker->cancel();
        QEventLoop wait;
        connect(m_worker, &WorkerThread::busyChanged, &wait, [&wait](bool busy) {
            if (!busy) wait.quit();
        });
        QTimer::singleShot(60000, &wait, &QEventLoop::quit);
        if (isBusy()) wait.exec();
        QCoreApplication::processEvents();  // the job's finished() handler
    }
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    event->accept();
}

bool MainWindow::requireProject(const QString& title) {
    if (m_project) return true;
    showError(title, tr("Create one (File > New Experiment) or open a project file first."));
    return false;
}

QString MainWindow::modelFolderOf(const QString& runId) const {
    const std::map<std::string, QString> projectDirs = projectModelDirs();
    for (const auto& r : m_results->runs())
        if (QString::fromStdString(r.runId) == runId) return runModelDir(r, projectDirs);
    return {};
}

bool MainWindow::openModelFolder(const QString& runId) {
    const QString dir = modelFolderOf(runId);
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) {
        showError(tr("No model folder"), dir.isEmpty() ? tr("Run %1 recorded no model folder.").arg(runId)
                                                       : tr("The model folder of run %1 is gone: %2").arg(runId, dir));
        return false;
    }
    statusBar()->showMessage(dir);
    m_log->appendPlainText(tr("Model folder of %1: %2").arg(runId, dir));
    // Without a file manager (a bare X server) the path in the status bar and log remains.
    if (qEnvironmentVariable("QT_QPA_PLATFORM") != "offscreen") QDesktopServices::openUrl(QUrl::fromLocalFile(dir));
    return true;
}

bool MainWindow::deleteRun(const QString& runId) {
    if (!requireProject(tr("Delete Run")) ||
        !requireIdle(tr("Wait for the run to finish (or cancel it) before deleting one.")))
        return false;
    if (m_predictWorker->isBusy()) {
        showError(tr("A prediction is in progress"), tr("Wait for the prediction to finish before deleting a run."));
        return false;
    }
    const ProjectRun* run = m_project->findRunById(runId.toStdString());
    if (!run) {
        showError(tr("Delete Run"), tr("Run %1 is not one of this project's runs.").arg(runId));
        return false;
    }
    const ProjectRun record = *run;
    const std::vector<std::string> folders = m_project->ownedFolders(record);
    QStringList ids, paths;
    for (const auto& id : record.runIds) ids << QString::fromStdString(id);
    for (const auto& f : folders) paths << QString::fromStdString(f);
    QString variant = QString::fromStdString(record.variant);
    for (const auto& v : m_project->variants())
        if (v.key() == record.variant) variant = describeVariant(v);
    QString text = tr("Delete the run of variant \"%1\" (%2)?").arg(variant, ids.join(", "));
    text += "\n\n" +
            (paths.isEmpty()
                 ? tr("No folder of it lies in the project's results or checkpoints; nothing is deleted from disk.")
                 : tr("These folders are deleted:") + "\n" + paths.join("\n"));
    if (record.variant == VariantSpec().key())  // the baseline variant
        text +=
            "\n\n" + tr("This is the baseline: Run > Start trains it again, and the variants made from it run again.");
    else
        text += "\n\n" + tr("Run > Start runs the variant again.");
    if (QMessageBox::question(this, tr("Delete Run"), text, QMessageBox::Yes | QMessageBox::Cancel,
                              QMessageBox::Cancel) != QMessageBox::Yes)
        return false;
    try {
        // The project file first: it never names a folder that is gone. The panels' unsaved
        // edits stay unsaved (Save writes them).
        m_project->forgetRun(record.variant);
        m_project->save();
    } catch (const std::exception& e) {
        showError(tr("Cannot save the project"), QString::fromStdString(e.what()));
        refreshProjectFromDisk();
        return false;
    }
    QStringList failed;
    for (const QString& p : paths)
        if (QFileInfo::exists(p) && !QDir(p).removeRecursively()) failed << p;
    reloadResults();
    if (!failed.isEmpty()) {
        showError(tr("Some folders were not deleted"),
                  tr("The run is gone from the project, but these folders could not be deleted (check permissions):") +
                      "\n" + failed.join("\n"));
        return false;
    }
    statusBar()->showMessage(tr("Deleted %1.").arg(ids.join(", ")));
    return true;
}

bool MainWindow::requireIdle(const QString& whatToDo) {
    if (!isBusy()) return true;
    showError(tr("A run is in progress"), whatToDo);
    return false;
}

void MainWindow::showError(const QString& title, const QString& message) {
    statusBar()->showMessage(title);
    m_log->appendPlainText(title + ": " + message);
    QMessageBox::critical(this, title, message);
}

void MainWindow::openDialog() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Project"), {}, tr("TPQ Studio projects (*.tpq.yaml)"));
    if (!path.isEmpty()) openPath(path);
}

void MainWindow::openResultsFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Results Folder"), "results");
    if (!dir.isEmpty()) openPath(dir);
}

bool MainWindow::exportRunModel(const QString& runId) {
    if (runId.isEmpty()) {
        showError(tr("Export Model"), tr("Select a run in the Results table first: its model is the one exported."));
        return false;
    }
    const QString start = m_resultsDir.isEmpty() ? QDir::currentPath() : QDir(m_resultsDir).filePath("export");
    ExportModelDialog dialog(runId, start, this);
    if (dialog.exec() != QDialog::Accepted) return false;
    return exportRunModelTo(runId, dialog.options());
}

bool MainWindow::exportRunModelTo(const QString& runId, ExportOptions options) {
    const QString dir = modelFolderOf(runId);
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) {
        showError(tr("No model folder"), dir.isEmpty() ? tr("Run %1 recorded no model folder.").arg(runId)
                                                       : tr("The model folder of run %1 is gone: %2").arg(runId, dir));
        return false;
    }
    const QString output = QString::fromStdString(options.output);
    if (!options.force && QFileInfo::exists(output)) {
        if (QMessageBox::question(this, tr("Replace?"), tr("%1 exists. Replace it?").arg(output)) != QMessageBox::Yes)
            return false;
        options.force = true;
    }
    QDir().mkpath(QFileInfo(output).absolutePath());
    // A bert-base export writes 440 MB: off the GUI thread, behind a busy dialog.
    ExportReport report;
    std::string failure;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        try {
            report = tpq::exportModel(dir.toStdString(), options);
        } catch (const std::exception& e) {
            failure = e.what();
        }
    }));
    QProgressDialog busy(tr("Exporting %1 as %2...").arg(runId, exportFormatName(options.format)), QString(), 0, 0,
                         this);
    busy.setWindowModality(Qt::WindowModal);
    busy.setMinimumDuration(300);
    QEventLoop loop;
    connect(thread.get(), &QThread::finished, &loop, &QEventLoop::quit);
    thread->start();
    loop.exec();
    thread->wait();
    busy.reset();
    if (!failure.empty()) {
        showError(tr("Export failed"), QString::fromStdString(failure));
        return false;
    }
    m_log->appendPlainText(tr("Exported %1 as %2: %3").arg(runId, exportFormatName(options.format), output));
    for (const auto& note : report.notes) m_log->appendPlainText("  " + QString::fromStdString(note));
    m_log->appendPlainText("  export.json: " + QString::fromStdString(report.exportJson));
    statusBar()->showMessage(tr("Exported %1 to %2").arg(runId, output));
    return true;
}

void MainWindow::exportTo(const QString& title, const QString& defaultName, const QString& filter,
                          const std::function<void(const QString&)>& write) {
    // Next to the results by default, not wherever the app was started.
    const QString start = m_resultsDir.isEmpty() ? defaultName : QDir(m_resultsDir).filePath(defaultName);
    const QString path = QFileDialog::getSaveFileName(this, title, start, filter);
    if (path.isEmpty()) return;
    try {
        write(path);
        statusBar()->showMessage(tr("Wrote %1").arg(path));
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportCsv() {
    exportTo(tr("Export Results CSV"), "comparison.csv", tr("CSV files (*.csv)"),
             [this](const QString& path) { m_results->exportCsv(path); });
}

void MainWindow::exportPng() {
    exportTo(tr("Export Plot PNG"), "plot.png", tr("PNG images (*.png)"),
             [this](const QString& path) { m_results->exportCurrentChart(path); });
}

void MainWindow::exportAllPlots() {
    if (m_results->runs().empty()) {
        showError(tr("Nothing to export"), tr("Open a project or a results folder with finished runs first."));
        return;
    }
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export Plots PNG into Folder"), m_resultsDir);
    if (dir.isEmpty()) return;
    try {
        const int n = m_results->exportAllCharts(dir);
        statusBar()->showMessage(tr("Wrote %n plot(s) to %1", "", n).arg(dir));
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void MainWindow::about() {
    const SystemInfo info = collectSystemInfo();
    QStringList versions;
    for (const auto& [name, version] : info.libraries)
        versions << QString::fromStdString(name + " " + version).toHtmlEscaped();
    QMessageBox::about(this, tr("About TPQ Studio"),
                       tr("<b>TPQ Studio</b> %1<br>Pruning and quantization workbench for Transformer text "
                          "classifiers.<br><br>Qt %2; %3<br>BLAS: %4<br>Threads: %5 of %6 cores")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                                versions.join(", "), QString::fromStdString(info.blasLibrary))
                           .arg(info.torchThreads)
                           .arg(info.hardwareThreads));
}

void MainWindow::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 8) recent.removeLast();
    settings.setValue("recent", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    m_recent->clear();
    const QStringList recent = QSettings().value("recent").toStringList();
    for (const QString& path : recent) m_recent->addAction(path, this, [this, path] { openPath(path); });
    m_recent->setEnabled(!recent.isEmpty());
}

}  // namespace tpq::ui
