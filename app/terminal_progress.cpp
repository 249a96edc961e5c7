#include "terminal_progress.h"

#include <cstdio>
#include <string>

#include <unistd.h>

namespace tpq::cli {

namespace {
constexpr auto kPlainInterval = std::chrono::seconds(15);
}

TerminalProgress::TerminalProgress() : m_terminal(::isatty(STDERR_FILENO) == 1) {}

TerminalProgress::~TerminalProgress() {
    done();
}

ProgressCallback TerminalProgress::callback() {
    return [this](const Progress& p) {
        const double frac = p.total > 0 ? double(p.step) / double(p.total) : 0.0;
        std::string eta;
        if (p.etaSeconds >= 0) eta = " ETA " + std::to_string(int(p.etaSeconds + 0.5)) + "s";
        if (!m_terminal) {
            const auto now = std::chrono::steady_clock::now();
            if (now - m_lastLine < kPlainInterval) return;
            if (m_lastLine == std::chrono::steady_clock::time_point{}) {  // the first call only starts the clock
                m_lastLine = now;
                return;
            }
            m_lastLine = now;
            std::fprintf(stderr, "progress %lld/%lld (%d%%) %s%s\n", (long long)p.step, (long long)p.total,
                         int(frac * 100.0), p.message.c_str(), eta.c_str());
            std::fflush(stderr);
            return;
        }
        constexpr int kWidth = 30;
        const int filled = int(frac * kWidth);
        std::string bar(size_t(filled), '#');
        bar.append(size_t(kWidth - filled), '.');
        std::fprintf(stderr, "\r\033[K[%s] %lld/%lld %s%s", bar.c_str(), (long long)p.step, (long long)p.total,
                     p.message.c_str(), eta.c_str());
        std::fflush(stderr);
        m_drawn = true;
    };
}

void TerminalProgress::done() {
    if (m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }
}

}  // namespace tpq::cli
