#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "models/safetensors.h"
#include "models/state_dict.h"
#include "train/data_parallel.h"
#include "train/evaluator.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json_support.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

constexpr const char* kStateFile = "trainer_state.json";
constexpr const char* kWeightsFile = "model.safetensors";
constexpr const char* kOptimizerFile = "optimizer.pt";

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Biases and LayerNorm parameters get no weight decay (as in BERT's original optimizer).
bool noDecay(const std::string& name) {
    return endsWith(name, "bias") || name.find("LayerNorm") != std::string::npos ||
           name.find("norm") != std::string::npos;
}

// JSON has no NaN (used for "no validation split"): store null, read null back as NaN.
nlohmann::json number(double v) {
    return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}
double number(const nlohmann::json& j) {
    return j.is_null() ? std::nan("") : j.get<double>();
}

nlohmann::json epochToJson(const EpochRecord& r) {
    return {{"epoch", r.epoch},
            {"step", r.step},
            {"train_loss", number(r.trainLoss)},
            {"train_accuracy", number(r.trainAccuracy)},
            {"val_loss", number(r.valLoss)},
            {"val_accuracy", number(r.valAccuracy)},
            {"val_f1", number(r.valF1)},
            {"seconds", r.seconds}};
}

EpochRecord epochFromJson(const nlohmann::json& j) {
    EpochRecord r;
    r.epoch = j.at("epoch").get<int>();
    r.step = j.value("step", int64_t(0));  // states written before 0.2 have none
    r.trainLoss = number(j.at("train_loss"));
    r.trainAccuracy = number(j.at("train_accuracy"));
    r.valLoss = number(j.at("val_loss"));
    r.valAccuracy = number(j.at("val_accuracy"));
    r.valF1 = number(j.at("val_f1"));
    r.seconds = j.at("seconds").get<double>();
    return r;
}

}  // namespace

std::vector<std::string> TrainerOptions::validate() const {
    std::vector<std::string> p;
    if (epochs < 1) p.push_back("training.epochs must be >= 1");
    if (!(learningRate > 0)) p.push_back("training.learning_rate must be > 0");
    if (weightDecay < 0) p.push_back("training.weight_decay must be >= 0");
    if (warmupRatio < 0 || warmupRatio >= 1) p.push_back("training.warmup_ratio must be in [0, 1)");
    if (maxGradNorm < 0) p.push_back("training.max_grad_norm must be >= 0");
    if (gradientAccumulationSteps < 1) p.push_back("training.gradient_accumulation_steps must be >= 1");
    if (earlyStoppingPatience < 0) p.push_back("training.early_stopping_patience must be >= 0");
    if (resume && resumeDir.empty()) p.push_back("resume needs the folder of a previous run's trainer state");
    return p;
}

Trainer::Trainer(Classifier& model, TrainerOptions options)
    : m_model(model), m_options(std::move(options)), m_dp(m_options.dataParallel) {
    const auto problems = m_options.validate();
    if (!problems.empty()) throw Error(join(problems, "\n"));
}

namespace {

// Linear warm-up to the peak, then linear decay to 0 (as Hugging Face's
// get_linear_schedule_with_warmup), as a LibTorch scheduler: step() before each optimizer
// step sets the learning rate of that step.
class LinearWarmupDecay : public torch::optim::LRScheduler {
public:
    LinearWarmupDecay(torch::optim::Optimizer& optimizer, double peak, int64_t warmupSteps, int64_t totalSteps)
        : LRScheduler(optimizer),
          m_groups(optimizer.param_groups().size()),
          m_peak(peak),
          m_warmup(warmupSteps),
          m_total(totalSteps) {}

    /// Continues a resumed run at optimizer step `step` (0-based: the next step to take).
    void resumeAt(int64_t step) { step_count_ = unsigned(step); }
    /// The learning rate of 0-based optimizer step `step`.
    double at(int64_t step) const {
        if (step < m_warmup) return m_peak * double(step + 1) / double(m_warmup);
        return m_peak * std::max(0.0, double(m_total - step) / double(std::max<int64_t>(1, m_total - m_warmup)));
    }

private:
    std::vector<double> get_lrs() override { return std::vector<double>(m_groups, at(int64_t(step_count_))); }

    size_t m_groups;
    double m_peak;
    int64_t m_warmup, m_total;
};

}  // namespace

struct Trainer::Session {
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::unique_ptr<LinearWarmupDecay> schedule;
    TrainHistory history;
    int64_t globalStep = 0, totalSteps = 0, stepsAtStart = 0;
    int startEpoch = 1;
    int epochsWithoutImprovement = 0;
    TrainProgress lastReport;  // the last step report, repeated in the end-of-epoch report
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

TrainHistory Trainer::train(DataLoader& trainData, DataLoader& validation,
                            const std::function<void(const TrainProgress&)>& progress, const CancellationToken* cancel,
                            const SaveBest& saveBest) {
    if (trainData.size() == 0) throw Error("the training split is empty; add data or raise data.train_ratio");
    const auto& o = m_options;
    Session s;
    std::vector<at::Tensor> decay, plain;
    for (const auto& p : m_model.named_parameters()) {
        if (!p.value().requires_grad()) continue;
        (noDecay(p.key()) ? plain : decay).push_back(p.value());
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay).eps(1e-8)));
    groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(o.learningRate).weight_decay(0.0).eps(1e-8)));
    s.optimizer = std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(o.learningRate));
    const int64_t accum = o.gradientAccumulationSteps;
    s.totalSteps = (int64_t(trainData.numBatches()) + accum - 1) / accum * o.epochs;
    const int64_t warmupSteps = int64_t(std::llround(o.warmupRatio * double(s.totalSteps)));
    s.schedule = std::make_unique<LinearWarmupDecay>(*s.optimizer, o.learningRate, warmupSteps, s.totalSteps);
    if (o.resume) {
        loadState(s);
        if (s.startEpoch > o.epochs) return s.history;
    }
    s.schedule->resumeAt(s.globalStep);
    s.stepsAtStart = s.globalStep;
    if (m_dp) {  // every rank starts from rank 0's weights
        torch::NoGradGuard noGrad;
        std::vector<at::Tensor> params;
        for (const auto& p : m_model.parameters())
            if (p.requires_grad()) params.push_back(p.detach());  // not the released ones (QAT's int8 layers)
        m_dp->broadcast(params);
    }
    s.start = std::chrono::steady_clock::now();
    const double commBefore = m_dp ? m_dp->communicationSeconds() : 0;  // the group may have trained before
    // Cancel is also checked inside the forward pass (between encoder layers) and before the
    // optimizer step; only the backward pass runs to its end.
    struct CancelInForward {
        Classifier& model;
        ~CancelInForward() { model.setCancellation(nullptr); }
    } cancelInForward{m_model};
    m_model.setCancellation(cancel);
    for (int epoch = s.startEpoch; epoch <= o.epochs; ++epoch) {
        EpochRecord record = runEpoch(s, trainData, epoch, progress, cancel);
        if (finishEpoch(s, record, validation, progress, cancel, saveBest)) break;
    }
    if (m_dp && m_dp->rank() == 0)
        logInfo("data-parallel over " + std::to_string(m_dp->world()) +
                " processes: " + formatFixed(m_dp->communicationSeconds() - commBefore, 2) + " s of " +
                formatFixed(seconds(s.start), 2) + " s training in communication (rank 0)");
    return std::move(s.history);
}

void Trainer::loadState(Session& s) {
    const fs::path stateDir(m_options.resumeDir);
    const fs::path statePath = stateDir / kStateFile;
    if (!fs::exists(statePath)) {
        throw Error("cannot resume: " + statePath.string() + " not found (no epoch of that run finished yet?)");
    }
    TrainHistory& history = s.history;
    try {
        const nlohmann::json state = nlohmann::json::parse(readFile(statePath.string()));
        s.globalStep = state.at("global_step").get<int64_t>();
        s.startEpoch = state.at("epochs_done").get<int>() + 1;
        history.bestEpoch = state.at("best_epoch").get<int>();
        history.bestValAccuracy = state.at("best_val_accuracy").get<double>();
        s.epochsWithoutImprovement = state.at("epochs_without_improvement").get<int>();
        for (const auto& e : state.at("epochs")) history.epochs.push_back(epochFromJson(e));
        for (const auto& step : state.at("step_loss"))
            history.stepLoss.emplace_back(step[0].get<int64_t>(), step[1].get<double>());
    } catch (const nlohmann::json::exception& e) {
        throw Error(statePath.string() + ": damaged trainer state (" + jsonErrorText(e) +
                    "); start the run again without --resume");
    }
    std::vector<NamedTensor> weights = loadSafetensors((stateDir / kWeightsFile).string());
    at::Tensor rngState;
    for (auto it = weights.begin(); it != weights.end(); ++it) {
        if (it->name == "__rng_state__") {
            rngState = it->tensor;
            weights.erase(it);
            break;
        }
    }
    const auto report = loadStateDict(m_model, weights, (stateDir / kWeightsFile).string());
    if (!report.missing.empty()) throw Error("cannot resume: the saved weights do not match this model");
    torch::load(*s.optimizer, (stateDir / kOptimizerFile).string());
    if (rngState.defined()) {
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        generator.set_state(rngState);
    }
    history.resumedFromEpoch = s.startEpoch - 1;
    logInfo("resuming at epoch " + std::to_string(s.startEpoch) + " (optimizer step " + std::to_string(s.globalStep) +
            ")");
}

void Trainer::saveState(const Session& s, int epoch) const {
    const fs::path stateDir(m_options.resumeDir);
    ensureDirectory(m_options.resumeDir);
    std::vector<NamedTensor> weights = stateDict(m_model);
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    weights.push_back({"__rng_state__", generator.get_state()});
    saveSafetensors((stateDir / kWeightsFile).string(), weights);
    const std::string optTmp = (stateDir / kOptimizerFile).string() + ".tmp";
    torch::save(*s.optimizer, optTmp);
    fs::rename(optTmp, stateDir / kOptimizerFile);
    nlohmann::json state;
    state["global_step"] = s.globalStep;
    state["epochs_done"] = epoch;
    state["best_epoch"] = s.history.bestEpoch;
    state["best_val_accuracy"] = s.history.bestValAccuracy;
    state["epochs_without_improvement"] = s.epochsWithoutImprovement;
    state["epochs"] = nlohmann::json::array();
    for (const auto& e : s.history.epochs) state["epochs"].push_back(epochToJson(e));
    state["step_loss"] = nlohmann::json::array();
    for (const auto& [step, loss] : s.history.stepLoss) state["step_loss"].push_back({step, loss});
    writeFileAtomic((stateDir / kStateFile).string(),
                    state.dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Trainer::BatchOutcome Trainer::forwardBackward(const Batch& batch, double accum) {
    const int64_t n = batch.labels.size(0);
    if (!m_dp) {
        const at::Tensor logits = m_model.forward(batch.inputIds, batch.attentionMask);
        const at::Tensor loss = torch::nn::functional::cross_entropy(logits, batch.labels);
        const double value = loss.item<double>();
        if (!std::isfinite(value)) return {value, 0};
        (loss / accum).backward();
        return {value, logits.argmax(1).eq(batch.labels).sum().item<int64_t>()};
    }
    // This rank's rows of the global batch; its loss is a share of the global batch's mean.
    const int64_t lo = n * m_dp->rank() / m_dp->world(), hi = n * (m_dp->rank() + 1) / m_dp->world();
    at::Tensor lossSum = torch::zeros({}, torch::kFloat32);
    int64_t correct = 0;
    if (hi > lo) {
        const at::Tensor labels = batch.labels.slice(0, lo, hi);
        const at::Tensor logits =
            m_model.forward(batch.inputIds.slice(0, lo, hi), batch.attentionMask.slice(0, lo, hi));
        lossSum = torch::nn::functional::cross_entropy(
            logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
        correct = logits.argmax(1).eq(labels).sum().item<int64_t>();
    }
    const at::Tensor stats = torch::tensor({lossSum.item<double>(), double(correct)}, torch::kFloat64);
    m_dp->allReduceSum({stats});
    const double mean = stats[0].item<double>() / double(n);
    if (!std::isfinite(mean)) return {mean, 0};
    if (hi > lo) (lossSum / double(n) / accum).backward();
    return {mean, int64_t(std::llround(stats[1].item<double>()))};
}

void Trainer::sumGradients() {
    std::vector<at::Tensor> grads;
    for (auto& p : m_model.parameters()) {
        if (!p.requires_grad()) continue;
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
    }
    m_dp->allReduceSum(grads);
}

EpochRecord Trainer::runEpoch(Session& s, DataLoader& trainData, int epoch,
                              const std::function<void(const TrainProgress&)>& progress,
                              const CancellationToken* cancel) {
    const auto& o = m_options;
    const int64_t accum = o.gradientAccumulationSteps;
    const int64_t batches = int64_t(trainData.numBatches());
    const auto epochStart = std::chrono::steady_clock::now();
    m_model.train();
    trainData.setEpoch(size_t(epoch));
    double lossSum = 0, stepLossSum = 0;
    int64_t correct = 0, seen = 0, stepBatches = 0;
    s.optimizer->zero_grad();
    for (int64_t b = 0; b < batches; ++b) {
        if (cancel) cancel->throwIfCancelled();
        const Batch batch = trainData.batch(size_t(b));
        const BatchOutcome out = forwardBackward(batch, double(accum));
        const double lossValue = out.meanLoss;
        if (!std::isfinite(lossValue)) {
            throw Error("training loss became " + std::string(std::isnan(lossValue) ? "NaN" : "infinite") +
                        " at optimizer step " + std::to_string(s.globalStep + 1) + " (epoch " + std::to_string(epoch) +
                        ", batch " + std::to_string(b + 1) +
                        "); lower training.learning_rate or set training.max_grad_norm (e.g. 1.0)");
        }
        if (cancel) cancel->throwIfCancelled();
        const int64_t n = batch.labels.size(0);
        lossSum += lossValue * double(n);
        seen += n;
        correct += out.correct;
        stepLossSum += lossValue;
        ++stepBatches;
        if ((b + 1) % accum != 0 && b + 1 != batches) continue;
        s.schedule->step();  // this step's learning rate on every group
        const double lr = static_cast<torch::optim::AdamWOptions&>(s.optimizer->param_groups().front().options()).lr();
        if (m_dp) sumGradients();
        if (o.maxGradNorm > 0) torch::nn::utils::clip_grad_norm_(m_model.parameters(), o.maxGradNorm);
        s.optimizer->step();
        if (m_afterStep) m_afterStep();
        s.optimizer->zero_grad();
        ++s.globalStep;
        s.history.stepLoss.emplace_back(s.globalStep, stepLossSum / double(stepBatches));
        stepLossSum = 0;
        stepBatches = 0;
        if (!progress) continue;
        TrainProgress p;
        p.step = s.globalStep;
        p.totalSteps = s.totalSteps;
        p.epoch = epoch;
        p.epochs = o.epochs;
        p.loss = lossSum / double(seen);
        p.learningRate = lr;
        const double elapsed = seconds(s.start);
        const int64_t done = s.globalStep - s.stepsAtStart;
        p.samplesPerSecond = elapsed > 0 ? double(done * accum * int64_t(trainData.batchSize())) / elapsed : 0;
        p.etaSeconds = done > 0 ? elapsed / double(done) * double(s.totalSteps - s.globalStep) : -1;
        p.stepLoss = s.history.stepLoss.back().second;
        s.lastReport = p;
        progress(p);
    }
    EpochRecord record;
    record.epoch = epoch;
    record.step = s.globalStep;
    record.trainLoss = lossSum / double(seen);
    record.trainAccuracy = double(correct) / double(seen);
    record.seconds = seconds(epochStart);
    return record;
}

bool Trainer::finishEpoch(Session& s, EpochRecord record, DataLoader& validation,
                          const std::function<void(const TrainProgress&)>& progress, const CancellationToken* cancel,
                          const SaveBest& saveBest) {
    const auto& o = m_options;
    const auto validationStart = std::chrono::steady_clock::now();
    bool improved = true;
    if (validation.size() > 0) {
        const ClassificationMetrics m = Evaluator(m_model).evaluate(validation, cancel);
        record.valLoss = m.loss;
        record.valAccuracy = m.accuracy;
        record.valF1 = m.f1;
        improved = m.accuracy > s.history.bestValAccuracy;
    } else {
        record.valLoss = record.valAccuracy = record.valF1 = std::nan("");
    }
    record.seconds += seconds(validationStart);
    s.history.epochs.push_back(record);
    if (progress) {
        TrainProgress p = s.lastReport;
        p.epoch = record.epoch;
        p.epochs = o.epochs;
        p.epochEnd = true;
        p.loss = record.trainLoss;
        p.trainAccuracy = record.trainAccuracy;
        p.valLoss = validation.size() > 0 ? record.valLoss : -1;
        p.valAccuracy = validation.size() > 0 ? record.valAccuracy : -1;
        progress(p);
    }
    logInfo("epoch " + std::to_string(record.epoch) + "/" + std::to_string(o.epochs) + ": train loss " +
            formatFixed(record.trainLoss, 4) + ", train acc " + formatFixed(record.trainAccuracy, 4) + ", val loss " +
            formatFixed(record.valLoss, 4) + ", val acc " + formatFixed(record.valAccuracy, 4) + " (" +
            formatFixed(record.seconds, 1) + " s)");
    if (improved) {
        s.history.bestEpoch = record.epoch;
        s.history.bestValAccuracy = validation.size() > 0 ? record.valAccuracy : s.history.bestValAccuracy;
        s.epochsWithoutImprovement = 0;
        if (saveBest) saveBest(record.epoch, record);
    } else {
        ++s.epochsWithoutImprovement;
    }
    if (!o.resumeDir.empty() && (!m_dp || m_dp->rank() == 0)) saveState(s, record.epoch);
    if (o.earlyStoppingPatience > 0 && s.epochsWithoutImprovement >= o.earlyStoppingPatience) {
        s.history.stoppedEarly = true;
        logInfo("early stopping: no validation improvement for " + std::to_string(s.epochsWithoutImprovement) +
                " epoch(s)");
        return true;
    }
    return false;
}

}  // namespace tpq
