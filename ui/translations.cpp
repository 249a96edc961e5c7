#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <cstdio>

#include "experiment/method.h"

namespace tpq::ui {
namespace {

QString T(const char* text) {
    return QCoreApplication::translate("Names", text);
}

QString percent(double fraction) {
    return QString::number(100.0 * fraction, 'g', 3) + "%";
}

}  // namespace

bool Translations::install(const QLocale& locale) {
    remove();
    if (locale.language() == QLocale::English || locale.language() == QLocale::C) return true;
    auto ours = std::make_unique<QTranslator>();
    if (!ours->load(locale, "tpq", "_", ":/i18n")) return false;
    QCoreApplication::installTranslator(ours.get());
    m_ours = std::move(ours);
    // Qt's own strings: the wizard's Next/Back/Finish, a message box's Save/Discard, the
    // file dialogs.
    auto qt = std::make_unique<QTranslator>();
    const QString dir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (qt->load(locale, "qtbase", "_", dir)) {
        QCoreApplication::installTranslator(qt.get());
        m_qt = std::move(qt);
    } else {
        fprintf(stderr,
                "tpq-studio: Qt's own translation (qtbase_%s.qm) is not in %s: its buttons stay English "
                "(install Debian's qt6-translations-l10n)\n",
                qPrintable(locale.name()), qPrintable(dir));
    }
    return true;
}

void Translations::remove() {
    if (m_ours) QCoreApplication::removeTranslator(m_ours.get());
    if (m_qt) QCoreApplication::removeTranslator(m_qt.get());
    m_ours.reset();
    m_qt.reset();
}

QString displayName(Method m) {
    switch (m) {
        case Method::Baseline:
            return T(QT_TRANSLATE_NOOP("Names", "baseline"));
        case Method::Unstructured:
            return T(QT_TRANSLATE_NOOP("Names", "unstructured pruning"));
        case Method::Structured:
            return T(QT_TRANSLATE_NOOP("Names", "structured pruning"));
        case Method::Progressive:
            return T(QT_TRANSLATE_NOOP("Names", "progressive pruning"));
        case Method::Dynamic:
            return T(QT_TRANSLATE_NOOP("Names", "dynamic int8"));
        case Method::Static:
            return T(QT_TRANSLATE_NOOP("Names", "static int8"));
        case Method::Qat:
            return T(QT_TRANSLATE_NOOP("Names", "quantization-aware training"));
        case Method::Mixed:
            return T(QT_TRANSLATE_NOOP("Names", "mixed precision"));
        case Method::Combined:
            return T(QT_TRANSLATE_NOOP("Names", "pruning + quantization"));
    }
    return QString::fromUtf8(tpq::methodName(m));
}

QString methodName(const QString& method) {
    const auto m = parseMethod(method.toStdString());
    return m ? displayName(*m) : method;
}

QString describeVariant(const VariantSpec& v) {
    const auto fineTune = [&] {
        if (!v.fineTuneEpochs) return QString();
        if (*v.fineTuneEpochs == 0) return T(QT_TRANSLATE_NOOP("Names", ", no fine-tuning"));
        return QCoreApplication::translate("Names", ", %n fine-tuning epoch(s)", "", *v.fineTuneEpochs);
    };
    const auto pruning = [&](Method method) {
        if (method == Method::Unstructured)
            return v.sparsity ? QString(T(QT_TRANSLATE_NOOP("Names", "unstructured pruning to %1 sparsity")))
                                    .arg(percent(*v.sparsity))
                              : displayName(method);
        if (method == Method::Structured) {
            QString s = displayName(method);
            if (v.heads)
                s += QString(T(QT_TRANSLATE_NOOP("Names", ", %1 of the heads removed"))).arg(percent(*v.heads));
            if (v.ffnSparsity.value_or(0) > 0)
                s += QString(T(QT_TRANSLATE_NOOP("Names", ", %1 of the FFN neurons removed")))
                         .arg(percent(*v.ffnSparsity));
            return s;
        }
        return displayName(method);
    };
    const Method m = v.method;
    if (m == Method::Baseline) return T(QT_TRANSLATE_NOOP("Names", "baseline (trained)"));
    if (isPruning(m)) return pruning(m) + fineTune();
    if (m == Method::Static) {
        const QString observer = QString::fromStdString(v.observer.value_or(""));
        return observer.isEmpty() ? displayName(m)
                                  : QString(T(QT_TRANSLATE_NOOP("Names", "static int8, %1 observer"))).arg(observer);
    }
    if (m == Method::Combined)
        return QString(T(QT_TRANSLATE_NOOP("Names", "%1, then %2")))
            .arg(pruning(v.pruning) + fineTune(), displayName(v.quantization));
    return displayName(m);
}

}  // namespace tpq::ui
