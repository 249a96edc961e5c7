#pragma once
// ONNX Runtime beside our engine, for `tpq evaluate --engine ort` and `tpq bench --engine ort`:
// a model folder exported to ONNX (export/model_export.h) and run by onnxruntime-node
// (third_party/npm, installed by scripts/setup) through tests/ort/run_onnx.js in a node
// process. What a user deploys with, measured on the same weights and inputs as ours.

#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace tpq {
class CancellationToken;
}

namespace tpq::cli {

/// One batch of inputs: input_ids and attention_mask, int64 [rows, length].
using OrtBatch = std::pair<at::Tensor, at::Tensor>;

struct OrtResult {
    at::Tensor logits;       // float [all rows of all batches, labels]
    std::vector<double> ms;  // with rounds > 0: wall milliseconds of each timed pass over the batches
};

class OrtEngine {
public:
    /// Finds node and run_onnx.js (next to the source tree the binary was built in, or
    /// $TPQ_ORT_SCRIPT). Throws tpq::Error saying what to install when either is missing.
    OrtEngine();

    /// Exports `modelDir` to `onnxPath` (opset 17, replacing it) for the runs below.
    static void exportModel(const std::string& modelDir, const std::string& onnxPath);

    /// Runs `onnxPath` on `batches` (once, then `rounds` timed passes) with `threads` intra-op
    /// threads (0 = ORT's default). Throws tpq::Error with ORT's message when the run fails,
    /// tpq::Cancelled when `cancel` is set (the node process is killed within 0.1 s).
    OrtResult run(const std::string& onnxPath, const std::vector<OrtBatch>& batches, int rounds, int threads,
                  const CancellationToken* cancel) const;

private:
    std::string m_node, m_script;
};

}  // namespace tpq::cli
