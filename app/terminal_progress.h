#pragma once
// A one-line progress bar on stderr for the CLI ("[#####.....] 3012/6046 decoding mail ETA 2s").
// Draws only when stderr is a terminal; otherwise it stays silent.

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
    bool m_enabled;
    bool m_drawn = false;
};

}  // namespace tpq::cli
