#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

#include "experiment/project.h"
#include "panels/results_panel.h"
#include "util/error.h"
#include "util/system_info.h"

namespace tpq::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("TPQ Studio"));
    m_results = new ResultsPanel;
    setCentralWidget(m_results);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Project..."), QKeySequence::Open, this, &MainWindow::openProject);
    file->addAction(tr("Open &Results Folder..."), QKeySequence(tr("Ctrl+Shift+O")), this,
                    &MainWindow::openResultsFolder);
    m_recent = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(tr("Export Results &CSV..."), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportCsv);
    file->addAction(tr("Export Plot &PNG..."), QKeySequence(tr("Ctrl+Shift+E")), this, &MainWindow::exportPng);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About TPQ Studio"), this, &MainWindow::about);
    rebuildRecentMenu();

    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray())) resize(1200, 800);
    statusBar()->showMessage(tr("Ready"));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings().setValue("window/geometry", saveGeometry());
    event->accept();
}

void MainWindow::showError(const QString& title, const QString& message) {
    statusBar()->showMessage(title);
    QMessageBox::critical(this, title, message);
}

bool MainWindow::openPath(const QString& path) {
    try {
        QString resultsDir = path;
        if (path.endsWith(".tpq.yaml")) {
            const Project project = Project::load(path.toStdString());
            resultsDir = QString::fromStdString(project.config().output.resultsDir);
        }
        const QStringList warnings = m_results->loadResults(resultsDir);
        for (const auto& w : warnings) statusBar()->showMessage(w);
        rememberRecent(QFileInfo(path).absoluteFilePath());
        setWindowTitle(tr("TPQ Studio - %1").arg(QFileInfo(path).fileName()));
        if (warnings.isEmpty())
            statusBar()->showMessage(tr("%n run(s) loaded", "", int(m_results->runs().size())));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot open %1").arg(path), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::openProject() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Project"), {}, tr("TPQ Studio projects (*.tpq.yaml)"));
    if (!path.isEmpty()) openPath(path);
}

void MainWindow::openResultsFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Results Folder"), "results");
    if (!dir.isEmpty()) openPath(dir);
}

void MainWindow::exportTo(const QString& title, const QString& defaultName, const QString& filter,
                          const std::function<void(const QString&)>& write) {
    const QString path = QFileDialog::getSaveFileName(this, title, defaultName, filter);
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

void MainWindow::about() {
    const SystemInfo info = collectSystemInfo();
    QMessageBox::about(this, tr("About TPQ Studio"),
                       tr("<b>TPQ Studio</b> %1<br>Pruning and quantization workbench for Transformer text "
                          "classifiers.<br><br>BLAS: %2<br>Threads: %3 of %4 cores")
                           .arg(QApplication::applicationVersion(), QString::fromStdString(info.blasLibrary))
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
