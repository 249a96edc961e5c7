#pragma once
/// \file post_training_quantization.h
/// Post-training quantization of a Classifier (no retraining):
/// - dynamic: each linear layer in scope gets int8 weights prepacked for ONEDNN and
///   quantizes its input on the fly (or, with dtype float16, float16 weights);
/// - static: observers watch each layer's input and output over calibration batches, then
///   the layer runs quantized::linear with the calibrated input/output quantization.
/// Embedding tables are stored as int8 rows by default, so a saved folder is ~4x smaller
/// than fp32 (io/quantized_storage.h). Layers whose name contains a skip entry stay fp32.
///
///     QuantizationReport r = PostTrainingQuantization::applyDynamicQuantization(model);
///     // r.precisionMap: {"layers.0.q_proj", "int8"}, ..., {"classifier", "fp32"}

#include <string>
#include <vector>

#include "models/precision.h"
#include "quant/quant_common.h"
#include "util/progress.h"

namespace tpq {

class DataLoader;

struct DynamicQuantizationOptions {
    Precision weights = Precision::Int8;             // Int8, or Fp16 (quantization.dtype float16: weights stored fp16)
    bool perChannel = true;                          // one weight scale per output channel, else per tensor
    std::vector<std::string> skip = {"classifier"};  // name parts of linear layers kept in fp32
    bool quantizeEmbeddings = true;                  // store embedding tables as int8 rows
    std::string engine = "onednn";                   // quantized engine: onednn or qnnpack

    std::vector<std::string> validate() const;
};

struct StaticQuantizationOptions {
    std::string observer = "minmax";                 // minmax, moving_average, percentile or mse
    int calibrationBatches = 10;                     // batches of the calibration loader to observe (>= 1)
    bool perChannel = true;                          // one weight scale per output channel
    std::vector<std::string> skip = {"classifier"};  // name parts of linear layers kept in fp32
    bool quantizeEmbeddings = true;                  // store embedding tables as int8 rows
    std::string engine = "onednn";                   // quantized engine: onednn or qnnpack

    std::vector<std::string> validate() const;
};

/// Sizes of a float model and its quantized copy, in memory and on disk.
struct Fp32Comparison {
    int64_t fp32MemoryBytes = 0;       // parameters and buffers of the float model
    int64_t quantizedMemoryBytes = 0;  // what the quantized model computes from: kernels' stored weights,
                                       // int8 tables and the remaining float tensors
    double memoryRatio = 0;            // fp32 / quantized
    int64_t fp32DiskBytes = -1;        // model folders on disk; -1 when no folder was given
    int64_t quantizedDiskBytes = -1;
    double diskRatio = 0;  // fp32 / quantized on disk; 0 without folders
};

class PostTrainingQuantization {
public:
    /// Puts a dynamic int8 (or fp16) kernel on every linear layer not skipped. Throws
    /// tpq::Error when the model is already quantized, for a skip entry that names no
    /// layer, or an unavailable engine.
    static QuantizationReport applyDynamicQuantization(Classifier& model,
                                                       const DynamicQuantizationOptions& options = {});

    /// Runs `options.calibrationBatches` batches of `calibration` (fewer if it has fewer)
    /// through the float model with an observer on every layer's input and output, then
    /// gives each layer a static int8 kernel. Throws tpq::Error for zero calibration
    /// batches, an unknown observer, or an empty loader; Cancelled when `cancel` is set.
    static QuantizationReport applyStaticQuantization(Classifier& model, DataLoader& calibration,
                                                      const StaticQuantizationOptions& options = {},
                                                      const CancellationToken* cancel = nullptr,
                                                      const ProgressCallback& progress = {});

    /// Sizes of `fp32` and `quantized` in memory and, when their folders are given, on disk.
    static Fp32Comparison compareWithFp32(Classifier& fp32, Classifier& quantized, const std::string& fp32Dir = "",
                                          const std::string& quantizedDir = "");
};

}  // namespace tpq
