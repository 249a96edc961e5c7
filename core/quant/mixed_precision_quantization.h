#pragma once
/// \file mixed_precision_quantization.h
/// Mixed precision: measure how much each linear layer suffers when it alone is
/// quantized (analyzeLayerSensitivity), keep the most sensitive ones in higher precision
/// (selectSensitiveLayers), and give every layer its own precision among fp32, bf16,
/// fp16, int8 (dynamic) and int4 (weight-only, group-wise scales). estimateModelSize tells
/// the bytes of a plan before applying it; searchBudget finds the smallest plan whose
/// accuracy drop stays within a budget.
///
///     MixedPrecisionQuantization mp(model, options);
///     mp.analyzeLayerSensitivity(validation);
///     auto plan = mp.planFor(mp.selectSensitiveLayers(5), "bf16", /*int4Layers=*/6);
///     QuantizationReport r = mp.applyMixedPrecision(plan);

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quant/layer_sensitivity.h"
#include "quant/quant_common.h"
#include "util/progress.h"

namespace tpq {

class DataLoader;

struct MixedPrecisionOptions {
    int numSamples = 100;                            // validation examples for the sensitivity analysis (>= 1)
    int64_t int4GroupSize = 32;                      // inputs per int4 scale (even; must divide a layer's inputs)
    std::vector<std::string> skip = {"classifier"};  // name parts of linear layers always kept fp32
    bool quantizeEmbeddings = true;                  // store embedding tables as int8 rows
    std::string engine = "onednn";                   // quantized engine for int8 layers

    std::vector<std::string> validate() const;
};

/// Layer name -> precision ("fp32", "bf16", "fp16", "int8", "int4").
using PrecisionPlan = std::map<std::string, std::string>;

class MixedPrecisionQuantization {
public:
    /// The model is borrowed and must be a float model.
    MixedPrecisionQuantization(Classifier& model, MixedPrecisionOptions options);

    /// Quantizes one layer at a time (int8, then int4) on the first numSamples examples of
    /// `loader`; the model is left as it was. Sorted most sensitive first (int8 loss change,
    /// then int4). Cancelled when `cancel` is set.
    const std::vector<LayerSensitivity>& analyzeLayerSensitivity(DataLoader& loader,
                                                                 const CancellationToken* cancel = nullptr,
                                                                 const ProgressCallback& progress = {});
    const std::vector<LayerSensitivity>& sensitivity() const { return m_sensitivity; }

    /// The `topK` most sensitive layers (needs analyzeLayerSensitivity first).
    std::vector<std::string> selectSensitiveLayers(int topK) const;

    /// A full plan: `sensitive` layers in `sensitivePrecision`, the `int4Layers` least
    /// sensitive other layers in int4 (only layers whose input width the group size divides),
    /// every other quantizable layer int8, skipped layers fp32.
    PrecisionPlan planFor(const std::vector<std::string>& sensitive, const std::string& sensitivePrecision,
                          int int4Layers) const;

    /// Gives each layer its precision (layers missing from `plan` get int8, skipped ones
    /// fp32). Throws tpq::Error for an unknown layer or precision name, int4 on a layer whose
    /// input width the group size does not divide, or an already quantized model.
    QuantizationReport applyMixedPrecision(const PrecisionPlan& plan);

    /// Bytes of the model's tensors under `plan` (as a saved file holds them, without headers).
    int64_t estimateModelSize(const PrecisionPlan& plan);

    /// The smallest plan (most int4 layers, least sensitive first, rest int8) whose accuracy
    /// on `loader` stays within `maxAccuracyDrop` (fraction) of fp32; the model is left float.
    PrecisionPlan searchBudget(DataLoader& loader, double maxAccuracyDrop, const CancellationToken* cancel = nullptr);

private:
    Classifier& m_model;
    MixedPrecisionOptions m_options;
    std::vector<LayerSensitivity> m_sensitivity;
    bool m_analyzed = false;
};

}  // namespace tpq
