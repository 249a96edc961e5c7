// Issue 16's numbered bugs, each as an offscreen test of tpq-studio: a project shows its
// own numbers only (stale panels, shared result folders, variants made from an older
// baseline, cancelled runs), the window fits 1024x700, readable heatmaps and charts,
// every README shortcut bound, Qt's own buttons in Chinese, the wizard checks columns
// against the file, and the smaller ones (placeholder, parameter estimate with the word
// tokenizer, the model form without a project, scroll position, confusion matrix cells,
// int4+int8 label, View > Log, raw numbers in the CSV export).

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>
#include <QWizard>
// qcustomplot.h uses Qt's keywords, which the tests switch off.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach

#include <nlohmann/json.hpp>

#include "experiment/experiment_runner.h"
#include "experiment/predict.h"
#include "experiment/project.h"
#include "export_model_dialog.h"
#include "main_window.h"
#include "models/architecture_estimate.h"
#include "new_experiment_wizard.h"
#include "panels/compare_panel.h"
#include "panels/dataset_panel.h"
#include "panels/model_panel.h"
#include "panels/predict_panel.h"
#include "panels/pruning_panel.h"
#include "panels/quantization_panel.h"
#include "panels/results_panel.h"
#include "plots/comparison_plots.h"
#include "plots/panel_plots.h"
#include "test_support.h"
#include "translations.h"
#include "ui_test_support.h"
#include "util/file_io.h"

using tpq::ui::JobOutcome;
using tpq::ui::MainWindow;
using tpqtest::DialogAnswerer;
using tpqtest::waitForJob;

namespace {

bool hasCjk(const QString& s) {
    for (QChar c : s)
        if (c.unicode() >= 0x4e00 && c.unicode() <= 0x9fff) return true;
    return false;
}

/// WCAG contrast ratio of two colours.
double contrast(const QColor& a, const QColor& b) {
    const auto lum = [](const QColor& c) {
        const auto ch = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF());
    };
    const double la = lum(a), lb = lum(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

tpq::RunResult fakeRun(const std::string& id, const std::string& method, double accuracy, double latency) {
    tpq::RunResult r;
    r.runId = id;
    r.method = tpq::requireMethod(method, "fakeRun");
    r.test.accuracy = accuracy;
    r.test.f1 = accuracy - 0.01;
    r.latency.p50Ms = latency;
    r.latency.batchSize = 8;
    r.sizeBytes = 1000000;
    return r;
}

/// Lays `plot` out at width x height pixels as an export does.
void layOut(QCustomPlot* plot, int width, int height) {
    plot->setViewport(QRect(0, 0, width, height));
    plot->replot();
}

/// Shows `plot` as its own 800x500 window, laid out: pixels map to coordinates as a user sees.
bool showAt800x500(QCustomPlot* plot) {
    plot->resize(800, 500);
    plot->show();
    if (!QTest::qWaitForWindowExposed(plot)) return false;
    plot->replot();
    return true;
}

QRectF textRect(QCPItemText* t) {
    return QRectF(t->topLeft->pixelPosition(), t->bottomRight->pixelPosition()).normalized();
}

}  // namespace

class TestUiTrust : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string work() const { return m_dir.path().toStdString(); }

    /// A tiny two-class CSV task and a project around it (config inline), in its own folder.
    QString writeProject(const std::string& name, int epochs, int rows, const std::vector<std::string>& variants,
                         const std::string& resultsDir = "") {
        std::string csv = "text,label\n";
        for (int i = 0; i < rows; ++i) {
            csv += "win a prize now number " + std::to_string(i) + " free offer,spam\n";
            csv += "meeting notes for project " + std::to_string(i) + " agenda,ham\n";
        }
        tpqtest::writeFile(m_dir, name + ".csv", csv);
        std::string yaml = "tpq_project: 1\nname: " + name + "\nexperiment:\n  name: " + name +
                           "\n  seed: 1\n  threads: 1\n  model: {name: transformer, d_model: 32, num_heads: 2, "
                           "num_layers: 2, d_ff: 64}\n  data: {dataset: csv, path: " +
                           work() + "/" + name +
                           ".csv, max_length: 16}\n  tokenizer: {type: word, min_frequency: 1}\n"
                           "  training: {batch_size: 16, learning_rate: 0.003, epochs: " +
                           std::to_string(epochs) +
                           ", warmup_ratio: 0}\n"
                           "results_dir: " +
                           (resultsDir.empty() ? name + "/results" : resultsDir) + "\ncheckpoint_dir: " + name +
                           "/checkpoints\nvariants:\n";
        for (const auto& v : variants) yaml += "  - " + v + "\n";
        return QString::fromStdString(tpqtest::writeFile(m_dir, name + ".tpq.yaml", yaml));
    }

    static void runAll(const QString& path) {
        tpq::Project project = tpq::Project::load(path.toStdString());
        tpq::ExperimentRunner(project).run({});
    }

    QString m_trained;  // a finished project: baseline, unstructured 0.5, dynamic

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName("TPQ Studio Tests");
        QCoreApplication::setApplicationName("test_ui_trust");
        QSettings().clear();
        m_trained = writeProject(
            "trained", 2, 60,
            {"baseline", "{method: unstructured, sparsity: 0.5, fine_tune_epochs: 0}", "{method: dynamic}"});
        runAll(m_trained);
    }

    // 1. Opening, creating or closing a project resets every panel to that project alone.
    void bug01_noStaleStateAcrossProjects() {
        const QString empty = writeProject("empty", 1, 10, {"baseline"});
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(m_trained));
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 3);
        QVERIFY(window.quantizationPanel()->precisionTable()->rowCount() > 0);
        window.modelPanel()->findChild<QPushButton*>("evaluate")->click();
        const JobOutcome evaluated = waitForJob(window, 120000);
        QVERIFY2(evaluated.ok, qPrintable(evaluated.error));
        QVERIFY(!window.modelPanel()->findChild<QLabel*>("evaluation")->text().isEmpty());
        QVERIFY(window.modelPanel()->lossPoints() > 0);
        QVERIFY(window.pruningPanel()->findChild<QComboBox*>("headRun") != nullptr);

        window.logView()->appendPlainText("a line of the first project");
        QVERIFY(window.openPath(empty));
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 0);
        QCOMPARE(window.resultsPanel()->runs().size(), size_t(0));
        QCOMPARE(window.quantizationPanel()->precisionTable()->rowCount(), 0);
        QCOMPARE(window.modelPanel()->findChild<QLabel*>("evaluation")->text(), QString());
        QCOMPARE(window.modelPanel()->lossPoints(), 0);
        QCOMPARE(window.resultsPanel()->charts()->count(), 0);
        QVERIFY2(window.statusBar()->currentMessage().contains(": 0 run(s)"),
                 qPrintable(window.statusBar()->currentMessage()));
        QVERIFY(window.windowTitle().contains("empty.tpq.yaml"));
        // The log keeps the first project's lines, and a rule says where the second's begin.
        QVERIFY2(window.logView()->toPlainText().contains("Opened " + empty + " "),
                 qPrintable(window.logView()->toPlainText().right(300)));

        // And closing: nothing of either project stays.
        QVERIFY(window.openPath(m_trained));
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 3);
        QVERIFY(window.closeProject());
        QVERIFY(window.project() == nullptr);
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 0);
        QCOMPARE(window.quantizationPanel()->precisionTable()->rowCount(), 0);
        QCOMPARE(window.modelPanel()->lossPoints(), 0);
        QVERIFY(!window.windowTitle().contains(".tpq.yaml"));
    }

    // 2. Each project its own folders by default; the Results panel lists only the
    // project's runs.
    void bug02_projectsDoNotShareFolders() {
        const QString folder = m_dir.path() + "/shared";
        QStringList resultDirs;
        for (const char* name : {"first", "second"}) {
            tpq::ui::NewExperimentWizard wizard;
            wizard.findChild<QLineEdit*>("projectName")->setText(name);
            wizard.findChild<QLineEdit*>("projectFolder")->setText(folder);
            const QString path = wizard.createProject();
            const tpq::Project p = tpq::Project::load(path.toStdString());
            QCOMPARE(QString::fromStdString(p.config().output.resultsDir), folder + "/" + name + "/results");
            QCOMPARE(QString::fromStdString(p.config().output.checkpointDir), folder + "/" + name + "/checkpoints");
            resultDirs << QString::fromStdString(p.config().output.resultsDir);
        }
        QVERIFY(resultDirs[0] != resultDirs[1]);

        // A project pointed at another project's results folder shows none of its runs.
        const QString other = writeProject("borrower", 1, 10, {"baseline"}, "trained/results");
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(other));
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 0);
        QVERIFY(window.openPath(m_trained));
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 3);
    }

    // 3. A variant records the model it was made from; a retrained baseline makes it
    // stale (greyed, with a tooltip) and Start runs it again.
    void bug03_staleVariantsAfterRetraining() {
        const QString path = writeProject("retrain", 1, 60, {"baseline", "{method: dynamic}"});
        runAll(path);
        {
            const tpq::Project p = tpq::Project::load(path.toStdString());
            const tpq::ProjectRun* base = p.findRun("baseline");
            const tpq::ProjectRun* dyn = p.findRun("dynamic");
            QVERIFY(base && dyn);
            QVERIFY(!base->weightsHash.empty());
            QCOMPARE(dyn->madeFrom, base->runIds.front());
            QCOMPARE(dyn->madeFromHash, base->weightsHash);
            QVERIFY(!p.isStale(*dyn));
        }
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(path));
        window.modelPanel()->findChild<QSpinBox*>("epochs")->setValue(3);
        {
            DialogAnswerer yes(QMessageBox::Yes);  // "Run again?" for the baseline
            window.modelPanel()->findChild<QPushButton*>("train")->click();
            const JobOutcome trained = waitForJob(window, 240000);
            QVERIFY2(trained.ok, qPrintable(trained.error + " | dialogs: " + yes.texts.join(" | ")));
            QCOMPARE(yes.texts.size(), 1);
        }
        const tpq::Project after = tpq::Project::load(path.toStdString());
        QVERIFY(after.isStale(*after.findRun("dynamic")));
        // The table: the dynamic run greyed, with the reason.
        QAbstractItemModel* table = window.resultsPanel()->table()->model();
        int dynamicRow = -1;
        for (int r = 0; r < table->rowCount(); ++r)
            if (table->index(r, 1).data(Qt::UserRole).toString() != "baseline") dynamicRow = r;
        QVERIFY(dynamicRow >= 0);
        QVERIFY(table->index(dynamicRow, 0).data(Qt::ToolTipRole).toString().contains("older baseline"));
        QCOMPARE(table->index(dynamicRow, 0).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(Qt::gray));
        QVERIFY(!table->index(1 - dynamicRow, 0).data(Qt::ToolTipRole).toString().contains("older baseline"));

        QStringList states;
        connect(window.workerThread()->worker(), &tpq::ui::ExperimentWorker::variantChanged, this,
                [&](const tpq::ui::VariantEvent& e) { states << e.variant + ":" + tpq::variantStateName(e.state); });
        QVERIFY(window.startRun());
        const JobOutcome rerun = waitForJob(window, 240000);
        QVERIFY2(rerun.ok, qPrintable(rerun.error));
        QVERIFY2(states.contains("dynamic:running"), qPrintable(states.join(" ")));
        QVERIFY2(!states.contains("dynamic:skipped"), qPrintable(states.join(" ")));
        const tpq::Project done = tpq::Project::load(path.toStdString());
        QVERIFY(!done.isStale(*done.findRun("dynamic")));
        QCOMPARE(done.findRun("dynamic")->madeFromHash, done.findRun("baseline")->weightsHash);
        for (int r = 0; r < table->rowCount(); ++r)
            QVERIFY(!table->index(r, 0).data(Qt::ToolTipRole).toString().contains("older baseline"));
        QCOMPARE(table->rowCount(), 2);  // the old variant's folder is no longer the project's
    }

    // 4. A cancelled variant is recorded as cancelled, and runs again on Start.
    void bug04_cancelledIsRecorded() {
        const QString path = writeProject("cancelled", 300, 150, {"baseline"});
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(path));
        QSignalSpy steps(window.workerThread()->worker(), &tpq::ui::ExperimentWorker::trainingStep);
        QVERIFY(window.startRun());
        QVERIFY(steps.wait(60000));
        window.cancelRun();
        const JobOutcome outcome = waitForJob(window, 5000);
        QVERIFY(outcome.cancelled);
        const tpq::Project project = tpq::Project::load(path.toStdString());
        QCOMPARE(project.runs().size(), size_t(1));
        QVERIFY(project.runs()[0].status == tpq::RunStatus::Cancelled);
        // Start runs it again (resumed under the same id).
        QStringList states;
        connect(window.workerThread()->worker(), &tpq::ui::ExperimentWorker::variantChanged, this,
                [&](const tpq::ui::VariantEvent& e) { states << tpq::variantStateName(e.state); });
        QVERIFY(window.startRun());
        QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty(), 30000);
        QCOMPARE(states.front(), QString("resuming"));
        window.cancelRun();
        QVERIFY(waitForJob(window, 5000).cancelled);
    }

    // 5. The window fits 1024x700 and never resizes itself when a panel is shown.
    void bug05_windowFits1024x700() {
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(window.openPath(m_trained));
        for (int i = 0; i < 5; ++i) {
            window.showPanel(i);
            QCoreApplication::processEvents();
            QVERIFY2(window.minimumSizeHint().width() <= 1024 && window.minimumSizeHint().height() <= 700,
                     qPrintable(QString("panel %1: minimum %2x%3")
                                    .arg(i)
                                    .arg(window.minimumSizeHint().width())
                                    .arg(window.minimumSizeHint().height())));
            QVERIFY2(window.minimumSize().width() <= 1024 && window.minimumSize().height() <= 700,
                     qPrintable(QString("panel %1: minimum size %2x%3")
                                    .arg(i)
                                    .arg(window.minimumSize().width())
                                    .arg(window.minimumSize().height())));
            QCOMPARE(window.size(), QSize(1024, 700));
        }
        // The Pruning panel with both heatmaps, a long run name and many layers fits the
        // window without scrolling: its form scrolls on its own, the heatmaps are tabs.
        auto runs = window.resultsPanel()->runs();
        tpq::RunResult heads =
            fakeRun("a-project-with-a-long-name_structured_heads50_ffn30_ft1", "structured", 0.9, 10);
        heads.headImportance = {{0.1, 0.9, 0.5, 0.2}, {1.0, 0.0, 0.3, 0.4}};
        heads.headsKept = {{true, true, false, true}, {true, false, true, true}};
        for (int l = 0; l < 12; ++l)
            for (const char* part :
                 {"attention.self.query", "attention.self.key", "attention.output.dense", "intermediate.dense"})
                heads.layerSparsity.emplace_back("bert.encoder.layer." + std::to_string(l) + "." + part, 0.3);
        runs.push_back(heads);
        window.pruningPanel()->setRuns(runs);
        heads.history.stepLoss = {{1, 0.7}, {2, 0.5}};
        heads.history.epochs = {{1, 2, 0.5, 0.9, 0.4, 0.9, 0.9, 1.0}};
        runs.back() = heads;
        window.comparePanel()->setRuns(runs);
        QStringList all;
        for (const auto& r : runs) all << QString::fromStdString(r.runId);
        window.comparePanel()->selectRuns(all);
        const QList<QWidget*> panels = {window.datasetPanel(),      window.modelPanel(),   window.pruningPanel(),
                                        window.quantizationPanel(), window.resultsPanel(), window.predictPanel(),
                                        window.comparePanel()};
        QStringList scrolls;
        for (int i = 0; i < 7; ++i) {
            window.showPanel(i);
            QCoreApplication::processEvents();
            auto* scroll = qobject_cast<QScrollArea*>(panels[i]->parentWidget()->parentWidget());
            QVERIFY(scroll);
            const QSize need = scroll->widget()->minimumSizeHint(), have = scroll->viewport()->size();
            if (need.width() > have.width() || need.height() > have.height())
                scrolls << QString("panel %1 needs %2x%3 in a %4x%5 view")
                               .arg(i)
                               .arg(need.width())
                               .arg(need.height())
                               .arg(have.width())
                               .arg(have.height());
            QCOMPARE(window.size(), QSize(1024, 700));
        }
        QVERIFY2(scrolls.isEmpty(), qPrintable(scrolls.join("; ")));
    }

    // 6. The head-importance heatmap: both ends of the colour map contrast with the
    // background, and every cell has a frame.
    void bug06_heatmapReadable() {
        tpq::RunResult run = fakeRun("s", "structured", 0.9, 10);
        run.headImportance = {{0.1, 0.9, 0.5}, {1.0, 0.0, 0.3}};
        run.headsKept = {{true, true, false}, {true, false, true}};
        std::unique_ptr<QCustomPlot> plot(tpq::plots::headImportanceHeatmap(run));
        QCPColorMap* map = nullptr;
        for (int i = 0; i < plot->plottableCount(); ++i)
            if (auto* m = qobject_cast<QCPColorMap*>(plot->plottable(i))) map = m;
        QVERIFY(map);
        const QColor background(Qt::white);  // the plots' background
        const QCPRange range = map->dataRange();
        const QColor low = QColor::fromRgb(map->gradient().color(range.lower, range));
        const QColor high = QColor::fromRgb(map->gradient().color(range.upper, range));
        QVERIFY2(contrast(low, background) >= 2.5,
                 qPrintable(QString("least important %1: %2").arg(low.name()).arg(contrast(low, background))));
        QVERIFY2(contrast(high, background) >= 2.5,
                 qPrintable(QString("most important %1: %2").arg(high.name()).arg(contrast(high, background))));
        int frames = 0;
        for (int i = 0; i < plot->itemCount(); ++i) frames += qobject_cast<QCPItemRect*>(plot->item(i)) != nullptr;
        QCOMPARE(frames, 6);
    }

    // 7. Charts: bars from zero, labels that do not overlap, a legend that hides no
    // point, epoch markers inside the plot, accuracy in % in the Model panel.
    void bug07_chartsReadable() {
        std::vector<tpq::RunResult> runs = {fakeRun("base", "baseline", 0.955, 10.0),
                                            fakeRun("base_dynamic_int8", "dynamic", 0.954, 10.1),
                                            fakeRun("base_static_int8_minmax", "static", 0.953, 10.2),
                                            fakeRun("base_qat_int8", "qat", 0.955, 10.05),
                                            fakeRun("base_unstructured_50", "unstructured", 0.95, 9.9),
                                            fakeRun("base_mixed_custom", "mixed", 0.952, 10.15)};
        for (const char* metric : {"accuracy", "f1", "size", "latency"}) {
            std::unique_ptr<QCustomPlot> bars(tpq::plots::comparisonBarChart(runs, metric));
            QCOMPARE(bars->xAxis->range().lower, 0.0);
        }
        std::unique_ptr<QCustomPlot> scatter(tpq::plots::accuracyLatencyPlot(runs));
        layOut(scatter.get(), 1000, 600);
        QList<QCPItemText*> labels;
        for (int i = 0; i < scatter->itemCount(); ++i)
            if (auto* t = qobject_cast<QCPItemText*>(scatter->item(i))) labels << t;
        QCOMPARE(labels.size(), 6);
        const QRectF area = scatter->axisRect()->rect();
        for (int a = 0; a < labels.size(); ++a) {
            QVERIFY2(area.contains(textRect(labels[a])), qPrintable(labels[a]->text() + " outside the plot"));
            for (int b = a + 1; b < labels.size(); ++b)
                QVERIFY2(!textRect(labels[a]).intersects(textRect(labels[b])),
                         qPrintable(labels[a]->text() + " overlaps " + labels[b]->text()));
        }
        // The legend covers no point.
        const QRect legend = scatter->legend->outerRect();
        for (int g = 0; g < scatter->graphCount(); ++g)
            for (auto it = scatter->graph(g)->data()->begin(); it != scatter->graph(g)->data()->end(); ++it) {
                const QPointF px(scatter->xAxis->coordToPixel(it->key), scatter->yAxis->coordToPixel(it->value));
                QVERIFY2(!legend.adjusted(-5, -5, 5, 5).contains(px.toPoint()), "the legend hides a point");
            }
        // Epoch markers fully inside the training-curve plot.
        tpq::RunResult trained = fakeRun("base", "baseline", 0.95, 10);
        for (int s = 1; s <= 20; ++s) trained.history.stepLoss.emplace_back(s, 1.0 / s);
        for (int e = 1; e <= 2; ++e)
            trained.history.epochs.push_back({e, 10 * e, 0.5, 0.9, 0.4, e == 1 ? 0.8 : 1.0, 0.9, 1.0});
        std::unique_ptr<QCustomPlot> curves(tpq::plots::trainingCurvePlot(trained));
        layOut(curves.get(), 1000, 600);
        const QRect inner = curves->axisRect()->rect();
        for (int g = 0; g < curves->graphCount(); ++g) {
            QCPGraph* graph = curves->graph(g);
            const double r = graph->scatterStyle().isNone() ? 0 : graph->scatterStyle().size() / 2;
            for (auto it = graph->data()->begin(); it != graph->data()->end(); ++it) {
                const QPointF px(graph->keyAxis()->coordToPixel(it->key), graph->valueAxis()->coordToPixel(it->value));
                if (r > 0)
                    QVERIFY2(QRectF(inner).adjusted(r, r, -r, -r).contains(px),
                             qPrintable(QString("marker at %1,%2 cut by the plot edge").arg(px.x()).arg(px.y())));
            }
            if (r > 0)
                QVERIFY2(!curves->legend->outerRect().intersects(inner) || graph->dataCount() == 0,
                         "legend over the curves");
        }
        // The Model panel's accuracy axis in %.
        tpq::ui::ModelPanel panel;
        tpq::ui::TrainPoint p;
        p.epochEnd = true;
        p.step = 10;
        p.totalSteps = 20;
        p.trainAccuracy = 0.7;
        p.valAccuracy = 0.8;
        panel.addTrainPoint(p);
        QCOMPARE(panel.curves()->graph(2)->data()->at(0)->value, 80.0);
        QVERIFY(panel.curves()->yAxis2->range().upper >= 100 && panel.curves()->yAxis2->range().upper <= 110);
    }

    // 8. Every shortcut the README names is bound; Ctrl+Shift+S saves as.
    void bug08_readmeShortcutsWork() {
        const std::string readme = tpq::readFile(std::string(TPQ_SOURCE_DIR) + "/README.md");
        const auto start = readme.find("Menus: File");
        QVERIFY(start != std::string::npos);
        const QString menus = QString::fromStdString(readme.substr(start, readme.find("\n\n", start) - start));
        QStringList wanted;
        QRegularExpression key(R"(((?:Ctrl\+|Shift\+)+[A-Z0-9]+|(?<!\+)F5))");
        for (auto it = key.globalMatch(menus); it.hasNext();) wanted << it.next().captured(1);
        for (int i = 1; i <= 5; ++i) wanted << QString("Ctrl+%1").arg(i);
        QVERIFY2(wanted.contains("Ctrl+Shift+S") && wanted.contains("Shift+F5"), qPrintable(wanted.join(" ")));
        MainWindow window;
        window.show();
        QStringList bound;
        for (QAction* a : window.findChildren<QAction*>())
            for (const QKeySequence& k : a->shortcuts()) bound << k.toString(QKeySequence::PortableText);
        for (const QString& k : wanted)
            QVERIFY2(bound.contains(k), qPrintable(k + " is not bound; bound: " + bound.join(" ")));

        // Ctrl+Shift+S on an open project opens the Save As dialog and writes the file.
        const QString path = writeProject("saveas", 1, 10, {"baseline"});
        QVERIFY(window.openPath(path));
        QApplication::setActiveWindow(&window);
        const QString target = m_dir.path() + "/saved_as.tpq.yaml";
        DialogAnswerer answer(QMessageBox::Yes, target);
        QTest::keySequence(&window, QKeySequence("Ctrl+Shift+S"));
        QTRY_VERIFY2_WITH_TIMEOUT(QFileInfo::exists(target), qPrintable(answer.texts.join(" | ")), 5000);
        QCOMPARE(answer.fileDialogs, 1);
        QVERIFY(window.windowTitle().contains("saved_as.tpq.yaml"));
    }

    // 9. zh_CN: Qt's own buttons and dialogs in Chinese; method names and variant
    // descriptions translated.
    void bug09_chineseEverywhere() {
        tpq::ui::Translations zh;
        QVERIFY(zh.install(QLocale("zh_CN")));
        {
            tpq::ui::NewExperimentWizard wizard;
            for (auto button : {QWizard::NextButton, QWizard::BackButton, QWizard::FinishButton, QWizard::CancelButton})
                QVERIFY2(hasCjk(wizard.buttonText(button)), qPrintable(wizard.buttonText(button)));
            QMessageBox box(QMessageBox::Warning, "t", "x",
                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
            QVERIFY2(hasCjk(box.button(QMessageBox::Save)->text()), qPrintable(box.button(QMessageBox::Save)->text()));
            QVERIFY2(hasCjk(box.button(QMessageBox::Discard)->text()),
                     qPrintable(box.button(QMessageBox::Discard)->text()));
            tpq::VariantSpec v;
            v.method = tpq::Method::Unstructured;
            v.sparsity = 0.5;
            v.fineTuneEpochs = 0;
            const QString words = tpq::ui::describeVariant(v);
            QVERIFY2(hasCjk(words) && !words.contains("ft="), qPrintable(words));
            QVERIFY2(hasCjk(tpq::ui::methodName("dynamic")), qPrintable(tpq::ui::methodName("dynamic")));
            tpq::ui::ResultsPanel panel;
            panel.loadResults(QString::fromStdString(work() + "/trained/results"));
            const QString method = panel.table()->model()->index(0, 1).data().toString();
            QVERIFY2(hasCjk(method), qPrintable(method));
        }
        zh.remove();
        QCOMPARE(tpq::ui::methodName("dynamic"), QString("dynamic int8"));
    }

    // 10. The wizard checks the columns against the file, and an aclImdb folder's layout.
    void bug10_wizardChecksColumnsAndFolders() {
        tpq::ui::NewExperimentWizard wizard;
        auto* kind = wizard.findChild<QComboBox*>("datasetKind");
        auto* path = wizard.findChild<QLineEdit*>("datasetPath");
        kind->setCurrentIndex(kind->findData("csv"));
        path->setText(
            QString::fromStdString(tpqtest::writeFile(m_dir, "cols.csv", "body,category\nhello,ham\nbuy,spam\n")));
        QVERIFY2(wizard.datasetProblem().contains("no column 'text'"), qPrintable(wizard.datasetProblem()));
        QVERIFY2(wizard.datasetProblem().contains("body, category"), qPrintable(wizard.datasetProblem()));
        wizard.findChild<QLineEdit*>("textColumn")->setText("body");
        QVERIFY2(wizard.datasetProblem().contains("no column 'label'"), qPrintable(wizard.datasetProblem()));
        wizard.findChild<QLineEdit*>("labelColumn")->setText("category");
        QVERIFY2(wizard.datasetProblem().isEmpty(), qPrintable(wizard.datasetProblem()));

        kind->setCurrentIndex(kind->findData("jsonl"));
        path->setText(QString::fromStdString(
            tpqtest::writeFile(m_dir, "cols.jsonl", "{\"body\": \"hello\", \"category\": \"ham\"}\n")));
        QVERIFY2(wizard.datasetProblem().isEmpty(), qPrintable(wizard.datasetProblem()));
        wizard.findChild<QLineEdit*>("textColumn")->setText("text");
        QVERIFY2(wizard.datasetProblem().contains("no column 'text'"), qPrintable(wizard.datasetProblem()));

        kind->setCurrentIndex(kind->findData("imdb"));
        QDir().mkpath(m_dir.path() + "/notimdb/stuff");
        path->setText(m_dir.path() + "/notimdb");
        QVERIFY2(wizard.datasetProblem().contains("train/pos"), qPrintable(wizard.datasetProblem()));
        for (const char* sub : {"train/pos", "train/neg", "test/pos", "test/neg"})
            QDir().mkpath(m_dir.path() + "/imdb/" + sub);
        path->setText(m_dir.path() + "/imdb");
        QVERIFY2(wizard.datasetProblem().isEmpty(), qPrintable(wizard.datasetProblem()));
    }

    // 11. The smaller ones.
    void bug11_smallerOnes() {
        // The path placeholder names the packaged corpus only for the packaged corpus.
        {
            tpq::ui::NewExperimentWizard wizard;
            auto* kind = wizard.findChild<QComboBox*>("datasetKind");
            kind->setCurrentIndex(kind->findData("csv"));
            QVERIFY2(!wizard.findChild<QLineEdit*>("datasetPath")->placeholderText().contains("SpamAssassin"),
                     qPrintable(wizard.findChild<QLineEdit*>("datasetPath")->placeholderText()));
        }
        MainWindow window;
        window.show();
        // The parameter estimate with the word tokenizer: the trained model's own count.
        QVERIFY(window.openPath(m_trained));
        const tpq::RunResult baseline = window.resultsPanel()->runs().front();  // a copy: opening reloads
        QVERIFY(baseline.method == tpq::Method::Baseline);
        const QString estimate = window.modelPanel()->parameterText();
        QVERIFY2(estimate.contains(QLocale().toString(qlonglong(baseline.numParameters))),
                 qPrintable(estimate + " vs " + QString::number(baseline.numParameters)));
        // Confusion matrix cells never wrap.
        int labelCells = 0;
        for (QTextBlock b = window.resultsPanel()->details()->document()->begin(); b.isValid(); b = b.next()) {
            if (b.text() != "ham" && b.text() != "spam") continue;
            ++labelCells;
            QVERIFY2(b.blockFormat().nonBreakableLines(), qPrintable(b.text() + " may wrap"));
        }
        QCOMPARE(labelCells, 4);  // two header cells, two row headers
        // The horizontal scroll position is not kept across folders.
        window.resize(600, 500);
        window.showPanel(4);
        QCoreApplication::processEvents();
        QScrollBar* bar = window.resultsPanel()->table()->horizontalScrollBar();
        QVERIFY(bar->maximum() > 0);
        bar->setValue(bar->maximum());
        QVERIFY(window.openPath(m_trained));
        QCOMPARE(bar->value(), 0);
        // A results folder without a project: the Model form shows the run's model, not
        // bert-base defaults.
        QVERIFY(window.openPath(QString::fromStdString(work() + "/trained/results")));
        QCOMPARE(window.modelPanel()->findChild<QComboBox*>("modelName")->currentData().toString(),
                 QString("transformer"));
        QCOMPARE(window.modelPanel()->findChild<QSpinBox*>("dModel")->value(), 32);
        // View > Log brings back a closed Log dock.
        auto* dock = window.findChild<QDockWidget*>("logDock");
        dock->close();
        QVERIFY(!dock->isVisible());
        QAction* showLog = nullptr;
        for (QAction* a : window.menuBar()->actions())
            if (a->menu())
                for (QAction* b : a->menu()->actions())
                    if (b->objectName() == "showLog") showLog = b;
        QVERIFY(showLog);
        showLog->trigger();
        QVERIFY(dock->isVisible());
        // Export Results CSV: raw numbers, the columns tpq compare writes.
        const QString csvPath = m_dir.path() + "/raw.csv";
        window.resultsPanel()->exportCsv(csvPath);
        const QStringList lines = QString::fromStdString(tpq::readFile(csvPath.toStdString())).trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines[0].startsWith("run_id,method"), qPrintable(lines[0]));
        const int accuracy = lines[0].split(',').indexOf("accuracy");
        QVERIFY(accuracy > 0);
        QCOMPARE(lines[1].split(',')[accuracy].toDouble(), baseline.test.accuracy);
        QVERIFY(!lines.join('\n').contains('%'));
        // ...and nothing to export is refused.
        tpq::ui::ResultsPanel emptyPanel;
        tpqtest::expectError([&] { emptyPanel.exportCsv(m_dir.path() + "/nothing.csv"); }, {"no runs"});
        QVERIFY(!QFileInfo::exists(m_dir.path() + "/nothing.csv"));
        // int4 + int8 layers are not "mixed (int8)".
        nlohmann::ordered_json j = {{"run_id", "m"},
                                    {"method", "mixed"},
                                    {"accuracy", 0.9},
                                    {"f1", 0.9},
                                    {"precision_map", {{"a", "int8"}, {"b", "int8"}, {"c", "int4"}}}};
        tpq::ensureDirectory(work() + "/mixed/m");
        tpq::writeFileAtomic(work() + "/mixed/m/result.json", j.dump());
        const auto mixed = tpq::ResultsStore(work() + "/mixed").load();
        QCOMPARE(mixed.size(), size_t(1));
        QCOMPARE(QString::fromStdString(mixed[0].weightPrecision()), QString("int8+int4"));
    }
    // The wizard: a custom Transformer's size with a live parameter count, a sparsity
    // sweep, a summary in words, Escape asks first.
    void wizardCustomTransformerAndSweep() {
        tpq::ui::NewExperimentWizard wizard;
        wizard.show();
        auto* model = wizard.findChild<QComboBox*>("model");
        model->setCurrentIndex(model->findData("transformer"));
        wizard.findChild<QSpinBox*>("wizardDModel")->setValue(48);
        wizard.findChild<QSpinBox*>("wizardHeads")->setValue(4);
        wizard.findChild<QSpinBox*>("wizardLayers")->setValue(3);
        wizard.findChild<QSpinBox*>("wizardDFf")->setValue(96);
        auto* pooling = wizard.findChild<QComboBox*>("wizardPooling");
        pooling->setCurrentIndex(pooling->findData("mean"));
        const tpq::ExperimentConfig c = wizard.config();
        QCOMPARE(c.model.dModel, 48);
        QCOMPARE(c.model.numLayers, 3);
        QCOMPARE(c.model.pooling, std::string("mean"));
        QVERIFY2(
            wizard.parameterText().contains(QLocale().toString(qlonglong(tpq::estimateParameters(c.model, 30522)))),
            qPrintable(wizard.parameterText()));
        wizard.findChild<QSpinBox*>("wizardHeads")->setValue(5);
        QVERIFY2(wizard.modelProblem().contains("multiple"), qPrintable(wizard.modelProblem()));
        wizard.findChild<QSpinBox*>("wizardHeads")->setValue(4);
        QVERIFY(wizard.modelProblem().isEmpty());

        wizard.findChild<QLineEdit*>("sparsities")->setText("0.3, 0.5, 0.7");
        int unstructured = 0;
        for (const auto& v : wizard.variants()) unstructured += v.method == tpq::Method::Unstructured;
        QCOMPARE(unstructured, 3);
        wizard.findChild<QLineEdit*>("sparsities")->setText("0.3, lots");
        QVERIFY2(wizard.variantProblem().contains("lots"), qPrintable(wizard.variantProblem()));
        wizard.findChild<QLineEdit*>("sparsities")->setText("0.5");
        QVERIFY(wizard.variantProblem().isEmpty());

        {
            DialogAnswerer keep(QMessageBox::Cancel);
            QTest::keyClick(&wizard, Qt::Key_Escape);
            QTRY_COMPARE_WITH_TIMEOUT(keep.texts.size(), 1, 3000);
            QVERIFY(wizard.isVisible());
        }
        DialogAnswerer discard(QMessageBox::Discard);
        QTest::keyClick(&wizard, Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isVisible(), 3000);
    }

    // The welcome page, Predict on three runs, Compare baseline vs two variants.
    void welcomePredictCompare() {
        MainWindow window;
        window.show();
        QVERIFY(window.welcomeShown());
        QVERIFY(window.openPath(m_trained));
        QVERIFY(!window.welcomeShown());
        QVERIFY(window.closeProject());
        QVERIFY(window.welcomeShown());
        auto* recent = window.welcomePage()->findChild<QListWidget*>("welcomeRecent");
        QVERIFY(recent && recent->count() >= 1);
        bool listed = false;
        for (int i = 0; i < recent->count(); ++i)
            listed =
                listed || (recent->item(i)->data(Qt::UserRole).toString() == QFileInfo(m_trained).absoluteFilePath() &&
                           recent->item(i)->text().contains("3 finished run(s), best accuracy"));
        QVERIFY2(listed, qPrintable(recent->item(0)->text()));

        QVERIFY(window.openPath(m_trained));
        tpq::ui::PredictPanel* predict = window.predictPanel();
        QCOMPARE(predict->selectedRuns().size(), 3);  // the first three picked
        predict->setText("win a prize now number 7 free offer");
        QSignalSpy done(&window, &MainWindow::predictionFinished);
        predict->findChild<QPushButton*>("predict")->click();
        QVERIFY(done.wait(60000));
        QVERIFY(done.takeFirst().at(0).value<JobOutcome>().ok);
        QTableWidget* table = predict->table();
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->horizontalHeaderItem(2)->text(), QString("P(ham)"));
        for (int r = 0; r < 3; ++r) {
            QVERIFY2(table->item(r, 1)->text() == "ham" || table->item(r, 1)->text() == "spam",
                     qPrintable(table->item(r, 1)->text()));
            const double sum =
                table->item(r, 2)->text().chopped(1).toDouble() + table->item(r, 3)->text().chopped(1).toDouble();
            QVERIFY2(std::abs(sum - 100) < 0.05, qPrintable(QString::number(sum)));
        }
        // The rows are the picked runs, and each says what tpq predict says for the text.
        const auto& runs = window.resultsPanel()->runs();
        const tpq::Project project = tpq::Project::load(m_trained.toStdString());
        for (int r = 0; r < 3; ++r) {
            QCOMPARE(table->item(r, 0)->text(), QString::fromStdString(runs[size_t(r)].runId));
            std::string dir;
            for (const auto& pr : project.runs())
                for (size_t i = 0; i < pr.runIds.size(); ++i)
                    if (pr.runIds[i] == runs[size_t(r)].runId) dir = project.absolute(pr.modelDirs[i]);
            const tpq::TextPrediction cli =
                tpq::predictTexts(dir, {"win a prize now number 7 free offer"}).texts.front();
            QCOMPARE(table->item(r, 1)->text(), QString::fromStdString(cli.label));
            QCOMPARE(table->item(r, 3)->text(), QString::number(100 * cli.probabilities[1], 'f', 2) + "%");
        }

        tpq::ui::ComparePanel* compare = window.comparePanel();
        QStringList ids;
        for (const auto& r : runs) ids << QString::fromStdString(r.runId);
        compare->selectRuns(ids);
        QCOMPARE(compare->metrics()->columnCount(), 3);
        QVERIFY(compare->metrics()->horizontalHeaderItem(0)->text().contains("reference"));
        QCOMPARE(compare->metrics()->item(0, 0)->text(), QString::number(100 * runs[0].test.accuracy, 'f', 2));
        QVERIFY(compare->metrics()->item(0, 1)->text().contains("("));  // the difference
        QCOMPARE(compare->perClass()->rowCount(), 2);
        QCOMPARE(compare->perClass()->columnCount(), 1 + 3 * 3);
        QVERIFY(compare->curves()->graphCount() >= 2);  // the baseline's loss and validation accuracy
        QCOMPARE(compare->confusion()->toPlainText().count("rows: true"), 3);
    }

    // Acceptance 4: the GUI thread never waits > 100 ms while Predict and Compare are used
    // during a training run.
    void predictAndCompareBesideTraining() {
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(m_trained));
        window.predictPanel()->setText("meeting notes for project 3 agenda");
        tpqtest::LatencyProbe probe;
        // Training: the Model panel's Train on a long baseline of this project.
        window.modelPanel()->findChild<QSpinBox*>("epochs")->setValue(300);
        DialogAnswerer yes(QMessageBox::Yes);
        QSignalSpy steps(window.workerThread()->worker(), &tpq::ui::ExperimentWorker::trainingStep);
        window.modelPanel()->findChild<QPushButton*>("train")->click();
        QVERIFY(steps.wait(60000));
        probe.start();
        window.predictPanel()->selectRuns({QString::fromStdString(window.resultsPanel()->runs()[1].runId),
                                           QString::fromStdString(window.resultsPanel()->runs()[2].runId)});
        for (int round = 0; round < 3; ++round) {
            QSignalSpy done(&window, &MainWindow::predictionFinished);
            window.predictPanel()->findChild<QPushButton*>("predict")->click();
            QVERIFY(done.wait(60000));
            QVERIFY(done.takeFirst().at(0).value<JobOutcome>().ok);
            QCOMPARE(window.predictPanel()->table()->rowCount(), 2);
            window.comparePanel()->selectRuns(
                {QString::fromStdString(window.resultsPanel()->runs()[0].runId),
                 QString::fromStdString(window.resultsPanel()->runs()[round % 2 + 1].runId)});
            window.comparePanel()->findChild<QSpinBox*>("smoothing")->setValue(1 + 5 * round);
            window.showPanel(5 + round % 2);
            QTest::qWait(200);
        }
        QVERIFY(window.isBusy());  // training still running all along
        probe.stop();
        const qint64 worst = probe.worstMs();
        qInfo("GUI thread's longest wait with Predict + Compare during training: %lld ms", worst);
        QVERIFY2(worst <= 100, qPrintable(QString("GUI thread stalled %1 ms").arg(worst)));
        window.cancelRun();
        QVERIFY(waitForJob(window, 5000).cancelled);
    }
    // Charts: hover shows the exact value and run, wheel zooms, double-click resets, the
    // bar charts draw the baseline's value as a reference line.
    void chartsHoverZoomAndBaseline() {
        // Latency order (dyn-2, un-3, baseline-1) differs from the runs' order: a point is
        // named by the run it came from, not by its index.
        const std::vector<tpq::RunResult> runs = {fakeRun("baseline-1", "baseline", 0.95, 30),
                                                  fakeRun("dyn-2", "dynamic", 0.94, 10),
                                                  fakeRun("un-3", "unstructured", 0.90, 20)};
        std::unique_ptr<QCustomPlot> bars(tpq::plots::comparisonBarChart(runs, "accuracy"));
        QVERIFY(showAt800x500(bars.get()));
        const QPoint onBar(int(bars->xAxis->coordToPixel(40.0)), int(bars->yAxis->coordToPixel(2)));
        const QString barText = tpq::plots::hoverText(bars.get(), onBar);
        QVERIFY2(barText.contains("dyn-2") && barText.contains("94.00"), qPrintable(barText));
        QVERIFY(!barText.contains("baseline-1"));
        QCOMPARE(tpq::plots::hoverText(bars.get(), QPoint(int(bars->xAxis->coordToPixel(110.0)), onBar.y())),
                 QString());
        auto* line = bars->findChild<QCPItemStraightLine*>("baselineLine");
        QVERIFY(line);
        QCOMPARE(line->point1->coords().x(), 95.0);
        QCOMPARE(line->point2->coords().x(), 95.0);
        QVERIFY(bars->findChild<QCPItemText*>("baselineLabel"));
        // No baseline among the runs: no line.
        std::unique_ptr<QCustomPlot> noBase(tpq::plots::comparisonBarChart({runs[1], runs[2]}, "accuracy"));
        QVERIFY(!noBase->findChild<QCPItemStraightLine*>("baselineLine"));

        std::unique_ptr<QCustomPlot> points(tpq::plots::accuracyLatencyPlot(runs));
        QVERIFY(showAt800x500(points.get()));
        const QPoint un3(int(points->xAxis->coordToPixel(20)), int(points->yAxis->coordToPixel(90)));
        const QString pointText = tpq::plots::hoverText(points.get(), un3);
        QVERIFY2(pointText.contains("un-3") && pointText.contains("20.00") && pointText.contains("90.00"),
                 qPrintable(pointText));
        // The real mouse shows it as a tooltip.
        QTest::mouseMove(points.get(), un3);
        QTRY_VERIFY_WITH_TIMEOUT(QToolTip::isVisible() && QToolTip::text().contains("un-3"), 2000);

        // Wheel: zoom; double-click: the view before.
        const QCPRange x0 = points->xAxis->range(), y0 = points->yAxis->range();
        QWheelEvent wheel(QPointF(un3), QPointF(points->mapToGlobal(un3)), QPoint(), QPoint(0, 240), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(points.get(), &wheel);
        QVERIFY(tpq::plots::isZoomed(points.get()));
        QVERIFY2(
            points->xAxis->range().size() < 0.9 * x0.size(),
            qPrintable(QString("x range %1 after zoom, %2 before").arg(points->xAxis->range().size()).arg(x0.size())));
        QTest::mouseDClick(points.get(), Qt::LeftButton, Qt::NoModifier, un3);
        QVERIFY(!tpq::plots::isZoomed(points.get()));
        QCOMPARE(points->xAxis->range().lower, x0.lower);
        QCOMPARE(points->xAxis->range().upper, x0.upper);
        QCOMPARE(points->yAxis->range().upper, y0.upper);
        // Drag: pan.
        QTest::mousePress(points.get(), Qt::LeftButton, Qt::NoModifier, un3);
        QMouseEvent move(QEvent::MouseMove, QPointF(un3 + QPoint(80, 0)),
                         QPointF(points->mapToGlobal(un3 + QPoint(80, 0))), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(points.get(), &move);
        QTest::mouseRelease(points.get(), Qt::LeftButton, Qt::NoModifier, un3 + QPoint(80, 0));
        QVERIFY(tpq::plots::isZoomed(points.get()));
        QVERIFY2(points->xAxis->range().lower < x0.lower - 1e-9,
                 qPrintable(QString::number(points->xAxis->range().lower)));
        tpq::plots::resetZoom(points.get());
        QCOMPARE(points->xAxis->range().lower, x0.lower);
    }

    // Layer sensitivity: int4 beside int8, a layer whose width does not fit int4 groups
    // without an int4 bar.
    void int4SensitivityBesideInt8() {
        tpq::RunResult mixed = fakeRun("mixed-1", "mixed", 0.9, 5);
        mixed.layerSensitivity = {{"bert.encoder.layer.0.attention.self.query", 0.02, -0.01, 0.30, -0.05},
                                  {"bert.encoder.layer.1.output.dense", 0.01, 0.0, std::nan(""), std::nan("")}};
        tpq::ui::QuantizationPanel panel;
        panel.setRuns({fakeRun("baseline-1", "baseline", 0.95, 30), mixed});
        auto* plot = panel.findChild<QCustomPlot*>("sensitivityPlot");
        QVERIFY(plot);
        QCOMPARE(plot->plottableCount(), 2);
        auto* int8 = qobject_cast<QCPBars*>(plot->plottable(0));
        auto* int4 = qobject_cast<QCPBars*>(plot->plottable(1));
        QVERIFY(int8 && int4);
        QVERIFY2(int8->name().contains("int8") && int4->name().contains("int4"),
                 qPrintable(int8->name() + " / " + int4->name()));
        QCOMPARE(int8->dataCount(), 2);
        QCOMPARE(int4->dataCount(), 1);
        QCOMPARE(int4->data()->at(0)->value, 0.30);
        QVERIFY(plot->legend->visible());
        QVERIFY(plot->yAxis->range().upper >= 0.30);
    }

    // Results: delete a run (after asking; its folders inside the project's results and
    // checkpoints, and its record), open a run's model folder.
    void deleteRunAndOpenModelFolder() {
        const QString path = writeProject("deletable", 1, 20, {"baseline", "{method: dynamic}"});
        runAll(path);
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(path));
        QCOMPARE(window.resultsPanel()->runs().size(), size_t(2));
        const tpq::ProjectRun* dynamic = window.project()->findRun("dynamic");
        QVERIFY(dynamic);
        const tpq::ProjectRun record = *dynamic;
        const QString id = QString::fromStdString(record.runIds.at(0));
        const auto folders = window.project()->ownedFolders(record);
        QCOMPARE(int(folders.size()), 2);  // results/<id> and its model folder
        for (const auto& f : folders) QVERIFY2(QFileInfo(QString::fromStdString(f)).isDir(), f.c_str());
        // Nothing outside the project's folders, and never the base model, is deleted.
        tpq::ProjectRun outside = record;
        outside.resultDirs = {"../elsewhere"};
        outside.modelDirs = {"deletable"};
        QVERIFY(window.project()->ownedFolders(outside).empty());

        {
            DialogAnswerer cancel(QMessageBox::Cancel);
            QVERIFY(!window.deleteRun(id));
            QVERIFY2(cancel.texts.size() == 1 && cancel.texts[0].contains(id), qPrintable(cancel.texts.join("|")));
        }
        QCOMPARE(window.resultsPanel()->runs().size(), size_t(2));
        for (const auto& f : folders) QVERIFY(QFileInfo(QString::fromStdString(f)).isDir());

        QVERIFY(window.openModelFolder(id));
        QCOMPARE(window.statusBar()->currentMessage(),
                 QString::fromStdString(window.project()->absolute(record.modelDirs.at(0))));

        // Export Model: the dialog's defaults, then the run's int8 model as ONNX (asked before replacing).
        {
            const QString exportDir = QFileInfo(path).dir().filePath("export");
            tpq::ui::ExportModelDialog dialog(id, exportDir);
            QCOMPARE(QString::fromStdString(dialog.options().output), exportDir + "/" + id + ".onnx");
            QCOMPARE(dialog.options().opset, 17);
            dialog.formatBox()->setCurrentIndex(1);
            QVERIFY(dialog.options().format == tpq::ExportFormat::HuggingFace);
            QCOMPARE(QString::fromStdString(dialog.options().output), exportDir + "/" + id + "_hf");
            tpq::ExportOptions o;
            o.output = (exportDir + "/run.onnx").toStdString();
            QVERIFY(window.exportRunModelTo(id, o));
            QVERIFY(QFileInfo(exportDir + "/run.onnx").size() > 10000);
            QVERIFY(QFileInfo::exists(exportDir + "/export.json"));
            QVERIFY2(window.statusBar()->currentMessage().contains("run.onnx"),
                     qPrintable(window.statusBar()->currentMessage()));
            {
                DialogAnswerer no(QMessageBox::No);
                QVERIFY(!window.exportRunModelTo(id, o));
                QVERIFY2(no.texts.size() == 1 && no.texts[0].contains("run.onnx exists"),
                         qPrintable(no.texts.join("|")));
            }
            {
                DialogAnswerer yes(QMessageBox::Yes);
                QVERIFY(window.exportRunModelTo(id, o));
            }
            // The custom Transformer has no Hugging Face architecture: said, nothing written.
            o.format = tpq::ExportFormat::HuggingFace;
            o.output = (exportDir + "/run_hf").toStdString();
            DialogAnswerer ok(QMessageBox::Ok);
            QVERIFY(!window.exportRunModelTo(id, o));
            QVERIFY2(ok.texts.size() == 1 && ok.texts[0].contains("no Hugging Face architecture"),
                     qPrintable(ok.texts.join("|")));
            QVERIFY(!QFileInfo::exists(exportDir + "/run_hf"));
        }

        {
            DialogAnswerer yes(QMessageBox::Yes);
            QVERIFY(window.deleteRun(id));
            QVERIFY2(yes.texts.size() == 1 && yes.texts[0].contains(QString::fromStdString(folders[0])),
                     qPrintable(yes.texts.join("|")));
        }
        QCOMPARE(window.resultsPanel()->runs().size(), size_t(1));
        QVERIFY(window.resultsPanel()->runs()[0].method == tpq::Method::Baseline);
        for (const auto& f : folders) QVERIFY2(!QFileInfo::exists(QString::fromStdString(f)), f.c_str());
        const tpq::Project reread = tpq::Project::load(path.toStdString());
        QVERIFY(!reread.findRunById(id.toStdString()));
        QVERIFY(reread.findRun("baseline"));
        QVERIFY(
            QFileInfo(QString::fromStdString(reread.absolute(reread.findRun("baseline")->modelDirs.at(0)))).isDir());
        // A run the project does not have: refused with a message.
        DialogAnswerer ok(QMessageBox::Ok);
        QVERIFY(!window.deleteRun(id));
        QVERIFY(!window.openModelFolder(id));
    }
    // Help: every field of the config panels and the wizard names its config key (or its
    // project-file entry) in its tooltip; the keys named are ones the config reads.
    void everyFieldNamesItsConfigKey() {
        MainWindow window;
        tpq::ui::NewExperimentWizard wizard;
        const QList<QWidget*> forms = {window.datasetPanel(), window.modelPanel(), window.pruningPanel(),
                                       window.quantizationPanel(), &wizard};
        const std::vector<std::string> known = tpq::ExperimentConfig::knownKeys();
        int fields = 0;
        QStringList missing, unknown;
        for (QWidget* form : forms) {
            for (QWidget* w : form->findChildren<QWidget*>()) {
                const bool input = qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QComboBox*>(w) ||
                                   qobject_cast<QCheckBox*>(w) || qobject_cast<QLineEdit*>(w);
                // Not a field of its own: a spin box's or combo box's editor, the file dialog's
                // parts, the wizard's "start now" and the Pruning panel's choice of the run
                // whose heads it shows.
                if (!input || qobject_cast<QAbstractSpinBox*>(w->parentWidget()) ||
                    qobject_cast<QComboBox*>(w->parentWidget()) || w->objectName() == "startNow" ||
                    w->objectName() == "headRun" || w->window() != form->window())
                    continue;
                ++fields;
                const QString key = w->property("configKey").toString();
                const QString where = QString(form->metaObject()->className()) + "/" + w->objectName() + "(" +
                                      w->metaObject()->className() + ")";
                if (key.isEmpty() || !w->toolTip().contains(key.toHtmlEscaped())) {
                    missing << where;
                    continue;
                }
                const bool projectEntry = w->toolTip().contains("Project file");
                if (!projectEntry && std::find(known.begin(), known.end(), key.toStdString()) == known.end() &&
                    key != "quantization.mixed_precision.precision_map")
                    unknown << where + ": " + key;
            }
        }
        qInfo("%d fields", fields);
        QVERIFY2(fields >= 45, qPrintable(QString("only %1 fields found").arg(fields)));
        QVERIFY2(missing.isEmpty(), qPrintable("no config key in the tooltip: " + missing.join(", ")));
        QVERIFY2(unknown.isEmpty(), qPrintable("keys the config does not read: " + unknown.join(", ")));
        QVERIFY(wizard.findChild<QSpinBox*>("epochs")->toolTip().contains("Config key: <code>training.epochs</code>"));
    }
    // Runs that finish while Predict and Compare are open are picked as on a fresh open
    // (the first three; the baseline and two variants); runs shown before keep the
    // user's choice.
    void newRunsArePickedByDefault() {
        tpq::ui::PredictPanel predict;
        predict.setRuns({"base"}, {"/m/base"});
        QCOMPARE(predict.selectedRuns(), QStringList({"base"}));
        predict.setRuns({"base", "v1", "v2", "v3"}, {"/m/base", "/m/v1", "/m/v2", "/m/v3"});
        QCOMPARE(predict.selectedRuns(), QStringList({"base", "v1", "v2"}));
        predict.findChild<QListWidget*>()->item(1)->setCheckState(Qt::Unchecked);  // the user drops v1
        predict.setRuns({"base", "v1", "v2", "v3"}, {"/m/base", "/m/v1", "/m/v2", "/m/v3"});
        QCOMPARE(predict.selectedRuns(), QStringList({"base", "v2"}));

        tpq::ui::ComparePanel compare;
        std::vector<tpq::RunResult> runs = {fakeRun("base", "baseline", 0.9, 10)};
        compare.setRuns(runs);
        QCOMPARE(compare.selectedRuns(), QStringList({"base"}));
        for (const char* id : {"v1", "v2", "v3"}) runs.push_back(fakeRun(id, "dynamic", 0.9, 5));
        compare.setRuns(runs);
        QCOMPARE(compare.selectedRuns(), QStringList({"base", "v1", "v2"}));
    }
    // Issue 21: a project run elsewhere (tpq run in a terminal, Slurm tasks on a shared
    // filesystem) is watched: the Results panel's Variants tab follows the project file, and
    // a Slurm job squeue no longer lists shows its variant failed, with its log.
    void watchesTheProjectRunningElsewhere() {
        // A squeue that answers "no jobs of yours": the cluster has nothing running.
        const QString bin = m_dir.path() + "/fake_slurm_bin";
        QDir().mkpath(bin);
        tpqtest::writeFile(m_dir, "fake_slurm_bin/squeue", "#!/bin/sh\nexit 0\n");
        QFile::setPermissions(bin + "/squeue", QFile::permissions(bin + "/squeue") | QFileDevice::ExeOwner);
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", bin.toUtf8() + ":" + path);
        struct RestorePath {
            QByteArray path;
            ~RestorePath() { qputenv("PATH", path); }
        } restore{path};

        const QString project = writeProject("watched", 1, 40, {"baseline", "{method: dynamic}"});
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(project));
        QTableWidget* states = window.resultsPanel()->variantTable();
        QTabWidget* tabs = window.resultsPanel()->tableTabs();
        QCOMPARE(tabs->count(), 2);
        QCOMPARE(states->rowCount(), 2);
        QCOMPARE(states->item(0, 2)->text(), QString("pending"));
        QVERIFY2(window.resultsPanel()->findChild<QLabel*>("resultsSummary")->text().contains("2 pending"),
                 qPrintable(window.resultsPanel()->findChild<QLabel*>("resultsSummary")->text()));

        // Another process records the baseline running as a Slurm task: the tab follows the
        // file; squeue no longer lists the job, so it failed, and its log is named.
        // What another tpq process records when it starts a variant.
        const auto recordRunning = [&](const std::string& variant, const std::string& runId, const std::string& job) {
            tpq::Project other = tpq::Project::load(project.toStdString());
            tpq::ProjectRun run;
            run.variant = variant;
            run.runIds = {runId};
            run.job = job;
            other.recordRun(run);
        };
        recordRunning("baseline", "watched", "slurm 4242_0 on node7");
        QTRY_COMPARE_WITH_TIMEOUT(states->item(0, 2)->text(), QString("failed"), 10000);
        QVERIFY2(states->item(0, 5)->text().endsWith("variant-4242_0.out"), qPrintable(states->item(0, 5)->text()));
        QCOMPARE(states->item(0, 4)->text(), QString("slurm 4242_0 on node7"));
        QCOMPARE(tabs->tabText(1), QString("Variants (1 failed)"));

        // On a filesystem without locks the states come from per-variant files: watched too.
        qputenv("TPQ_NO_FILE_LOCKS", "1");
        recordRunning("dynamic", "watched_dynamic_int8", "pid 77 on elsewhere");
        qunsetenv("TPQ_NO_FILE_LOCKS");
        QVERIFY(QFileInfo(m_dir.path() + "/watched.states").isDir());
        QTRY_COMPARE_WITH_TIMEOUT(states->item(1, 2)->text(), QString("running"), 10000);
        QCOMPARE(states->item(1, 4)->text(), QString("pid 77 on elsewhere"));

        // The variants run to the end in another process: states and the table of runs follow.
        runAll(project);
        QTRY_COMPARE_WITH_TIMEOUT(window.resultsPanel()->table()->model()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(states->item(1, 2)->text(), QString("finished"), 10000);
        QCOMPARE(states->item(0, 2)->text(), QString("finished"));
        QCOMPARE(states->item(0, 3)->text(), QString("watched"));
        QCOMPARE(tabs->tabText(1), QString("Variants"));
        QVERIFY(window.resultsPanel()->findChild<QLabel*>("resultsSummary")->text().contains("2 finished"));
        QVERIFY(!window.isDirty());

        // Closing the project hides the tab.
        QVERIFY(window.closeProject());
        QCOMPARE(tabs->count(), 1);
    }

    // Empty charts say what would fill them instead of drawing empty axes.
    void emptyChartsShowAHint() {
        tpq::ui::ModelPanel model;
        auto* curves = model.findChild<QCustomPlot*>();
        QVERIFY(curves);
        auto* hint = curves->findChild<QCPItemText*>("emptyHint");
        QVERIFY(hint && hint->visible() && hint->text().contains("Train"));
        QVERIFY(!curves->xAxis->visible() && !curves->yAxis2->visible() && !curves->legend->visible());
        tpq::ui::TrainPoint point;
        point.step = 1;
        point.totalSteps = 10;
        point.stepLoss = 0.7;
        model.addTrainPoint(point);
        QVERIFY(!hint->visible());
        QVERIFY(curves->xAxis->visible() && curves->yAxis2->visible() && curves->legend->visible());

        tpq::ui::QuantizationPanel quantization;
        auto* sensitivity = quantization.findChild<QCustomPlot*>("sensitivityPlot");
        quantization.setRuns({});
        QVERIFY(!sensitivity->xAxis->visible());
        QVERIFY(sensitivity->findChild<QCPItemText*>("emptyHint")->visible());

        // An empty legend does not narrow the plot it sits under (it capped Compare's at 124 px).
        tpq::ui::ComparePanel compare;
        compare.resize(1000, 600);
        compare.show();
        QVERIFY(QTest::qWaitForWindowExposed(&compare));
        QCustomPlot* compared = compare.curves();
        compared->replot();
        QVERIFY2(compared->axisRect()->outerRect().width() > compared->width() / 2,
                 qPrintable(QString("axis rect %1 px in a %2 px plot")
                                .arg(compared->axisRect()->outerRect().width())
                                .arg(compared->width())));
    }
};

QTEST_MAIN(TestUiTrust)
#include "test_ui_trust.moc"
