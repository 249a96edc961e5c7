#pragma once
/// \file logging.h
/// The engine's logging front: spdlog stays behind this header (CTranslate2 style).
/// Console plus `<logDir>/tpq.log`; listeners (addLogListener: the GUI's log pane) hear every line.

#include <functional>
#include <string>

namespace tpq {

enum class LogLevel { Debug, Info, Warning, Error, Off };

/// Sets up the console sink (stderr) and, when `logDir` is non-empty, a file sink
/// `<logDir>/tpq.log`. Safe to call again (replaces the sinks). A log file that cannot be
/// opened is reported as a warning, never fatal.
void initLogging(LogLevel consoleLevel, const std::string& logDir);

/// Adds a callback that receives every formatted line at Info or above (used by the GUI
/// log dock and by tests).
void addLogListener(std::function<void(LogLevel, const std::string&)> listener);

/// Parses "debug", "info", "warning"/"warn", "error", "off".
LogLevel parseLogLevel(const std::string& name);

void logDebug(const std::string& message);
void logInfo(const std::string& message);
void logWarning(const std::string& message);
void logError(const std::string& message);

}  // namespace tpq
