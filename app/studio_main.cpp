// tpq-studio: the desktop application. Sets up Qt and the engine's logging and opens the
// main window; an optional argument is a project file or a results folder to open.

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "main_window.h"
#include "util/logging.h"
#include "util/system_info.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("TPQ Studio");
    QApplication::setOrganizationName("TPQ Studio");
    QApplication::setApplicationVersion(TPQ_VERSION);
    QCommandLineParser parser;
    parser.setApplicationDescription("Prune, quantize and compare Transformer text classifiers");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("path", "a project file (*.tpq.yaml) or a results folder to open");
    QCommandLineOption screenshot("screenshot", "save a PNG of the window to FILE and quit (documentation)", "FILE");
    parser.addOption(screenshot);
    parser.process(app);
    tpq::initLogging(tpq::LogLevel::Info, "");
    tpq::setNumThreads(0);
    tpq::ui::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty()) window.openPath(parser.positionalArguments().front());
    if (parser.isSet(screenshot)) {
        QTimer::singleShot(500, [&] {
            const bool ok = window.grab().save(parser.value(screenshot));
            QApplication::exit(ok ? 0 : 1);
        });
    }
    return app.exec();
}
