#pragma once
/// \file post_training_quantization.h
/// Post-training quantization of a Classifier. Dynamic int8: every linear layer in scope
/// runs on int8 weights prepacked for the ONEDNN engine, with its input quantized on the
/// fly (DynamicInt8Linear); the float nn::Linear modules stay in the model (for saving in
/// float and for comparing), so this step makes the model faster, not yet smaller in memory.
///
///     QuantizationReport r = PostTrainingQuantization::applyDynamicQuantization(model);
///     // r.precisionMap: {"layers.0.q_proj", "int8"}, ..., {"classifier", "fp32"}

#include <string>
#include <utility>
#include <vector>

namespace tpq {

class Classifier;

struct DynamicQuantizationOptions {
    bool perChannel = true;                       // one weight scale per output channel, else per tensor
    std::vector<std::string> skip = {"classifier"};  // name parts of linear layers kept in fp32
    std::string engine = "onednn";                // quantized engine: onednn or qnnpack

    std::vector<std::string> validate() const;
};

struct QuantizationReport {
    std::vector<std::pair<std::string, std::string>> precisionMap;  // (linear layer, precision)
    int64_t quantizedLayers = 0;
    int64_t floatWeightBytes = 0;  // float32 bytes of the quantized layers' weights
    int64_t int8WeightBytes = 0;   // their int8 values + scales
};

class PostTrainingQuantization {
public:
    /// Puts an int8 kernel on every linear layer not skipped. Throws tpq::Error when a layer
    /// is already quantized, for a skip entry that names no layer, or an unavailable engine.
    static QuantizationReport applyDynamicQuantization(Classifier& model, const DynamicQuantizationOptions& options = {});
};

}  // namespace tpq
