#include "prune/pruning_schedule.h"

#include <cmath>

namespace tpq {

std::vector<double> pruningSchedule(double si, double sf, int n, const std::string& schedule) {
    std::vector<double> out;
    for (int t = 1; t <= n; ++t) {
        const double progress = double(t) / double(n);
        out.push_back(schedule == "cubic" ? sf + (si - sf) * std::pow(1.0 - progress, 3.0) : si + (sf - si) * progress);
    }
    return out;
}

}  // namespace tpq
