// tpq-studio: the desktop application. Sets up Qt, the translation (system locale or
// --lang) and the engine's logging, and opens the main window; an optional argument is a
// project file or a results folder to open.

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QPushButton>
#include <QTimer>
#include <QTranslator>

#include "main_window.h"
#include "panels/dataset_panel.h"
#include "panels/predict_panel.h"
#include "translations.h"
#include "util/logging.h"
#include "util/system_info.h"

namespace {

// --lang, else the system locale: Chinese installs our zh_CN translation; English is built in.
void installLanguage(const QCommandLineParser& parser, const QCommandLineOption& lang,
                     tpq::ui::Translations& translations) {
    const QLocale locale = parser.isSet(lang) ? QLocale(parser.value(lang)) : QLocale::system();
    if (locale.language() == QLocale::Chinese) {
        translations.install(locale);
    } else if (parser.isSet(lang) && parser.value(lang) != "en" && !parser.value(lang).startsWith("en_")) {
        fprintf(stderr, "tpq-studio: no translation for '%s' (available: en, zh_CN); using English\n",
                qPrintable(parser.value(lang)));
    }
}

}  // namespace

int main(int argc, char** argv) {
    tpq::setUpProcess();
    QApplication app(argc, argv);
    QApplication::setApplicationName("TPQ Studio");
    QApplication::setOrganizationName("TPQ Studio");
    QApplication::setApplicationVersion(TPQ_VERSION);
    QApplication::setWindowIcon(QIcon(":/icons/tpq-studio.png"));
    QCommandLineParser parser;
    parser.setApplicationDescription("Prune, quantize and compare Transformer text classifiers");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("path", "a project file (*.tpq.yaml) or a results folder to open");
    QCommandLineOption lang("lang", "user interface language: en or zh_CN (default: the system locale)", "LANG");
    QCommandLineOption screenshot("screenshot", "save a PNG of the window to FILE and quit (documentation)", "FILE");
    QCommandLineOption panel(
        "panel", "show this panel first: dataset, model, pruning, quantization, results, predict or compare", "NAME");
    QCommandLineOption preview("preview-dataset", "load the dataset preview on start (Dataset panel)");
    QCommandLineOption size("size", "window size WIDTHxHEIGHT (documentation screenshots)", "WxH");
    QCommandLineOption predict("predict", "classify TEXT in the Predict view on start", "TEXT");
    parser.addOptions({lang, screenshot, panel, preview, size, predict});
    parser.process(app);

    tpq::ui::Translations translations;  // ours and Qt's own (buttons, dialogs)
    installLanguage(parser, lang, translations);

    tpq::initLogging(tpq::LogLevel::Info, "");
    tpq::setNumThreads(0);
    tpq::ui::MainWindow window;
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split('x');
        if (wh.size() != 2 || wh[0].toInt() <= 0 || wh[1].toInt() <= 0) {
            fprintf(stderr, "tpq-studio: --size wants WIDTHxHEIGHT, e.g. 1024x700 (got '%s')\n",
                    qPrintable(parser.value(size)));
            return 2;
        }
        window.resize(wh[0].toInt(), wh[1].toInt());
    }
    window.show();
    if (!parser.positionalArguments().isEmpty()) window.openPath(parser.positionalArguments().front());
    if (parser.isSet(panel)) {
        const QStringList names = {"dataset", "model", "pruning", "quantization", "results", "predict", "compare"};
        const int index = names.indexOf(parser.value(panel));
        if (index < 0) {
            fprintf(
                stderr,
                "tpq-studio: unknown panel '%s' (dataset, model, pruning, quantization, results, predict, compare)\n",
                qPrintable(parser.value(panel)));
            return 2;
        }
        window.showPanel(index);
    }
    if (parser.isSet(preview)) {
        QTimer::singleShot(0, [&] {
            const tpq::DatasetOptions options = window.datasetPanel()->options();
            Q_EMIT window.datasetPanel()->loadRequested(options);
        });
    }
    if (parser.isSet(predict)) {
        QTimer::singleShot(0, [&] {
            window.predictPanel()->setText(parser.value(predict));
            if (auto* button = window.predictPanel()->findChild<QPushButton*>("predict")) button->click();
        });
    }
    if (parser.isSet(screenshot)) {
        // Waits for any work started above (the dataset preview) to finish first.
        auto* timer = new QTimer(&window);
        QObject::connect(timer, &QTimer::timeout, [&, timer] {
            if (window.isBusy() || window.predictThread()->isBusy()) return;
            timer->stop();
            QTimer::singleShot(300, [&] {
                const bool ok = window.grab().save(parser.value(screenshot));
                QApplication::exit(ok ? 0 : 1);
            });
        });
        timer->start(500);
    }
    return app.exec();
}
