#include "train/evaluator.h"

#include <torch/torch.h>

#include "data/data_loader.h"
#include "models/classifier.h"
#include "train/eval_mode_guard.h"
#include "util/error.h"

namespace tpq {

/// One pass over a loader, indexed by example.
struct Evaluator::Pass {
    std::vector<int64_t> predictions;
    std::vector<int64_t> labels;
    std::vector<std::vector<float>> probabilities;  // empty unless asked for
    double lossSum = 0.0;
};

Evaluator::Pass Evaluator::run(DataLoader& loader, bool keepProbabilities, const CancellationToken* cancel,
                               const ProgressCallback& progress) {
    if (loader.size() == 0) {
        throw Error("nothing to evaluate: the data loader has no examples (check the dataset split fractions)");
    }
    const int64_t numLabels = m_model.numLabels();
    loader.setEpoch(0);
    EvalModeGuard evalMode(m_model);
    torch::NoGradGuard noGrad;

    Pass pass;
    pass.predictions.assign(loader.size(), -1);
    pass.labels.assign(loader.size(), -1);
    if (keepProbabilities) pass.probabilities.resize(loader.size());
    ProgressReporter reporter(progress, int64_t(loader.numBatches()), "evaluating");
    for (size_t b = 0; b < loader.numBatches(); ++b) {
        if (cancel) cancel->throwIfCancelled();
        const Batch batch = loader.batch(b);
        const auto labels = batch.labels.accessor<int64_t, 1>();
        for (size_t r = 0; r < batch.indices.size(); ++r) {
            const int64_t label = labels[int64_t(r)];
            if (label < 0 || label >= numLabels) {
                throw Error("example " + std::to_string(batch.indices[r]) + " has label " + std::to_string(label) +
                            " but the model has " + std::to_string(numLabels) +
                            " labels; the model and the dataset must have the same classes");
            }
        }
        const at::Tensor logits = m_model.forward(batch.inputIds, batch.attentionMask).to(torch::kFloat32);
        if (logits.dim() != 2 || logits.size(0) != int64_t(batch.indices.size()) || logits.size(1) != numLabels) {
            throw Error("the model returned logits of shape " + c10::str(logits.sizes()) + ", expected [" +
                        std::to_string(batch.indices.size()) + ", " + std::to_string(numLabels) + "]");
        }
        const at::Tensor finite = torch::isfinite(logits);
        if (!finite.all().item<bool>()) {
            const int64_t row = (~finite).any(1).nonzero().index({0, 0}).item<int64_t>();
            throw Error("the model gave a non-finite score (NaN or infinite) for example " +
                        std::to_string(batch.indices[size_t(row)]) +
                        "; its weights are damaged or its training diverged: no prediction is made. Train or save "
                        "the model again (a lower learning rate if training diverged)");
        }
        pass.lossSum +=
            torch::nn::functional::cross_entropy(
                logits, batch.labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
        const at::Tensor predicted = logits.argmax(1).contiguous();
        const auto pred = predicted.accessor<int64_t, 1>();
        at::Tensor probs;
        if (keepProbabilities) probs = torch::softmax(logits, 1).contiguous();
        for (size_t r = 0; r < batch.indices.size(); ++r) {
            const size_t index = batch.indices[r];
            pass.predictions[index] = pred[int64_t(r)];
            pass.labels[index] = labels[int64_t(r)];
            if (keepProbabilities) {
                const float* row = probs[int64_t(r)].data_ptr<float>();
                pass.probabilities[index].assign(row, row + numLabels);
            }
        }
        reporter.update(int64_t(b) + 1);
    }
    reporter.finish();
    return pass;
}

ClassificationMetrics Evaluator::evaluate(DataLoader& loader, const CancellationToken* cancel,
                                          const ProgressCallback& progress) {
    const Pass pass = run(loader, false, cancel, progress);
    return computeMetrics(pass.predictions, pass.labels, m_model.numLabels(),
                          pass.lossSum / double(pass.labels.size()));
}

Evaluator::Predictions Evaluator::predict(DataLoader& loader, const CancellationToken* cancel,
                                          const ProgressCallback& progress) {
    Pass pass = run(loader, true, cancel, progress);
    Predictions out;
    out.labels = std::move(pass.predictions);
    out.probabilities = std::move(pass.probabilities);
    return out;
}

Evaluator::DetailedReport Evaluator::evaluateDetailed(DataLoader& loader, const std::vector<std::string>& labelNames,
                                                      const CancellationToken* cancel,
                                                      const ProgressCallback& progress) {
    if (int64_t(labelNames.size()) != m_model.numLabels()) {
        throw Error("evaluateDetailed: " + std::to_string(labelNames.size()) + " label names for a model with " +
                    std::to_string(m_model.numLabels()) + " labels; pass the model's label names (id2label)");
    }
    const Pass pass = run(loader, false, cancel, progress);
    DetailedReport out;
    out.metrics =
        computeMetrics(pass.predictions, pass.labels, m_model.numLabels(), pass.lossSum / double(pass.labels.size()));
    out.perClass = perClassReport(pass.predictions, pass.labels, labelNames);
    return out;
}

Evaluator::ModelComparison Evaluator::compareModels(Classifier& a, Classifier& b, DataLoader& loader,
                                                    const CancellationToken* cancel) {
    if (a.numLabels() != b.numLabels()) {
        throw Error("compareModels: model A has " + std::to_string(a.numLabels()) + " labels but model B has " +
                    std::to_string(b.numLabels()) + "; compare models of the same task");
    }
    const Pass pa = Evaluator(a).run(loader, false, cancel, {});
    const Pass pb = Evaluator(b).run(loader, false, cancel, {});
    int64_t correctA = 0, correctB = 0, same = 0;
    for (size_t i = 0; i < pa.labels.size(); ++i) {
        correctA += pa.predictions[i] == pa.labels[i];
        correctB += pb.predictions[i] == pb.labels[i];
        same += pa.predictions[i] == pb.predictions[i];
    }
    const double n = double(pa.labels.size());
    ModelComparison out;
    out.accuracyA = double(correctA) / n;
    out.accuracyB = double(correctB) / n;
    out.accuracyDelta = out.accuracyB - out.accuracyA;
    out.agreement = double(same) / n;
    return out;
}

}  // namespace tpq
