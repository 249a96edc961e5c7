#include "worker/log_bridge.h"

#include "util/logging.h"

namespace tpq::ui {

LogBridge* LogBridge::instance() {
    static LogBridge* bridge = [] {
        auto* b = new LogBridge;
        tpq::addLogListener(
            [b](LogLevel level, const std::string& text) { Q_EMIT b->line(int(level), QString::fromStdString(text)); });
        return b;
    }();
    return bridge;
}

}  // namespace tpq::ui
