#pragma once
/// \file log_bridge.h
/// The engine's log lines as a Qt signal. The engine logs from any thread; the signal is
/// emitted on that thread and reaches receivers on the GUI thread queued.

#include <QObject>
#include <QString>

namespace tpq::ui {

class LogBridge : public QObject {
    Q_OBJECT

public:
    /// The one bridge (created on first use, registered with tpq::addLogListener, never
    /// destroyed: the engine may log until the process ends).
    static LogBridge* instance();

Q_SIGNALS:
    /// level: 0 debug, 1 info, 2 warning, 3 error.
    void line(int level, const QString& text);

private:
    LogBridge() = default;
};

}  // namespace tpq::ui
