#pragma once
/// \file variant_state.h
/// What a project variant is doing, as ExperimentRunner's onVariant (and the GUI) hears it.
/// Free of LibTorch so that Qt headers can include it.

namespace tpq {

enum class VariantState {
    Skipped,   // finished before: not run again
    Running,   // starting
    Resuming,  // starting again after an interruption, under its recorded run id
    Finished,  // its results are written
};

/// "skipped", "running", "resuming", "finished" (logs and tests).
inline const char* variantStateName(VariantState s) {
    switch (s) {
        case VariantState::Skipped:
            return "skipped";
        case VariantState::Running:
            return "running";
        case VariantState::Resuming:
            return "resuming";
        case VariantState::Finished:
            return "finished";
    }
    return "running";
}

}  // namespace tpq
