#include "train/train_history.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "util/strings.h"

namespace tpq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double value(const std::string& s, double fallback) {
    if (s.empty()) return fallback;
    try {
        return std::stod(s);  // "nan" too
    } catch (const std::exception&) {
        return fallback;
    }
}

}  // namespace

std::string TrainHistory::toCsv() const {
    std::ostringstream out;
    out << "type,epoch,step,loss,train_loss,train_accuracy,val_loss,val_accuracy,val_f1,seconds\n";
    out.precision(17);  // reads back as the same double
    for (const auto& [step, loss] : stepLoss) out << "step,," << step << "," << loss << ",,,,,,\n";
    for (const auto& e : epochs) {
        out << "epoch," << e.epoch << "," << e.step << ",," << e.trainLoss << "," << e.trainAccuracy << "," << e.valLoss
            << "," << e.valAccuracy << "," << e.valF1 << "," << e.seconds << "\n";
    }
    return out.str();
}

TrainHistory TrainHistory::fromCsv(const std::string& text) {
    TrainHistory h;
    std::istringstream in(text);
    std::string line;
    std::vector<std::string> header;
    const auto column = [&](const std::vector<std::string>& cells, const std::string& name) -> std::string {
        const auto it = std::find(header.begin(), header.end(), name);
        const size_t i = size_t(it - header.begin());
        return it == header.end() || i >= cells.size() ? std::string() : cells[i];
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto cells = split(line, ',');
        if (header.empty()) {
            header = cells;
            continue;
        }
        const std::string type = column(cells, "type");
        if (type == "step") {
            const double loss = value(column(cells, "loss"), kNaN);
            if (!std::isnan(loss)) h.stepLoss.emplace_back(int64_t(value(column(cells, "step"), 0)), loss);
        } else if (type == "epoch") {
            EpochRecord e;
            e.epoch = int(value(column(cells, "epoch"), 0));
            e.step = int64_t(value(column(cells, "step"), 0));
            e.trainLoss = value(column(cells, "train_loss"), kNaN);
            e.trainAccuracy = value(column(cells, "train_accuracy"), kNaN);
            e.valLoss = value(column(cells, "val_loss"), kNaN);
            e.valAccuracy = value(column(cells, "val_accuracy"), kNaN);
            e.valF1 = value(column(cells, "val_f1"), kNaN);
            e.seconds = value(column(cells, "seconds"), 0);
            if (e.epoch >= 1) h.epochs.push_back(e);
        }
    }
    return h;
}

int64_t TrainHistory::epochEndStep(size_t e) const {
    const EpochRecord& r = epochs.at(e);
    if (r.step > 0) return r.step;
    // Older files: epoch e ended after e/E of the steps.
    const int64_t last = stepLoss.empty() ? int64_t(epochs.size()) : stepLoss.back().first;
    const int total = std::max(1, epochs.back().epoch);
    return int64_t(std::llround(double(last) * r.epoch / total));
}

}  // namespace tpq
