#include "quant/quantization_aware_training.h"

#include <algorithm>
#include <memory>

#include <torch/torch.h>

#include "quant/int8_kernels.h"
#include "quant/observers.h"
#include "quant/quantized_linear.h"
#include "train/evaluator.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

// A linear layer trained through fake quantization. Observers move only in training mode.
class FakeQuantKernel : public LinearKernel {
public:
    FakeQuantKernel(torch::nn::Linear linear, double c)
        : m_linear(std::move(linear)),
          m_in(Observer::create("moving_average", c)),
          m_out(Observer::create("moving_average", c)) {}

    at::Tensor forward(const at::Tensor& x) const override {
        const bool training = m_linear->is_training();
        if (training || m_in->empty()) m_in->observe(x);
        const QParams in = m_in->qparams();
        const at::Tensor xq = at::fake_quantize_per_tensor_affine(x, in.scale, in.zeroPoint, 0, 255);
        const at::Tensor& w = m_linear->weight;
        const at::Tensor scales = (w.detach().abs().amax(1) / 127.0).clamp_min(1e-12);
        const at::Tensor zeros = torch::zeros({w.size(0)}, torch::kInt);
        const at::Tensor wq = at::fake_quantize_per_channel_affine(w, scales, zeros, 0, -127, 127);
        const at::Tensor y = torch::linear(xq, wq, m_linear->bias);
        if (training || m_out->empty()) m_out->observe(y);
        const QParams out = m_out->qparams();
        return at::fake_quantize_per_tensor_affine(y, out.scale, out.zeroPoint, 0, 255);
    }
    Precision precision() const override { return Precision::Int8; }
    std::string label() const override { return "int8 (fake quantization)"; }
    at::Tensor dequantizedWeight() const override { return m_linear->weight; }
    QParams input() const { return m_in->qparams(); }
    QParams output() const { return m_out->qparams(); }
    /// The same layer with copies of the observers as they are now (a snapshot).
    std::shared_ptr<FakeQuantKernel> snapshot() const {
        auto k = std::make_shared<FakeQuantKernel>(m_linear, 0.01);
        k->m_in = m_in->clone();
        k->m_out = m_out->clone();
        return k;
    }

private:
    torch::nn::Linear m_linear;
    std::unique_ptr<Observer> m_in, m_out;
};

}  // namespace

std::vector<std::string> QatOptions::validate() const {
    std::vector<std::string> p;
    if (!(averagingConstant > 0 && averagingConstant <= 1))
        p.push_back("QAT averaging constant must be in (0, 1], got " + formatFixed(averagingConstant, 4));
    quantdetail::validateScope(skip, engine, p);
    return p;
}

QuantizationReport QuantizationAwareTraining::prepare(Classifier& model, const QatOptions& options) {
    const auto problems = options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    setQuantizedEngine(options.engine);  // fails now, not after the fine-tuning
    std::vector<bool> skipped;
    std::vector<NamedLinear> layers = quantdetail::selectLayers(model, options.skip, skipped);
    QuantizationReport report;
    // The float weights stay: fine-tuning trains them through the fake quantization.
    for (size_t i = 0; i < layers.size(); ++i) {
        report.precisionMap.emplace_back(layers[i].name, skipped[i] ? "fp32" : "int8");
        if (skipped[i]) continue;
        *layers[i].kernel = std::make_shared<FakeQuantKernel>(layers[i].linear, options.averagingConstant);
        ++report.quantizedLayers;
    }
    if (options.quantizeEmbeddings) quantdetail::quantizeEmbeddingsInt8(model, report);  // released: frozen
    return report;
}

bool QuantizationAwareTraining::isPrepared(Classifier& model) {
    for (const auto& l : model.linearLayers()) {
        if (l.kernel && *l.kernel && dynamic_cast<const FakeQuantKernel*>(l.kernel->get())) return true;
    }
    return false;
}

QuantizationReport QuantizationAwareTraining::convert(Classifier& model, const QatOptions& options) {
    if (!isPrepared(model)) {
        throw Error("QAT convert: the model has no fake-quantization layers; call prepare() and fine-tune first");
    }
    setQuantizedEngine(options.engine);
    torch::NoGradGuard noGrad;
    QuantizationReport report;
    std::vector<NamedLinear> layers = model.linearLayers();
    std::vector<QuantizedLinearPtr> kernels(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto* fake = layers[i].kernel && *layers[i].kernel
                               ? dynamic_cast<const FakeQuantKernel*>(layers[i].kernel->get())
                               : nullptr;
        if (!fake) continue;
        const Int8Weight w = quantizeWeightInt8(layers[i].linear->weight, /*perChannel=*/true);
        kernels[i] = makeStaticInt8Linear(w, layers[i].linear->bias, fake->input(), fake->output());
    }
    quantdetail::installKernels(layers, kernels, report);
    for (const auto& [name, table] : model.int8Embeddings()) quantdetail::recordTable(name, table, report);
    return report;
}

namespace {

// Weights and observer ranges of a prepared model at one point of training.
struct QatSnapshot {
    std::vector<at::Tensor> parameters;
    std::vector<LinearKernelPtr> kernels;

    static QatSnapshot take(Classifier& model) {
        torch::NoGradGuard noGrad;
        QatSnapshot s;
        for (const auto& p : model.parameters()) {
            s.parameters.push_back(p.requires_grad() ? p.detach().clone() : at::Tensor());  // frozen ones do not move
        }
        for (const auto& l : model.linearLayers()) {
            const auto* fake = l.kernel && *l.kernel ? dynamic_cast<const FakeQuantKernel*>(l.kernel->get()) : nullptr;
            s.kernels.push_back(fake ? LinearKernelPtr(fake->snapshot()) : LinearKernelPtr());
        }
        return s;
    }
    void restore(Classifier& model) const {
        torch::NoGradGuard noGrad;
        auto params = model.parameters();
        for (size_t i = 0; i < params.size(); ++i) {
            if (parameters[i].defined()) params[i].copy_(parameters[i]);
        }
        auto layers = model.linearLayers();
        for (size_t i = 0; i < layers.size(); ++i) {
            if (kernels[i]) *layers[i].kernel = kernels[i];
        }
    }
};

}  // namespace

QatResult QuantizationAwareTraining::train(Classifier& model, DataLoader& train, DataLoader& validation,
                                           const TrainerOptions& trainerOptions, const QatOptions& options,
                                           int calibrationBatches,
                                           const std::function<void(const TrainProgress&)>& progress,
                                           const CancellationToken* cancel) {
    QatResult r;
    if (validation.size() == 0) {
        throw Error(
            "QAT needs validation data to keep its best epoch (data.val_ratio is 0); give it a validation split");
    }
    r.report = prepare(model, options);
    {
        // Ranges from a few training batches before the first step (train mode: observers move).
        torch::NoGradGuard noGrad;
        const bool wasTraining = model.is_training();
        model.train();
        train.setEpoch(0);
        const size_t n = std::min<size_t>(size_t(std::max(calibrationBatches, 1)), train.numBatches());
        for (size_t b = 0; b < n; ++b) {
            if (cancel) cancel->throwIfCancelled();
            const Batch batch = train.batch(b);
            model.forward(batch.inputIds, batch.attentionMask);
        }
        model.train(wasTraining);
    }
    r.startValAccuracy = Evaluator(model).evaluate(validation, cancel).accuracy;
    QatSnapshot best = QatSnapshot::take(model);
    double bestAccuracy = r.startValAccuracy;
    Trainer trainer(model, trainerOptions);
    r.history = trainer.train(train, validation, progress, cancel, [&](int epoch, const EpochRecord& record) {
        if (record.valAccuracy > bestAccuracy) {
            bestAccuracy = record.valAccuracy;
            best = QatSnapshot::take(model);
            r.keptEpoch = epoch;
        }
    });
    best.restore(model);
    return r;
}

QatResult QuantizationAwareTraining::applyQat(Classifier& model, DataLoader& train, DataLoader& validation,
                                              const TrainerOptions& trainerOptions, const QatOptions& options,
                                              const std::function<void(const TrainProgress&)>& progress,
                                              const CancellationToken* cancel) {
    QatResult r =
        QuantizationAwareTraining::train(model, train, validation, trainerOptions, options, 10, progress, cancel);
    r.report = convert(model, options);
    return r;
}

}  // namespace tpq
