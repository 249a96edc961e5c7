#include "util/logging.h"

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

spdlog::level::level_enum toSpd(LogLevel level) {
    switch (level) {
        case LogLevel::Debug:
            return spdlog::level::debug;
        case LogLevel::Info:
            return spdlog::level::info;
        case LogLevel::Warning:
            return spdlog::level::warn;
        case LogLevel::Error:
            return spdlog::level::err;
        case LogLevel::Off:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

LogLevel fromSpd(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return LogLevel::Debug;
        case spdlog::level::info:
            return LogLevel::Info;
        case spdlog::level::warn:
            return LogLevel::Warning;
        default:
            return LogLevel::Error;
    }
}

class ListenerSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    void add(std::function<void(LogLevel, const std::string&)> f) {
        std::lock_guard<std::mutex> lock(mutex_);
        m_listeners.push_back(std::move(f));
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const std::string text(msg.payload.data(), msg.payload.size());
        for (auto& f : m_listeners) f(fromSpd(msg.level), text);
    }
    void flush_() override {}

private:
    std::vector<std::function<void(LogLevel, const std::string&)>> m_listeners;
};

std::mutex g_mutex;
std::shared_ptr<ListenerSink> g_listeners = std::make_shared<ListenerSink>();

std::shared_ptr<spdlog::logger> logger() {
    auto l = spdlog::get("tpq");
    if (l) return l;
    std::lock_guard<std::mutex> lock(g_mutex);
    l = spdlog::get("tpq");
    if (l) return l;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(spdlog::level::warn);
    console->set_pattern("%^%l%$: %v");
    g_listeners->set_level(spdlog::level::info);
    l = std::make_shared<spdlog::logger>("tpq", spdlog::sinks_init_list{console, g_listeners});
    l->set_level(spdlog::level::debug);
    spdlog::register_logger(l);
    return l;
}

}  // namespace

void initLogging(LogLevel consoleLevel, const std::string& logDir) {
    std::vector<spdlog::sink_ptr> sinks;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(toSpd(consoleLevel));
    console->set_pattern("%^%l%$: %v");
    sinks.push_back(console);
    g_listeners->set_level(spdlog::level::info);
    sinks.push_back(g_listeners);
    std::string fileProblem;
    if (!logDir.empty()) {
        try {
            std::filesystem::create_directories(logDir);
            auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(
                (std::filesystem::path(logDir) / "tpq.log").string());
            file->set_level(spdlog::level::debug);
            file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
            sinks.push_back(file);
        } catch (const std::exception& e) {
            fileProblem = std::string("cannot open the log file in ") + logDir + ": " + e.what();
        }
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    spdlog::drop("tpq");
    auto l = std::make_shared<spdlog::logger>("tpq", sinks.begin(), sinks.end());
    l->set_level(spdlog::level::debug);
    l->flush_on(spdlog::level::info);
    spdlog::register_logger(l);
    if (!fileProblem.empty()) l->warn(fileProblem);
}

void addLogListener(std::function<void(LogLevel, const std::string&)> listener) {
    g_listeners->add(std::move(listener));
}

LogLevel parseLogLevel(const std::string& name) {
    const std::string n = toLowerAscii(name);
    if (n == "debug") return LogLevel::Debug;
    if (n == "info") return LogLevel::Info;
    if (n == "warning" || n == "warn") return LogLevel::Warning;
    if (n == "error") return LogLevel::Error;
    if (n == "off") return LogLevel::Off;
    throw Error("unknown log level '" + name + "' (use debug, info, warning, error or off)");
}

void logDebug(const std::string& message) {
    logger()->debug(message);
}
void logInfo(const std::string& message) {
    logger()->info(message);
}
void logWarning(const std::string& message) {
    logger()->warn(message);
}
void logError(const std::string& message) {
    logger()->error(message);
}

}  // namespace tpq
