#pragma once
/// \file progress.h
/// How long work reports progress and learns it should stop. Core is synchronous: a long
/// call takes a ProgressCallback and a CancellationToken and checks the token every unit
/// of work (a batch, a file). The GUI adapts these to queued signals, the CLI to a bar.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "util/error.h"

namespace tpq {

/// One progress report: `step` of `total` units done (total 0 = unknown).
struct Progress {
    int64_t step = 0;
    int64_t total = 0;
    std::string message;       // what is being done, e.g. "reading spam-2"
    double etaSeconds = -1.0;  // estimated seconds left, < 0 when unknown
};

using ProgressCallback = std::function<void(const Progress&)>;

/// Thrown when work stops because its CancellationToken was set.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled by the user") {}
};

/// Set from any thread; long work checks it between units and throws Cancelled.
class CancellationToken {
public:
    void cancel() { m_cancelled.store(true); }
    void reset() { m_cancelled.store(false); }
    bool isCancelled() const { return m_cancelled.load(); }
    void throwIfCancelled() const {
        if (isCancelled()) throw Cancelled();
    }

private:
    std::atomic<bool> m_cancelled{false};
};

/// Computes the ETA from elapsed time and reports at most every `minIntervalMs`
/// (always the first and the last step).
class ProgressReporter {
public:
    ProgressReporter(ProgressCallback callback, int64_t total, std::string message, int minIntervalMs = 100);
    void update(int64_t step, const std::string& message = {});
    void finish();

private:
    ProgressCallback m_callback;
    int64_t m_total;
    std::string m_message;
    int m_minIntervalMs;
    int64_t m_startNs;
    int64_t m_lastNs = 0;
};

}  // namespace tpq
