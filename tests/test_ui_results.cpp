// The GUI's Results panel and main window, offscreen: a results folder fills the
// comparison table (a corrupt run skipped with a warning), sorting by a column, the CSV
// export equals the table as shown, the PNG export is a drawn 1000x600 image, and a bad
// path shows an error dialog while the window stays up.

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QMessageBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "main_window.h"
#include "panels/results_panel.h"
#include "test_support.h"
#include "util/file_io.h"

namespace {

void writeRun(const std::string& dir, const std::string& id, const std::string& method, double accuracy, double latency,
              int64_t size) {
    nlohmann::ordered_json j = {{"run_id", id},
                                {"method", method},
                                {"accuracy", accuracy},
                                {"precision", 0.9},
                                {"recall", 0.8},
                                {"f1", accuracy - 0.01},
                                {"loss", 0.1},
                                {"confusion_matrix", {{40, 2}, {3, 20}}},
                                {"num_parameters", 1000},
                                {"nonzero_parameters", 900},
                                {"sparsity", 0.1},
                                {"size_bytes", size},
                                {"latency_ms_p50", latency},
                                {"latency_ms_p95", latency * 1.1},
                                {"throughput", 8000.0 / latency},
                                {"latency_batch_size", 8},
                                {"model_dir", "checkpoints/" + id}};
    if (method != "baseline") {
        j["accuracy_drop"] = 0.95 - accuracy;
        j["speedup"] = 20.0 / latency;
        j["compression_ratio"] = 4000.0 / double(size);
    }
    tpq::ensureDirectory(dir + "/" + id);
    tpq::writeFileAtomic(dir + "/" + id + "/result.json", j.dump(2));
}

}  // namespace

class TestUiResults : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string results() const { return m_dir.path().toStdString() + "/results"; }

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("tpq-test");
        QSettings().clear();
        writeRun(results(), "m", "baseline", 0.95, 20.0, 4000);
        writeRun(results(), "m_dynamic_int8", "dynamic_quantization", 0.94, 12.5, 1000);
        writeRun(results(), "m_unstructured_50", "unstructured", 0.90, 19.0, 3000);
        tpq::ensureDirectory(results() + "/m_broken");
        tpq::writeFileAtomic(results() + "/m_broken/result.json", "{\"run_id\": ");
    }

    void tableSortCsvAndPng() {
        tpq::ui::ResultsPanel panel;
        panel.resize(1200, 800);
        const QStringList warnings = panel.loadResults(QString::fromStdString(results()));
        QCOMPARE(warnings.size(), 1);
        QVERIFY(warnings.front().contains("m_broken/result.json"));
        QTableView* table = panel.table();
        QCOMPARE(table->model()->rowCount(), 3);
        QCOMPARE(table->model()->index(0, 0).data().toString(), QString("m"));  // baseline first

        // Sort by accuracy (column 3), descending: 95%, 94%, 90%.
        table->sortByColumn(3, Qt::DescendingOrder);
        QCOMPARE(table->model()->index(0, 3).data().toString(), QString("95.00%"));
        QCOMPARE(table->model()->index(2, 0).data().toString(), QString("m_unstructured_50"));
        // Sort by p50 latency ascending: the int8 run first.
        table->sortByColumn(10, Qt::AscendingOrder);
        QCOMPARE(table->model()->index(0, 0).data().toString(), QString("m_dynamic_int8"));

        const QString csvPath = m_dir.path() + "/table.csv";
        panel.exportCsv(csvPath);
        const QString csv = QString::fromStdString(tpq::readFile(csvPath.toStdString()));
        const QStringList lines = csv.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        // tpq compare's columns and raw numbers, in the table's order.
        QVERIFY2(lines[0].startsWith("run_id,method"), qPrintable(lines[0]));
        const int accuracy = lines[0].split(',').indexOf("accuracy");
        QVERIFY(accuracy > 0);
        for (int r = 0; r < 3; ++r) {
            const QStringList cells = lines[r + 1].split(',');
            QCOMPARE(cells[0], table->model()->index(r, 0).data().toString());
            QCOMPARE(cells[accuracy].toDouble(), table->model()->index(r, 3).data(Qt::UserRole).toDouble());
        }

        QVERIFY(panel.charts()->count() >= 6);
        panel.charts()->setCurrentIndex(5);  // accuracy vs latency
        const QString png = m_dir.path() + "/chart.png";
        panel.exportCurrentChart(png);
        QImage image;
        QVERIFY(image.load(png));
        QCOMPARE(image.size(), QSize(1000, 600));
        const QRgb background = image.pixel(0, 0);
        int drawn = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2) drawn += image.pixel(x, y) != background;
        QVERIFY2(drawn > 1500, std::to_string(drawn).c_str());
    }

    void badPathShowsErrorAndWindowStays() {
        tpq::ui::MainWindow window;
        window.show();
        QString dialogText;
        QTimer::singleShot(200, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                dialogText = box->text();
                box->accept();
            }
        });
        QVERIFY(!window.openPath(m_dir.path() + "/no/such/results"));
        QVERIFY2(dialogText.contains("does not exist"), qPrintable(dialogText));
        QVERIFY(window.isVisible());
        // And the window still opens a good folder afterwards, remembering it as recent.
        QVERIFY(window.openPath(QString::fromStdString(results())));
        QCOMPARE(window.resultsPanel()->table()->model()->rowCount(), 3);
        QCOMPARE(QSettings().value("recent").toStringList().value(0),
                 QFileInfo(QString::fromStdString(results())).absoluteFilePath());
    }
};

QTEST_MAIN(TestUiResults)
#include "test_ui_results.moc"
