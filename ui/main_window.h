#pragma once
/// \file main_window.h
/// TPQ Studio's main window. This first step holds the Results panel: open a results
/// folder or a project, compare its runs, export the table (CSV) and a chart (PNG).

#include <QMainWindow>
#include <functional>

class QMenu;

namespace tpq::ui {

class ResultsPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// Opens a results folder, or a project file (*.tpq.yaml: its results folder). Errors
    /// are shown in a dialog; returns false then.
    bool openPath(const QString& path);
    ResultsPanel* resultsPanel() const { return m_results; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void openResultsFolder();
    void openProject();
    void exportCsv();
    void exportPng();
    /// Asks for a file name and calls `write` with it; errors go to a dialog.
    void exportTo(const QString& title, const QString& defaultName, const QString& filter,
                  const std::function<void(const QString&)>& write);
    void about();
    void rememberRecent(const QString& path);
    void rebuildRecentMenu();
    void showError(const QString& title, const QString& message);

    ResultsPanel* m_results;
    QMenu* m_recent;
};

}  // namespace tpq::ui
