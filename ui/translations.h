#pragma once
/// \file translations.h
/// The user interface's language: our strings (embedded tpq_*.qm) and Qt's own (buttons,
/// standard dialogs: qtbase_*.qm from Qt's translations folder, Debian's
/// qt6-translations-l10n), installed together; and the engine's names (methods, variants)
/// in words of that language.

#include <QLocale>
#include <QString>
#include <QTranslator>
#include <memory>

#include "experiment/project.h"

namespace tpq::ui {

class Translations {
public:
    Translations() = default;
    ~Translations() { remove(); }
    Translations(const Translations&) = delete;
    Translations& operator=(const Translations&) = delete;

    /// Installs the translations for `locale` (English needs none: true). False when ours
    /// are missing for it; Qt's missing is a warning on stderr (its buttons stay English).
    bool install(const QLocale& locale);
    void remove();

private:
    std::unique_ptr<QTranslator> m_ours, m_qt;
};

/// A method as users read it ("dynamic" -> "dynamic int8", "unstructured" ->
/// "unstructured pruning"), in the installed language.
QString methodName(const QString& method);
/// The same for a parsed method.
QString displayName(Method method);

/// A variant in words ("unstructured pruning to 50% sparsity, no fine-tuning").
QString describeVariant(const VariantSpec& v);

}  // namespace tpq::ui
