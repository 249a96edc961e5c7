#pragma once
// A one-line progress bar on stderr for the CLI ("[#####.....] 3012/6046 decoding mail ETA 2s").
// On a terminal the bar is redrawn in place; otherwise (a pipe, a CI log) a plain line
// "progress 3012/6046 (50%) decoding mail ETA 2s" is printed at most every 15 seconds.

#include <chrono>

#include "util/progress.h"

namespace tpq::cli {

class TerminalProgress {
public:
    TerminalProgress();
    ~TerminalProgress();
    /// A callback for core's long calls.
    ProgressCallback callback();
    /// Clears the bar line.
    void done();

private:
    bool m_terminal;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_lastLine{};
};

}  // namespace tpq::cli
