#pragma once
/// \file quant_common.h
/// What every quantization method shares: the report (precision per layer, bytes), the
/// choice of layers (a skip list of name parts, checked against the model), refusing an
/// already quantized model, and int8 embedding tables.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/classifier.h"

namespace tpq {

struct QuantizationReport {
    std::vector<std::pair<std::string, std::string>> precisionMap;  // (layer or embedding table, precision)
    int64_t quantizedLayers = 0;                                    // linear layers given a quantized kernel
    int64_t quantizedTables = 0;                                    // embedding tables stored in int8
    int64_t floatWeightBytes = 0;                                   // float32 bytes of everything quantized
    int64_t quantizedWeightBytes = 0;  // the same weights as stored quantized (values + scales)
};

namespace quantdetail {

/// The model's linear layers, after checking that no layer is quantized yet and that every
/// skip entry names a layer ("classifier" may be absent). `skipped[i]` tells whether
/// layer i matches the skip list.
std::vector<NamedLinear> selectLayers(Classifier& model, const std::vector<std::string>& skip,
                                      std::vector<bool>& skipped);

/// Problems with a skip list (empty entries) and an engine name (onednn or qnnpack).
void validateScope(const std::vector<std::string>& skip, const std::string& engine, std::vector<std::string>& problems);

/// Stores every embedding table as int8 rows (Int8Table); the parameter takes the
/// dequantized values. Adds the tables to `report`.
void quantizeEmbeddingsInt8(Classifier& model, QuantizationReport& report);

/// Gives layers[i] the kernel kernels[i] (releasing its float weight) or, when that is null,
/// leaves it fp32; records each in `report`. Build every kernel before calling this, so a
/// failure leaves the model untouched.
template <class Kernel>
void installKernels(std::vector<NamedLinear>& layers, const std::vector<std::shared_ptr<const Kernel>>& kernels,
                    QuantizationReport& report);

/// Records the int8 embedding table `name` in `report`.
void recordTable(const std::string& name, const Int8Table& table, QuantizationReport& report);

void installKernel(NamedLinear& layer, LinearKernelPtr kernel, int64_t storedBytes, QuantizationReport& report);

template <class Kernel>
void installKernels(std::vector<NamedLinear>& layers, const std::vector<std::shared_ptr<const Kernel>>& kernels,
                    QuantizationReport& report) {
    for (size_t i = 0; i < layers.size(); ++i) {
        installKernel(layers[i], kernels[i], kernels[i] ? kernels[i]->storedBytes() : 0, report);
    }
}

}  // namespace quantdetail
}  // namespace tpq
