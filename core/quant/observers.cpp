#include "quant/observers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <torch/torch.h>

#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

constexpr int64_t kSampleCap = int64_t(1) << 20;

void checkObserved(const Observer& o) {
    if (o.empty()) {
        throw Error("observer '" + o.name() +
                    "' has seen no data: calibrate with at least one batch before quantizing statically");
    }
}

// The batch minimum and maximum, kept as the extremes seen (minmax) or as moving
// averages (moving_average: c > 0).
class RangeObserver : public Observer {
public:
    explicit RangeObserver(double c = 0) : m_c(c) {}
    void observe(const at::Tensor& x) override {
        const auto [lo, hi] = torch::aminmax(x.detach());
        const double l = lo.item<double>(), h = hi.item<double>();
        if (m_batches == 0) {
            m_low = l, m_high = h;
        } else if (m_c > 0) {
            m_low += m_c * (l - m_low);
            m_high += m_c * (h - m_high);
        } else {
            m_low = std::min(m_low, l), m_high = std::max(m_high, h);
        }
        ++m_batches;
    }
    std::pair<double, double> range() const override {
        checkObserved(*this);
        return {std::min(m_low, 0.0), std::max(m_high, 0.0)};
    }
    std::string name() const override { return m_c > 0 ? "moving_average" : "minmax"; }
    std::unique_ptr<Observer> clone() const override { return std::make_unique<RangeObserver>(*this); }

private:
    double m_c;
    double m_low = 0, m_high = 0;
};

// Keeps a uniform random sample of everything observed (reservoir-like: each batch adds
// a random subset; when full, a random part of the sample is replaced).
class Sampling : public Observer {
public:
    void observe(const at::Tensor& x) override {
        at::Tensor flat = x.detach().reshape({-1}).to(torch::kFloat32);
        const int64_t take = std::min<int64_t>(flat.numel(), kSampleCap / 8);
        if (take < flat.numel()) flat = flat.index_select(0, torch::randint(flat.numel(), {take}, torch::kLong));
        if (!m_sample.defined()) {
            m_sample = flat.clone();
        } else if (m_sample.numel() + flat.numel() <= kSampleCap) {
            m_sample = torch::cat({m_sample, flat});
        } else {
            m_sample.index_put_({torch::randint(m_sample.numel(), {flat.numel()}, torch::kLong)}, flat);
        }
        ++m_batches;
    }

protected:
    at::Tensor m_sample;
};

class Percentile : public Sampling {
public:
    std::pair<double, double> range() const override {
        checkObserved(*this);
        const at::Tensor sorted = std::get<0>(m_sample.sort());
        const int64_t n = sorted.numel();
        const int64_t lo = int64_t(std::floor(0.0001 * double(n - 1)));
        const int64_t hi = int64_t(std::ceil(0.9999 * double(n - 1)));
        return {std::min(sorted[lo].item<double>(), 0.0), std::max(sorted[hi].item<double>(), 0.0)};
    }
    std::string name() const override { return "percentile"; }
    std::unique_ptr<Observer> clone() const override { return std::make_unique<Percentile>(*this); }
};

class Mse : public Sampling {
public:
    // Greedy search on a histogram of the sample, as PyTorch's HistogramObserver does: move
    // the lower or the upper end of the range inwards one bin at a time, whichever lowers
    // the quantization error (clipping + rounding) more, and keep the best range seen.
    std::pair<double, double> range() const override {
        checkObserved(*this);
        torch::NoGradGuard noGrad;
        const auto [lo, hi] = torch::aminmax(m_sample);
        const double low = std::min(lo.item<double>(), 0.0), high = std::max(hi.item<double>(), 0.0);
        if (high - low <= 0) return {low, high};
        constexpr int64_t kBins = 2048;
        const at::Tensor counts = torch::histc(m_sample, kBins, low, high).to(torch::kFloat64);
        const double width = (high - low) / double(kBins);
        const at::Tensor centers = low + (torch::arange(kBins, torch::kFloat64) + 0.5) * width;
        auto error = [&](int64_t first, int64_t last) {  // range from bin `first` to bin `last` inclusive
            const double l = std::min(low + double(first) * width, 0.0);
            const double h = std::max(low + double(last + 1) * width, 0.0);
            const QParams q = qparamsForRange(l, h);
            const at::Tensor r = ((centers / q.scale).round() + double(q.zeroPoint)).clamp(0, 255);
            const at::Tensor back = (r - double(q.zeroPoint)) * q.scale;
            return (counts * (back - centers).pow(2)).sum().item<double>();
        };
        int64_t first = 0, last = kBins - 1;
        double current = error(first, last);
        int64_t bestFirst = first, bestLast = last;
        double best = current;
        while (last - first > kBins / 16) {
            const double up = error(first + 1, last), down = error(first, last - 1);
            if (up <= down) {
                ++first, current = up;
            } else {
                --last, current = down;
            }
            if (current < best) best = current, bestFirst = first, bestLast = last;
        }
        return {std::min(low + double(bestFirst) * width, 0.0), std::max(low + double(bestLast + 1) * width, 0.0)};
    }
    std::string name() const override { return "mse"; }
    std::unique_ptr<Observer> clone() const override { return std::make_unique<Mse>(*this); }
};

}  // namespace

QParams qparamsForRange(double low, double high) {
    low = std::min(low, 0.0);
    high = std::max(high, 0.0);
    QParams q;
    q.scale = std::max((high - low) / 255.0, 1e-8);
    q.zeroPoint = std::clamp<int64_t>(int64_t(std::lround(-low / q.scale)), 0, 255);
    return q;
}

QParams Observer::qparams() const {
    const auto [low, high] = range();
    return qparamsForRange(low, high);
}

const std::vector<std::string>& Observer::names() {
    static const std::vector<std::string> n = {"minmax", "moving_average", "percentile", "mse"};
    return n;
}

std::unique_ptr<Observer> Observer::create(const std::string& name, double averagingConstant) {
    if (name == "minmax") return std::make_unique<RangeObserver>();
    if (name == "moving_average") return std::make_unique<RangeObserver>(averagingConstant);
    if (name == "percentile") return std::make_unique<Percentile>();
    if (name == "mse") return std::make_unique<Mse>();
    throw Error("unknown observer '" + name + "' (use one of: " + join(names(), ", ") + ")");
}

}  // namespace tpq
