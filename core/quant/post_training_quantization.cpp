#include "quant/post_training_quantization.h"

#include <algorithm>
#include <memory>

#include <torch/torch.h>

#include "data/data_loader.h"
#include "quant/observers.h"
#include "quant/quantized_linear.h"
#include "train/eval_mode_guard.h"
#include "train/model_size.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

// A float layer that records what flows in and out (static calibration).
class CalibrationKernel : public LinearKernel {
public:
    CalibrationKernel(torch::nn::Linear linear, const std::string& observer)
        : m_linear(std::move(linear)), m_in(Observer::create(observer)), m_out(Observer::create(observer)) {}
    at::Tensor forward(const at::Tensor& x) const override {
        m_in->observe(x);
        at::Tensor y = m_linear->forward(x);
        m_out->observe(y);
        return y;
    }
    Precision precision() const override { return Precision::Fp32; }
    std::string label() const override { return "fp32 (calibrating)"; }
    at::Tensor dequantizedWeight() const override { return m_linear->weight; }
    QParams input() const { return m_in->qparams(); }
    QParams output() const { return m_out->qparams(); }

private:
    mutable torch::nn::Linear m_linear;
    std::unique_ptr<Observer> m_in, m_out;
};

// Takes calibration kernels out again if calibration fails half way.
struct ClearKernels {
    std::vector<NamedLinear>& layers;
    bool armed = true;
    ~ClearKernels() {
        if (!armed) return;
        for (auto& l : layers) {
            if (l.kernel) l.kernel->reset();
        }
    }
};

}  // namespace

std::vector<std::string> DynamicQuantizationOptions::validate() const {
    std::vector<std::string> p;
    if (weights != Precision::Int8 && weights != Precision::Fp16)
        p.push_back(std::string("dynamic quantization stores int8 or fp16 weights (quantization.dtype qint8 or "
                                "float16), got ") +
                    precisionName(weights));
    quantdetail::validateScope(skip, engine, p);
    return p;
}

std::vector<std::string> StaticQuantizationOptions::validate() const {
    std::vector<std::string> p;
    const auto& names = Observer::names();
    if (std::find(names.begin(), names.end(), observer) == names.end())
        p.push_back("unknown observer '" + observer + "' (use one of: " + join(names, ", ") + ")");
    if (calibrationBatches < 1) {
        p.push_back("static quantization needs at least one calibration batch (quantization.calibration_batches = " +
                    std::to_string(calibrationBatches) + ")");
    }
    quantdetail::validateScope(skip, engine, p);
    return p;
}

QuantizationReport PostTrainingQuantization::applyDynamicQuantization(Classifier& model,
                                                                      const DynamicQuantizationOptions& options) {
    const auto problems = options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    setQuantizedEngine(options.engine);
    std::vector<bool> skipped;
    std::vector<NamedLinear> layers = quantdetail::selectLayers(model, options.skip, skipped);
    QuantizationReport report;
    torch::NoGradGuard noGrad;
    // Every kernel first, so a failure leaves the model as it was.
    std::vector<QuantizedLinearPtr> kernels(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        if (skipped[i]) continue;
        const auto& l = layers[i];
        kernels[i] =
            options.weights == Precision::Fp16
                ? makeHalfLinear(l.linear->weight, l.linear->bias, Precision::Fp16)
                : makeDynamicInt8Linear(quantizeWeightInt8(l.linear->weight, options.perChannel), l.linear->bias);
    }
    quantdetail::installKernels(layers, kernels, report);
    if (options.quantizeEmbeddings) quantdetail::quantizeEmbeddingsInt8(model, report);
    return report;
}

QuantizationReport PostTrainingQuantization::applyStaticQuantization(Classifier& model, DataLoader& calibration,
                                                                     const StaticQuantizationOptions& options,
                                                                     const CancellationToken* cancel,
                                                                     const ProgressCallback& progress) {
    const auto problems = options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    if (calibration.numBatches() == 0) throw Error("static quantization: the calibration data has no examples");
    setQuantizedEngine(options.engine);
    std::vector<bool> skipped;
    std::vector<NamedLinear> layers = quantdetail::selectLayers(model, options.skip, skipped);

    std::vector<std::shared_ptr<CalibrationKernel>> observers(layers.size());
    ClearKernels clear{layers};
    for (size_t i = 0; i < layers.size(); ++i) {
        if (skipped[i]) continue;
        observers[i] = std::make_shared<CalibrationKernel>(layers[i].linear, options.observer);
        *layers[i].kernel = observers[i];
    }
    const int64_t batches = std::min<int64_t>(options.calibrationBatches, int64_t(calibration.numBatches()));
    {
        torch::NoGradGuard noGrad;
        EvalModeGuard evalMode(model);
        calibration.setEpoch(0);
        ProgressReporter reporter(progress, batches, "calibrating");
        for (int64_t b = 0; b < batches; ++b) {
            if (cancel) cancel->throwIfCancelled();
            const Batch batch = calibration.batch(size_t(b));
            model.forward(batch.inputIds, batch.attentionMask);
            reporter.update(b + 1);
        }
        reporter.finish();
    }
    QuantizationReport report;
    torch::NoGradGuard noGrad;
    std::vector<QuantizedLinearPtr> kernels(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        if (skipped[i]) continue;
        const Int8Weight w = quantizeWeightInt8(layers[i].linear->weight, options.perChannel);
        kernels[i] = makeStaticInt8Linear(w, layers[i].linear->bias, observers[i]->input(), observers[i]->output());
    }
    clear.armed = false;
    quantdetail::installKernels(layers, kernels, report);
    if (options.quantizeEmbeddings) quantdetail::quantizeEmbeddingsInt8(model, report);
    return report;
}

Fp32Comparison PostTrainingQuantization::compareWithFp32(Classifier& fp32, Classifier& quantized,
                                                         const std::string& fp32Dir, const std::string& quantizedDir) {
    Fp32Comparison c;
    c.fp32MemoryBytes = ModelSizeCalculator::measure(fp32).memoryBytes;
    c.quantizedMemoryBytes = ModelSizeCalculator::measure(quantized).memoryBytes;
    c.memoryRatio = c.quantizedMemoryBytes > 0 ? double(c.fp32MemoryBytes) / double(c.quantizedMemoryBytes) : 0.0;
    if (!fp32Dir.empty() && !quantizedDir.empty()) {
        c.fp32DiskBytes = ModelSizeCalculator::folderBytes(fp32Dir);
        c.quantizedDiskBytes = ModelSizeCalculator::folderBytes(quantizedDir);
        c.diskRatio = c.quantizedDiskBytes > 0 ? double(c.fp32DiskBytes) / double(c.quantizedDiskBytes) : 0.0;
    }
    return c;
}

}  // namespace tpq
