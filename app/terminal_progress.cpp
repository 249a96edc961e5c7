#include "terminal_progress.h"

#include <cstdio>
#include <string>

#include <unistd.h>

namespace tpq::cli {

TerminalProgress::TerminalProgress() : m_enabled(::isatty(STDERR_FILENO) == 1) {}

TerminalProgress::~TerminalProgress() {
    done();
}

ProgressCallback TerminalProgress::callback() {
    return [this](const Progress& p) {
        if (!m_enabled) return;
        constexpr int kWidth = 30;
        const double frac = p.total > 0 ? double(p.step) / double(p.total) : 0.0;
        const int filled = int(frac * kWidth);
        std::string bar(size_t(filled), '#');
        bar.append(size_t(kWidth - filled), '.');
        std::string eta;
        if (p.etaSeconds >= 0) eta = " ETA " + std::to_string(int(p.etaSeconds + 0.5)) + "s";
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
