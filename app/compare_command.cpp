// `tpq compare`: the Qt side of the CLI (kept apart from LibTorch's headers, whose
// names clash with Qt's keywords). Reads the results folder, writes comparison.csv,
// renders the GUI's plots offscreen to PNG and writes report.md.

#include <QApplication>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "experiment/results_store.h"
#include "plots/comparison_plots.h"
#include "util/error.h"
#include "util/file_io.h"

namespace tpq::cli {

int runCompare(const std::string& resultsDir, const std::string& outputDir) {
    std::vector<std::string> warnings;
    const std::vector<RunResult> runs = ResultsStore(resultsDir).load(&warnings);
    if (runs.empty()) throw Error("no runs with a readable result.json in " + resultsDir + ": run an experiment first");
    ensureDirectory(outputDir);
    const std::string csvPath = outputDir + "/comparison.csv";
    writeFileAtomic(csvPath, comparisonCsv(runs));
    // Plots are the GUI's widgets rendered offscreen: no display needed.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // Offscreen rendering needs no runtime folder; Qt's note about a missing one is noise here.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& message) {
        if (message.startsWith("QStandardPaths:")) return;
        std::fprintf(stderr, "%s\n", qPrintable(message));
        if (type == QtFatalMsg) std::abort();
    });
    int argc = 1;
    char name[] = "tpq";
    char* argv[] = {name, nullptr};
    QApplication app(argc, argv);
    const auto images = plots::writeComparisonPlots(runs, outputDir);
    writeFileAtomic(outputDir + "/report.md", comparisonReport(runs, images));
    std::printf("%s\n", comparisonTable(runs).c_str());
    std::printf("%zu run(s) from %s", runs.size(), resultsDir.c_str());
    if (!warnings.empty()) std::printf(", %zu skipped (see the warnings above)", warnings.size());
    std::printf("\nwrote %s, report.md and %zu plot(s) in %s:\n", csvPath.c_str(), images.size(), outputDir.c_str());
    for (const auto& [file, caption] : images) std::printf("  %-30s %s\n", file.c_str(), caption.c_str());
    return 0;
}

}  // namespace tpq::cli
