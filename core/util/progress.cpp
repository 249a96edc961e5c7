#include "util/progress.h"

#include <chrono>

namespace tpq {
namespace {
int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
}  // namespace

ProgressReporter::ProgressReporter(ProgressCallback callback, int64_t total, std::string message, int minIntervalMs)
    : m_callback(std::move(callback)),
      m_total(total),
      m_message(std::move(message)),
      m_minIntervalMs(minIntervalMs),
      m_startNs(nowNs()) {}

void ProgressReporter::update(int64_t step, const std::string& message) {
    if (!m_callback) return;
    const int64_t now = nowNs();
    const bool last = m_total > 0 && step >= m_total;
    if (m_lastNs != 0 && !last && (now - m_lastNs) < int64_t(m_minIntervalMs) * 1000000) return;
    m_lastNs = now;
    Progress p;
    p.step = step;
    p.total = m_total;
    p.message = message.empty() ? m_message : message;
    if (step > 0 && m_total > 0) {
        const double elapsed = double(now - m_startNs) / 1e9;
        p.etaSeconds = elapsed / double(step) * double(m_total - step);
    }
    m_callback(p);
}

void ProgressReporter::finish() {
    if (m_total > 0) update(m_total);
}

}  // namespace tpq
