#pragma once
/// \file quantization_aware_training.h
/// Quantization-aware training: each linear layer in scope computes with fake-quantized
/// weights (int8, symmetric, per output channel) and fake-quantized input and output
/// (uint8, affine, per tensor, ranges from moving-average observers), with straight-through
/// gradients (fake_quantize_per_channel_affine / fake_quantize_per_tensor_affine), so
/// fine-tuning learns weights that survive int8. Embedding tables are stored as int8 rows
/// up front and frozen. convert() then gives every layer the real static int8 kernel with
/// the learned ranges; the converted model computes what the fake-quant model simulated.
///
///     QuantizationAwareTraining::prepare(model);
///     Trainer(model, options).train(...);       // fine-tunes through fake quantization
///     QuantizationAwareTraining::convert(model);  // real int8

#include <functional>
#include <string>
#include <vector>

#include "quant/quant_common.h"
#include "train/trainer.h"

namespace tpq {

struct QatOptions {
    std::vector<std::string> skip = {"classifier"};  // name parts of linear layers kept in fp32
    double averagingConstant = 0.01;                 // moving-average observers: range += c * (batch - range)
    bool quantizeEmbeddings = true;                  // int8 embedding tables (frozen during QAT)
    std::string engine = "onednn";                   // quantized engine for the converted model

    std::vector<std::string> validate() const;
};

struct QatResult {
    QuantizationReport report;  // of the converted model (applyQat) or of prepare (train)
    TrainHistory history;
    double startValAccuracy = 0;  // validation accuracy of the fake-quantized model before fine-tuning
    int keptEpoch = 0;            // the epoch whose weights were kept (best validation accuracy); 0 = the start
};

class QuantizationAwareTraining {
public:
    /// Puts fake-quantization kernels on the layers in scope. Throws tpq::Error when the
    /// model is already quantized or a skip entry names no layer.
    static QuantizationReport prepare(Classifier& model, const QatOptions& options = {});
    /// True when prepare() was applied and convert() not yet.
    static bool isPrepared(Classifier& model);
    /// Replaces the fake-quantization kernels by static int8 kernels. Throws tpq::Error
    /// when the model was not prepared or a layer has seen no training batch.
    static QuantizationReport convert(Classifier& model, const QatOptions& options = {});

    /// prepare, observe `calibrationBatches` training batches (ranges only), measure the
    /// fake-quantized start on `validation`, fine-tune with the Trainer and keep the best
    /// validation epoch — the start counts as epoch 0, so fine-tuning never makes it worse.
    /// The model stays prepared (fake quantization); convert() makes it int8.
    static QatResult train(Classifier& model, DataLoader& train, DataLoader& validation,
                           const TrainerOptions& trainerOptions, const QatOptions& options, int calibrationBatches,
                           const std::function<void(const TrainProgress&)>& progress, const CancellationToken* cancel);

    /// train() then convert(): the seed's apply_qat.
    static QatResult applyQat(Classifier& model, DataLoader& train, DataLoader& validation,
                              const TrainerOptions& trainerOptions, const QatOptions& options,
                              const std::function<void(const TrainProgress&)>& progress,
                              const CancellationToken* cancel);
};

}  // namespace tpq
