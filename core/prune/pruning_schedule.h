#pragma once
/// \file pruning_schedule.h
/// The progressive pruning schedule on its own (no torch), so the GUI can preview it.

#include <string>
#include <vector>

namespace tpq {

/// Target sparsity after each of `numIterations` steps from `initialSparsity` to
/// `finalSparsity`: "cubic" s_t = s_f + (s_i - s_f)(1 - t/n)^3 (Zhu & Gupta 2017, eq. 1),
/// or "linear". Example: pruningSchedule(0, 0.9, 5, "cubic") ~ {0.4392, 0.7056, 0.8424, 0.8928, 0.9}.
std::vector<double> pruningSchedule(double initialSparsity, double finalSparsity, int numIterations,
                                    const std::string& schedule);

}  // namespace tpq
