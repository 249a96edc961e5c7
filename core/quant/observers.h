#pragma once
/// \file observers.h
/// Observers watch an activation tensor over calibration batches and choose how to
/// quantize it to uint8 (affine: x ~= (q - zero_point) * scale, the range always
/// including 0):
///   minmax          the smallest and largest value seen
///   moving_average  min and max averaged over batches (x <- x + c * (batch - x), c = 0.01;
///                   QAT's default, robust to one odd batch)
///   percentile      the 0.01th and 99.99th percentiles of the values seen (outliers clipped)
///   mse             the clipping range that minimizes the mean squared quantization error
/// percentile and mse keep a bounded random sample of the values (2^20).

#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "quant/quantized_linear.h"

namespace tpq {

class Observer {
public:
    virtual ~Observer() = default;
    /// Records a batch of values (any shape; detached, float).
    virtual void observe(const at::Tensor& x) = 0;
    /// The range to quantize, [low, high] with low <= 0 <= high; throws tpq::Error when
    /// nothing was observed.
    virtual std::pair<double, double> range() const = 0;
    virtual std::string name() const = 0;
    virtual std::unique_ptr<Observer> clone() const = 0;
    bool empty() const { return m_batches == 0; }
    int64_t batches() const { return m_batches; }
    /// uint8 scale and zero point for range().
    QParams qparams() const;

    /// "minmax", "moving_average", "percentile" or "mse"; throws tpq::Error listing them otherwise.
    static std::unique_ptr<Observer> create(const std::string& name, double averagingConstant = 0.01);
    static const std::vector<std::string>& names();

protected:
    int64_t m_batches = 0;
};

/// Scale and zero point that map [low, high] (widened to include 0) onto 0..255.
QParams qparamsForRange(double low, double high);

}  // namespace tpq
