// tpq-studio's main window over the worker thread, offscreen: the New Experiment wizard's
// config, a tiny experiment run through the worker (results table filled, live curves,
// the GUI thread never blocked > 100 ms), Cancel within 1 s with the project consistent,
// an invalid dataset path reported in a dialog, Save / Save As, and the parameter
// estimate against real models.

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>

#include "experiment/project.h"
#include "io/model_folder.h"
#include "main_window.h"
#include "models/architecture_estimate.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "new_experiment_wizard.h"
#include "panels/dataset_panel.h"
#include "panels/model_panel.h"
#include "panels/quantization_panel.h"
#include "panels/results_panel.h"
#include "test_support.h"
#include "ui_test_support.h"
#include "util/file_io.h"

using tpq::ui::JobOutcome;
using tpq::ui::MainWindow;
using tpqtest::DialogAnswerer;
using tpqtest::waitForJob;

class TestUiStudio : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    std::string work() const { return m_dir.path().toStdString(); }

    /// A tiny two-class CSV task and a project around it (config inline).
    QString writeProject(const std::string& name, int epochs, int rows, const std::vector<std::string>& variants) {
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
                           name + "/results\ncheckpoint_dir: " + name + "/checkpoints\nvariants:\n";
        for (const auto& v : variants) yaml += "  - " + v + "\n";
        return QString::fromStdString(tpqtest::writeFile(m_dir, name + ".tpq.yaml", yaml));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCoreApplication::setOrganizationName("TPQ Studio Tests");
        QCoreApplication::setApplicationName("test_ui_studio");
    }

    void wizardProducesTheConfig() {
        const std::string csv = tpqtest::writeFile(m_dir, "wizard.csv", "text,label\nhello there,ham\nbuy now,spam\n");
        tpq::ui::NewExperimentWizard wizard;
        wizard.show();  // starts at the dataset page
        // Defaults: the quickstart settings.
        QCOMPARE(wizard.config().model.name, std::string("bert-mini"));
        QCOMPARE(wizard.config().training.epochs, 2);
        QCOMPARE(wizard.config().training.learningRate, 1e-4);
        QCOMPARE(wizard.config().data.dataset, std::string("spam_assassin"));
        QVERIFY(wizard.datasetProblem().isEmpty());

        auto* kind = wizard.findChild<QComboBox*>("datasetKind");
        kind->setCurrentIndex(kind->findData("csv"));
        QVERIFY(wizard.datasetProblem().contains("Choose the file"));
        wizard.findChild<QLineEdit*>("datasetPath")->setText(m_dir.path() + "/missing.csv");
        QVERIFY2(wizard.datasetProblem().contains("does not exist"), qPrintable(wizard.datasetProblem()));
        QVERIFY(!wizard.currentPage()->isComplete());  // Next stays disabled
        wizard.findChild<QLineEdit*>("datasetPath")->setText(QString::fromStdString(csv));
        QVERIFY(wizard.currentPage()->isComplete());
        auto* model = wizard.findChild<QComboBox*>("model");
        model->setCurrentIndex(model->findData("bert-tiny"));
        wizard.findChild<QSpinBox*>("epochs")->setValue(1);
        wizard.findChild<QSpinBox*>("maxLength")->setValue(64);
        wizard.findChild<QCheckBox*>("structured")->setChecked(false);
        wizard.findChild<QCheckBox*>("combined")->setChecked(false);
        wizard.findChild<QCheckBox*>("qat")->setChecked(true);
        wizard.findChild<QLineEdit*>("projectName")->setText("wiz");
        wizard.findChild<QLineEdit*>("projectFolder")->setText(m_dir.path() + "/wizard");

        const tpq::ExperimentConfig c = wizard.config();
        QCOMPARE(c.name, std::string("wiz"));
        QCOMPARE(c.data.dataset, std::string("csv"));
        QCOMPARE(c.data.path, csv);
        QCOMPARE(c.model.name, std::string("bert-tiny"));
        QCOMPARE(c.training.epochs, 1);
        QCOMPARE(c.maxLength, 64);
        QVERIFY(c.validate().empty());
        std::vector<std::string> keys;
        for (const auto& v : wizard.variants()) keys.push_back(v.key());
        const std::vector<std::string> expected = {"baseline", "unstructured sparsity=0.5 ft=0", "dynamic", "qat"};
        QCOMPARE(keys, expected);
        QVERIFY2(wizard.summaryProblem().isEmpty(), qPrintable(wizard.summaryProblem()));

        // Finish writes a project that loads with the same config and variants.
        const QString path = wizard.createProject();
        QCOMPARE(path, m_dir.path() + "/wizard/wiz.tpq.yaml");
        const tpq::Project project = tpq::Project::load(path.toStdString());
        QCOMPARE(project.config().model.name, std::string("bert-tiny"));
        QCOMPARE(project.config().data.path, csv);
        QCOMPARE(project.config().output.resultsDir, (m_dir.path() + "/wizard/wiz/results").toStdString());
        QCOMPARE(project.variants().size(), size_t(4));
        QCOMPARE(project.variants()[3].key(), std::string("qat"));
        // A second project of the same name would overwrite it: refused.
        QVERIFY(wizard.summaryProblem().contains("exists already"));
    }

    void workerFillsTheResultsTableAndTheGuiStaysResponsive() {
        const QString path = writeProject(
            "tiny", 4, 600,
            {"baseline", "{method: unstructured, sparsity: 0.5, fine_tune_epochs: 0}", "{method: dynamic}"});
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(path));
        QCOMPARE(window.resultsPanel()->runs().size(), size_t(0));

        int stepReports = 0, epochReports = 0, maxLivePoints = 0;
        connect(window.workerThread()->worker(), &tpq::ui::ExperimentWorker::trainingStep, this,
                [&](const tpq::ui::TrainPoint& p) {
                    p.epochEnd ? ++epochReports : ++stepReports;
                    maxLivePoints = std::max(maxLivePoints, window.modelPanel()->lossPoints());
                });
        // The event loop's latency: a 5 ms timer must never wait much longer.
        tpqtest::LatencyProbe probe;
        probe.start();
        QVERIFY(window.startRun());
        QVERIFY(window.isBusy());
        const JobOutcome outcome = waitForJob(window, 240000);
        probe.stop();
        const qint64 worstGapMs = probe.worstMs();
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        qInfo("run took %.1f s; the GUI thread's longest wait was %lld ms", outcome.seconds, worstGapMs);
        QVERIFY2(worstGapMs <= 100, qPrintable(QString("GUI thread stalled %1 ms").arg(worstGapMs)));

        // Live curves: step reports while training and one summary per epoch.
        QVERIFY2(stepReports >= 3, qPrintable(QString::number(stepReports)));
        QCOMPARE(epochReports, 4);
        QVERIFY(maxLivePoints >= 2);
        QCOMPARE(window.modelPanel()->epochPoints(), 4);  // the finished baseline's history drawn
        // The engine's log lines reached the log dock.
        QVERIFY2(window.logView()->toPlainText().contains("epoch 4/4"),
                 qPrintable(window.logView()->toPlainText().right(500)));

        // The results table: the three runs, as the results store reads them.
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 3);
        const auto& runs = window.resultsPanel()->runs();
        QVERIFY(runs[0].method == tpq::Method::Baseline);
        QVERIFY2(runs[0].test.accuracy >= 0.9, std::to_string(runs[0].test.accuracy).c_str());
        const tpq::Project reloaded = tpq::Project::load(path.toStdString());
        QCOMPARE(reloaded.runs().size(), size_t(3));
        for (const auto& r : reloaded.runs()) QVERIFY(r.status == tpq::RunStatus::Finished);

        // CSV export: comparison.csv's raw numbers, the table's rows; the Accuracy chart
        // exports as a drawn PNG.
        const QString csv = m_dir.path() + "/tiny_table.csv";
        window.resultsPanel()->exportCsv(csv);
        QCOMPARE(QString::fromStdString(tpq::readFile(csv.toStdString())),
                 QString::fromStdString(tpq::comparisonCsv(runs)));
        QCOMPARE(window.resultsPanel()->tableCsv().count('\n'), 4);
        const QString png = m_dir.path() + "/tiny_accuracy.png";
        window.resultsPanel()->exportCurrentChart(png);
        QImage image;
        QVERIFY(image.load(png));
        QCOMPARE(image.size(), QSize(1000, 600));
        int drawn = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2) drawn += image.pixel(x, y) != image.pixel(0, 0);
        QVERIFY2(drawn > 1500, std::to_string(drawn).c_str());
        // File > Export Plots PNG: every comparison plot into a folder.
        const int plots = window.resultsPanel()->exportAllCharts(m_dir.path() + "/tiny_plots");
        QVERIFY2(plots >= 8, std::to_string(plots).c_str());
        QVERIFY(QFileInfo::exists(m_dir.path() + "/tiny_plots/accuracy_vs_latency.png"));
        QVERIFY(QFileInfo::exists(m_dir.path() + "/tiny_plots/layer_sparsity_heatmap.png"));

        // The Quantization panel's precision table runs as the "custom" mixed setting.
        auto* quant = window.quantizationPanel();
        auto* method = quant->findChild<QComboBox*>("quantMethod");
        method->setCurrentIndex(method->findData("mixed"));
        QVERIFY(quant->precisionTable()->rowCount() >= 12);  // the tiny model's linear layers
        const qint64 allInt8 = quant->estimatedBytes();
        // As a user does it: the row's combo box.
        for (int r = 0; r < quant->precisionTable()->rowCount(); ++r)
            if (quant->precisionTable()->item(r, 0)->text() == "layers.0.linear1")
                qobject_cast<QComboBox*>(quant->precisionTable()->cellWidget(r, 1))->setCurrentText("int4");
        QVERIFY2(quant->estimatedBytes() < allInt8,
                 qPrintable(QString("%1 vs %2").arg(quant->estimatedBytes()).arg(allInt8)));
        QCOMPARE(quant->plan().at("layers.0.linear1"), std::string("int4"));
        quant->findChild<QPushButton*>("runQuantization")->click();
        const JobOutcome mixed = waitForJob(window, 240000);
        QVERIFY2(mixed.ok, qPrintable(mixed.error));
        const tpq::RunResult* custom = nullptr;
        for (const auto& r : window.resultsPanel()->runs())
            if (r.runId.size() > 13 && r.runId.compare(r.runId.size() - 13, 13, "_mixed_custom") == 0) custom = &r;
        QVERIFY(custom);
        const auto precision = std::find_if(custom->precisionMap.begin(), custom->precisionMap.end(),
                                            [](const auto& p) { return p.first == "layers.0.linear1"; });
        QVERIFY(precision != custom->precisionMap.end());
        QCOMPARE(precision->second, std::string("int4"));
        // Saved and reopened, the table still shows the user's choice.
        QVERIFY(window.save());
        QVERIFY(window.openPath(path));
        QCOMPARE(window.quantizationPanel()->plan().at("layers.0.linear1"), std::string("int4"));

        // Evaluate: the trained baseline on the test split, in the Model panel.
        window.modelPanel()->findChild<QPushButton*>("evaluate")->click();
        const JobOutcome evaluated = waitForJob(window, 120000);
        QVERIFY2(evaluated.ok, qPrintable(evaluated.error));
        const QString evaluation = window.modelPanel()->findChild<QLabel*>("evaluation")->text();
        QVERIFY2(evaluation.contains(QString("Test accuracy %1%").arg(100 * runs[0].test.accuracy, 0, 'f', 2)),
                 qPrintable(evaluation));

        // Settings edited in a panel: unsaved until Save, then in the project file.
        window.modelPanel()->findChild<QSpinBox*>("classes")->setValue(3);
        QVERIFY(window.isDirty());
        QVERIFY(window.save());
        QVERIFY(!window.isDirty());
        QCOMPARE(tpq::Project::load(path.toStdString()).config().model.numLabels, 3);
        // Save As into another folder: the runs still resolve (paths rewritten).
        QVERIFY(window.saveAs(m_dir.path() + "/elsewhere/copy.tpq.yaml"));
        const tpq::Project copy = tpq::Project::load((m_dir.path() + "/elsewhere/copy.tpq.yaml").toStdString());
        QCOMPARE(copy.runs().size(), size_t(4));
        QCOMPARE(copy.config().output.resultsDir, reloaded.config().output.resultsDir);
    }

    void closingWithUnsavedChangesAsks() {
        const QString path = writeProject("dirty", 1, 20, {"baseline"});
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(path));
        window.modelPanel()->findChild<QSpinBox*>("classes")->setValue(4);
        QVERIFY(window.isDirty());
        DialogAnswerer closer(QMessageBox::Discard);
        QVERIFY(window.close());
        QCOMPARE(closer.texts.size(), 1);
        QVERIFY2(closer.texts.front().contains("unsaved changes"), qPrintable(closer.texts.front()));
        QCOMPARE(tpq::Project::load(path.toStdString()).config().model.numLabels, 2);  // discarded, file untouched
    }

    void cancelStopsWithinOneSecond() {
        const QString path = writeProject("long", 400, 150, {"baseline", "{method: dynamic}"});
        MainWindow window;
        window.show();
        QVERIFY(window.openPath(path));
        QSignalSpy steps(window.workerThread()->worker(), &tpq::ui::ExperimentWorker::trainingStep);
        QVERIFY(window.startRun());
        QVERIFY(steps.wait(60000));  // training has started
        QTest::qWait(300);
        QElapsedTimer clock;
        clock.start();
        QSignalSpy finished(&window, &MainWindow::jobFinished);
        window.cancelRun();
        QVERIFY(finished.wait(5000));
        const qint64 ms = clock.elapsed();
        const JobOutcome outcome = finished.takeFirst().at(0).value<JobOutcome>();
        qInfo("cancelled after %lld ms", ms);
        QVERIFY(outcome.cancelled);
        QVERIFY2(ms <= 1000, qPrintable(QString("cancel took %1 ms").arg(ms)));
        QVERIFY(!window.isBusy());
        // The project stays consistent: it loads, the baseline is recorded as interrupted
        // (to run again under the same id), nothing claims to be finished, no result written.
        const tpq::Project project = tpq::Project::load(path.toStdString());
        QCOMPARE(project.runs().size(), size_t(1));
        QVERIFY(project.runs()[0].status == tpq::RunStatus::Cancelled);
        QVERIFY(!QFileInfo::exists(m_dir.path() + "/long/results/long/result.json"));
    }

    void invalidDatasetPathShowsAnErrorAndTheAppKeepsRunning() {
        MainWindow window;
        window.show();
        DialogAnswerer closer(QMessageBox::Discard);
        tpq::ExperimentConfig config;
        config.data.dataset = "csv";
        config.data.path = m_dir.path().toStdString() + "/no/such.csv";
        window.datasetPanel()->setConfig(config);
        window.datasetPanel()->findChild<QPushButton*>("loadPreview")->click();
        const JobOutcome outcome = waitForJob(window, 30000);
        QVERIFY(!outcome.ok);
        QVERIFY2(outcome.error.contains("such.csv"), qPrintable(outcome.error));
        QTRY_VERIFY_WITH_TIMEOUT(!closer.texts.isEmpty(), 5000);
        QVERIFY2(closer.texts.front().contains("such.csv"), qPrintable(closer.texts.join(" | ")));
        QVERIFY(window.isVisible());
        QVERIFY(!window.isBusy());
        // And it still loads a good file afterwards.
        config.data.path = tpqtest::writeFile(m_dir, "good.csv", "text,label\nhello,ham\nbuy,spam\nhi,ham\n");
        window.datasetPanel()->setConfig(config);
        window.datasetPanel()->findChild<QPushButton*>("loadPreview")->click();
        const JobOutcome good = waitForJob(window, 30000);
        QVERIFY2(good.ok, qPrintable(good.error));
        QCOMPARE(window.datasetPanel()->previewTable()->rowCount(), 3);
    }

    void parameterEstimateMatchesTheModels() {
        for (const char* preset : {"bert-tiny", "bert-mini"}) {
            tpq::ModelConfig m;
            m.name = preset;
            m.numLabels = 3;
            tpq::BertConfig bc = tpq::BertConfig::preset(preset, 3);
            bc.vocabSize = 1000;
            tpq::BertModel model(bc);
            QCOMPARE(tpq::estimateParameters(m, 1000), model.numParameters());
        }
        tpq::ModelConfig m;
        m.name = "transformer";
        m.dModel = 48, m.numHeads = 4, m.numLayers = 3, m.dFf = 96, m.numLabels = 2;
        tpq::TransformerConfig tc;
        tc.vocabSize = 777, tc.dModel = 48, tc.numHeads = 4, tc.numLayers = 3, tc.dFf = 96;
        tc.labelNames = {"a", "b"};
        tpq::TransformerModel model(tc);
        QCOMPARE(tpq::estimateParameters(m, 777), model.numParameters());
    }
};

QTEST_MAIN(TestUiStudio)
#include "test_ui_studio.moc"
