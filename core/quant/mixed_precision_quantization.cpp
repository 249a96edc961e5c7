#include "quant/mixed_precision_quantization.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <torch/torch.h>

#include "data/data_loader.h"
#include "models/architecture_estimate.h"
#include "models/safetensors.h"
#include "quant/int8_kernels.h"
#include "quant/quantized_linear.h"
#include "train/eval_mode_guard.h"
#include "train/evaluator.h"
#include "util/error.h"
#include "util/logging.h"
#include "util/strings.h"

namespace tpq {
namespace {

bool skippedBy(const std::string& name, const std::vector<std::string>& skip) {
    return std::any_of(skip.begin(), skip.end(),
                       [&](const std::string& s) { return name.find(s) != std::string::npos; });
}

QuantizedLinearPtr makeKernel(const NamedLinear& l, Precision precision, int64_t groupSize) {
    switch (precision) {
        case Precision::Fp32:
            return nullptr;
        case Precision::Bf16:
        case Precision::Fp16:
            return makeHalfLinear(l.linear->weight, l.linear->bias, precision);
        case Precision::Int8:
            return makeDynamicInt8Linear(quantizeWeightInt8(l.linear->weight, true), l.linear->bias);
        case Precision::Int4:
            try {
                return makeInt4Linear(quantizeWeightInt4(l.linear->weight, groupSize), l.linear->bias);
            } catch (const Error& e) {
                throw Error("layer " + l.name + ": " + e.what());
            }
    }
    return nullptr;
}

bool int4Fits(const NamedLinear& l, int64_t groupSize) {
    return groupSize > 0 && l.linear->weight.size(1) % groupSize == 0;
}

// Loss and accuracy over the first `n` examples of `loader`.
std::pair<double, double> measureFirst(Classifier& model, DataLoader& loader, int64_t n,
                                       const CancellationToken* cancel) {
    torch::NoGradGuard noGrad;
    EvalModeGuard evalMode(model);
    loader.setEpoch(0);
    double loss = 0, correct = 0;
    int64_t seen = 0;
    for (size_t b = 0; b < loader.numBatches() && seen < n; ++b) {
        if (cancel) cancel->throwIfCancelled();
        const Batch batch = loader.batch(b);
        const int64_t take = std::min<int64_t>(n - seen, batch.labels.size(0));
        const at::Tensor logits = model.forward(batch.inputIds, batch.attentionMask).narrow(0, 0, take);
        const at::Tensor labels = batch.labels.narrow(0, 0, take);
        loss += torch::nn::functional::cross_entropy(
                    logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
        correct += logits.argmax(1).eq(labels).sum().item<double>();
        seen += take;
    }
    if (seen == 0) throw Error("mixed precision: the validation data has no examples");
    return {loss / double(seen), correct / double(seen)};
}

// Installs kernels for a plan without touching the float weights; removes them when destroyed.
class TemporaryKernels {
public:
    TemporaryKernels(std::vector<NamedLinear>& layers, const PrecisionPlan& plan, int64_t groupSize)
        : m_layers(layers) {
        try {
            for (auto& l : m_layers) {
                const auto it = plan.find(l.name);
                if (it != plan.end() && l.kernel)
                    *l.kernel = makeKernel(l, requirePrecision(it->second, "layer " + l.name), groupSize);
            }
        } catch (...) {
            clear();
            throw;
        }
    }
    ~TemporaryKernels() { clear(); }

private:
    void clear() {
        for (auto& l : m_layers) {
            if (l.kernel) l.kernel->reset();
        }
    }

    std::vector<NamedLinear>& m_layers;
};

}  // namespace

std::vector<std::string> MixedPrecisionOptions::validate() const {
    std::vector<std::string> p;
    if (numSamples < 1)
        p.push_back("quantization.mixed_precision.num_samples must be >= 1, got " + std::to_string(numSamples));
    if (int4GroupSize <= 0 || int4GroupSize % 2 != 0) {
        p.push_back("quantization.mixed_precision.group_size must be a positive even number, got " +
                    std::to_string(int4GroupSize));
    }
    quantdetail::validateScope(skip, engine, p);
    return p;
}

MixedPrecisionQuantization::MixedPrecisionQuantization(Classifier& model, MixedPrecisionOptions options)
    : m_model(model), m_options(std::move(options)) {
    const auto problems = m_options.validate();
    if (!problems.empty()) throw Error(join(problems, "; "));
    std::vector<bool> skipped;
    quantdetail::selectLayers(m_model, m_options.skip, skipped);  // checks: float model, skip entries exist
    setQuantizedEngine(m_options.engine);
}

const std::vector<LayerSensitivity>& MixedPrecisionQuantization::analyzeLayerSensitivity(
    DataLoader& loader, const CancellationToken* cancel, const ProgressCallback& progress) {
    std::vector<NamedLinear> layers = m_model.linearLayers();
    const auto [baseLoss, baseAccuracy] = measureFirst(m_model, loader, m_options.numSamples, cancel);
    std::vector<LayerSensitivity> out;
    int64_t total = 0;
    for (const auto& l : layers) total += skippedBy(l.name, m_options.skip) ? 0 : 1;
    ProgressReporter reporter(progress, total, "layer sensitivity");
    for (const auto& l : layers) {
        if (skippedBy(l.name, m_options.skip) || !l.kernel) continue;
        LayerSensitivity s;
        s.layer = l.name;
        {
            TemporaryKernels k(layers, {{l.name, "int8"}}, m_options.int4GroupSize);
            const auto [loss, acc] = measureFirst(m_model, loader, m_options.numSamples, cancel);
            s.lossDeltaInt8 = loss - baseLoss;
            s.accuracyDeltaInt8 = acc - baseAccuracy;
        }
        if (int4Fits(l, m_options.int4GroupSize)) {
            TemporaryKernels k(layers, {{l.name, "int4"}}, m_options.int4GroupSize);
            const auto [loss, acc] = measureFirst(m_model, loader, m_options.numSamples, cancel);
            s.lossDeltaInt4 = loss - baseLoss;
            s.accuracyDeltaInt4 = acc - baseAccuracy;
        } else {
            s.lossDeltaInt4 = s.accuracyDeltaInt4 = std::numeric_limits<double>::quiet_NaN();
        }
        out.push_back(s);
        reporter.update(int64_t(out.size()), l.name);
    }
    reporter.finish();
    std::stable_sort(out.begin(), out.end(), [](const LayerSensitivity& a, const LayerSensitivity& b) {
        if (a.lossDeltaInt8 != b.lossDeltaInt8) return a.lossDeltaInt8 > b.lossDeltaInt8;
        const double a4 = std::isnan(a.lossDeltaInt4) ? 1e30 : a.lossDeltaInt4;
        const double b4 = std::isnan(b.lossDeltaInt4) ? 1e30 : b.lossDeltaInt4;
        return a4 > b4;
    });
    if (out.empty()) {
        throw Error("mixed precision: no linear layer is in scope (the skip list " + join(m_options.skip, ", ") +
                    " covers them all)");
    }
    m_sensitivity = out;
    m_analyzed = true;
    return m_sensitivity;
}

std::vector<std::string> MixedPrecisionQuantization::selectSensitiveLayers(int topK) const {
    if (!m_analyzed) throw Error("select sensitive layers: run analyzeLayerSensitivity first");
    std::vector<std::string> out;
    for (size_t i = 0; i < m_sensitivity.size() && int(i) < topK; ++i) out.push_back(m_sensitivity[i].layer);
    return out;
}

PrecisionPlan MixedPrecisionQuantization::planFor(const std::vector<std::string>& sensitive,
                                                  const std::string& sensitivePrecision, int int4Layers) const {
    PrecisionPlan plan;
    std::vector<NamedLinear> layers = m_model.linearLayers();
    for (const auto& l : layers) plan[l.name] = skippedBy(l.name, m_options.skip) ? "fp32" : "int8";
    for (const auto& s : sensitive) plan[s] = sensitivePrecision;
    // Least sensitive first: by int4 loss change when known, else by the int8 order reversed.
    std::vector<LayerSensitivity> order = m_sensitivity;
    std::stable_sort(order.begin(), order.end(), [](const LayerSensitivity& a, const LayerSensitivity& b) {
        const double a4 = std::isnan(a.lossDeltaInt4) ? 1e30 : a.lossDeltaInt4;
        const double b4 = std::isnan(b.lossDeltaInt4) ? 1e30 : b.lossDeltaInt4;
        return a4 < b4;
    });
    const std::set<std::string> keep(sensitive.begin(), sensitive.end());
    int given = 0;
    for (const auto& s : order) {
        if (given >= int4Layers) break;
        if (keep.count(s.layer) || std::isnan(s.lossDeltaInt4)) continue;
        plan[s.layer] = "int4";
        ++given;
    }
    return plan;
}

QuantizationReport MixedPrecisionQuantization::applyMixedPrecision(const PrecisionPlan& plan) {
    std::vector<bool> skipped;
    std::vector<NamedLinear> layers = quantdetail::selectLayers(m_model, m_options.skip, skipped);
    std::map<std::string, Precision> parsed;  // the plan's names, read once
    for (const auto& [layer, precision] : plan) {
        if (std::none_of(layers.begin(), layers.end(), [&](const NamedLinear& l) { return l.name == layer; })) {
            throw Error("mixed precision plan names layer '" + layer + "', which this " + m_model.architecture() +
                        " model does not have (its layers are named like '" + layers.front().name + "')");
        }
        parsed[layer] = requirePrecision(precision, "mixed precision plan, layer " + layer);
    }
    // Build every kernel first, so a bad layer leaves the model untouched.
    std::vector<QuantizedLinearPtr> kernels(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto it = parsed.find(layers[i].name);
        const Precision precision = it != parsed.end() ? it->second : (skipped[i] ? Precision::Fp32 : Precision::Int8);
        if (layers[i].kernel) kernels[i] = makeKernel(layers[i], precision, m_options.int4GroupSize);
    }
    QuantizationReport report;
    quantdetail::installKernels(layers, kernels, report);
    if (m_options.quantizeEmbeddings) quantdetail::quantizeEmbeddingsInt8(m_model, report);
    return report;
}

int64_t MixedPrecisionQuantization::estimateModelSize(const PrecisionPlan& plan) {
    // The plan made complete (skipped layers fp32, the rest int8), then the same rule the
    // GUI applies to a saved model's header (estimatePlanBytes).
    PrecisionPlan full = plan;
    for (const auto& l : m_model.linearLayers())
        full.emplace(l.name, skippedBy(l.name, m_options.skip) ? "fp32" : "int8");
    std::vector<TensorShape> shapes;
    for (const auto& p : m_model.named_parameters())
        shapes.push_back({p.key(), safetensorsDtypeName(p.value().scalar_type()), p.value().sizes().vec()});
    for (const auto& b : m_model.named_buffers())
        shapes.push_back({b.key(), safetensorsDtypeName(b.value().scalar_type()), b.value().sizes().vec()});
    return estimatePlanBytes(shapes, full, m_options.int4GroupSize, m_options.quantizeEmbeddings);
}

PrecisionPlan MixedPrecisionQuantization::searchBudget(DataLoader& loader, double maxAccuracyDrop,
                                                       const CancellationToken* cancel) {
    if (!m_analyzed) throw Error("budget search: run analyzeLayerSensitivity first");
    if (!(maxAccuracyDrop >= 0)) throw Error("budget search: the accuracy budget must be >= 0");
    std::vector<NamedLinear> layers = m_model.linearLayers();
    const double base = Evaluator(m_model).evaluate(loader, cancel).accuracy;
    int candidates = 0;
    for (const auto& s : m_sensitivity) candidates += std::isnan(s.lossDeltaInt4) ? 0 : 1;
    auto accuracyWith = [&](const PrecisionPlan& plan) {
        TemporaryKernels k(layers, plan, m_options.int4GroupSize);
        return Evaluator(m_model).evaluate(loader, cancel).accuracy;
    };
    // Binary search on the number of int4 layers (accuracy falls as more layers go int4).
    int lo = 0, hi = candidates;
    PrecisionPlan best = planFor({}, "int8", 0);
    if (base - accuracyWith(best) > maxAccuracyDrop) {
        logWarning("mixed precision budget: even all-int8 drops more than the budget; keeping all int8");
        return best;
    }
    while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        const PrecisionPlan plan = planFor({}, "int8", mid);
        if (base - accuracyWith(plan) <= maxAccuracyDrop) {
            lo = mid;
            best = plan;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

}  // namespace tpq
