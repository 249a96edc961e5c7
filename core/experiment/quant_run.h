#pragma once
/// \file quant_run.h
/// `tpq quantize`: quantizes a trained model folder (dynamic, static, QAT or mixed
/// precision, with the config's quantization keys), saves the quantized model folder,
/// reloads and tests it, and measures it beside the float model.

#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "experiment/method.h"
#include "experiment/run_result.h"
#include "experiment/train_run.h"
#include "models/precision.h"

namespace tpq {

/// What a quantization run needs besides its config; made by resolve() (step_plan.h).
struct QuantRunOptions {
    std::string modelDir;             // the float model folder to start from (it is not modified)
    Method method = Method::Dynamic;  // Dynamic, Static, Qat or Mixed
    std::string compareWith;          // combined runs: the unpruned baseline folder the quantized model is tested and
                                      // measured against ("" = modelDir); the run's method is then "combined"
    std::string runId;                // the run's id, as used; mixed: "<runId>_<setting>" per setting
};

/// Writes for each run <checkpoint_dir>/<run>/ (the quantized folder; tpq.json gains
/// "quantization") and <results_dir>/<run>/result.json with precision_map, size_ratio,
/// compression_ratio, speedup, memory_ratio, accuracy_drop (+ fake_quant_accuracy for QAT,
/// layer_sensitivity for mixed). Runs:
///   dynamic  "<model>_dynamic_int8" (or _fp16 with dtype float16)
///   static   "<model>_static_int8_<observer>", calibrated on quantization.calibration_batches
///            training batches
///   qat      "<model>_qat_int8", quantization.qat.epochs of fine-tuning, then convert
///   mixed    one run per setting: "<model>_mixed_all_int8", "<model>_mixed_top<k>_<precision>",
///            "<model>_mixed_int4_<n>" and, with max_accuracy_drop, "<model>_mixed_budget"
/// quantization.dtype as a precision: qint8 -> Int8, float16 -> Fp16; tpq::Error for
/// anything else.
Precision dynamicWeights(const QuantizationConfig& q);

std::vector<RunResult> runQuantization(const ExperimentConfig& config, const QuantRunOptions& options,
                                       const TrainRunCallbacks& callbacks);

}  // namespace tpq
