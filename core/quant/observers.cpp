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

class MinMax : public Observer {
public:
    void observe(const at::Tensor& x) override {
        const auto [lo, hi] = torch::aminmax(x.detach());
        m_low = std::min(m_low, lo.item<double>());
        m_high = std::max(m_high, hi.item<double>());
        ++m_batches;
    }
    std::pair<double, double> range() const override {
        checkObserved(*this);
        return {std::min(m_low, 0.0), std::max(m_high, 0.0)};
    }
    std::string name() const override { return "minmax"; }

private:
    double m_low = std::numeric_limits<double>::max(), m_high = std::numeric_limits<double>::lowest();
};

class MovingAverage : public Observer {
public:
    explicit MovingAverage(double c) : m_c(c) {}
    void observe(const at::Tensor& x) override {
        const auto [lo, hi] = torch::aminmax(x.detach());
        const double l = lo.item<double>(), h = hi.item<double>();
        if (m_batches == 0) {
            m_low = l, m_high = h;
        } else {
            m_low += m_c * (l - m_low);
            m_high += m_c * (h - m_high);
        }
        ++m_batches;
    }
    std::pair<double, double> range() const override {
        checkObserved(*this);
        return {std::min(m_low, 0.0), std::max(m_high, 0.0)};
    }
    std::string name() const override { return "moving_average"; }

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
};

class Mse : public Sampling {
public:
    std::pair<double, double> range() const override {
        checkObserved(*this);
        torch::NoGradGuard noGrad;
        const auto [lo, hi] = torch::aminmax(m_sample);
        const double low = std::min(lo.item<double>(), 0.0), high = std::max(hi.item<double>(), 0.0);
        std::pair<double, double> best{low, high};
        double bestErr = std::numeric_limits<double>::max();
        // Shrink the range step by step from the full min/max (PyTorch's HistogramObserver
        // searches the same way, on bins instead of a sample).
        for (int i = 0; i <= 40; ++i) {
            const double f = 1.0 - 0.02 * i;
            const double l = low * f, h = high * f;
            if (h - l <= 0) continue;
            const QParams q = qparamsForRange(l, h);
            const at::Tensor r = at::fake_quantize_per_tensor_affine(m_sample, q.scale, q.zeroPoint, 0, 255);
            const double err = (r - m_sample).pow(2).mean().item<double>();
            if (err < bestErr) bestErr = err, best = {l, h};
        }
        return best;
    }
    std::string name() const override { return "mse"; }
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
    if (name == "minmax") return std::make_unique<MinMax>();
    if (name == "moving_average") return std::make_unique<MovingAverage>(averagingConstant);
    if (name == "percentile") return std::make_unique<Percentile>();
    if (name == "mse") return std::make_unique<Mse>();
    throw Error("unknown observer '" + name + "' (use one of: " + join(names(), ", ") + ")");
}

}  // namespace tpq
