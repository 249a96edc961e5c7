// Trainer on a small synthetic task (label 1 iff token 7 occurs): it learns; same seed and
// one thread give bit-identical runs; NaN loss names the step; cancellation stops within
// one batch; --resume from the last finished epoch equals an uninterrupted run; early
// stopping; history CSV.

#include <torch/torch.h>

#include "models/transformer_model.h"
#include "test_support.h"
#include "tiny_models.h"
#include "token_seven_task.h"
#include "train/evaluator.h"
#include "train/trainer.h"

using namespace tpq;
using tpqtest::expectError;

namespace {

// The shared tiny Transformer with one layer.
std::shared_ptr<TransformerModel> makeModel(uint64_t seed) {
    TransformerConfig c = tpqtest::tinyTransformerConfig();
    c.numLayers = 1;
    return tpqtest::tinyTransformer(seed, c);
}

TrainerOptions options(int epochs) {
    TrainerOptions o;
    o.epochs = epochs;
    o.learningRate = 5e-3;
    o.warmupRatio = 0.1;
    return o;
}

std::vector<float> weights(Classifier& model) {
    std::vector<float> out;
    for (const auto& p : model.parameters()) {
        const auto flat = p.detach().flatten().contiguous();
        out.insert(out.end(), flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    }
    return out;
}

}  // namespace

class TestTrain : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }

    void learnsTheTask() {
        auto model = makeModel(1);
        DataLoader train = tpqtest::tokenSevenTask(11, 128, true), val = tpqtest::tokenSevenTask(12, 64, false);
        Trainer trainer(*model, options(6));
        int calls = 0;
        int64_t lastTotal = 0;
        std::vector<TrainProgress> epochReports;
        std::vector<double> stepLosses;
        const TrainHistory h = trainer.train(train, val,
                                             [&](const TrainProgress& p) {
                                                 if (p.epochEnd) {
                                                     epochReports.push_back(p);
                                                     return;
                                                 }
                                                 ++calls, lastTotal = p.totalSteps;
                                                 stepLosses.push_back(p.stepLoss);
                                             },
                                             nullptr, {});
        QCOMPARE(h.epochs.size(), size_t(6));
        QCOMPARE(lastTotal, int64_t(6 * 16));
        QCOMPARE(calls, 6 * 16);
        QCOMPARE(stepLosses.size(), h.stepLoss.size());
        for (size_t i = 0; i < stepLosses.size(); ++i) QCOMPARE(stepLosses[i], h.stepLoss[i].second);
        // One end-of-epoch report per epoch carrying that epoch's record (the live curves).
        QCOMPARE(epochReports.size(), size_t(6));
        for (size_t e = 0; e < 6; ++e) {
            QCOMPARE(epochReports[e].epoch, int(e + 1));
            QCOMPARE(epochReports[e].step, int64_t((e + 1) * 16));
            QCOMPARE(epochReports[e].valAccuracy, h.epochs[e].valAccuracy);
            QCOMPARE(epochReports[e].trainAccuracy, h.epochs[e].trainAccuracy);
        }
        QCOMPARE(h.stepLoss.size(), size_t(6 * 16));
        QVERIFY2(h.epochs.back().valAccuracy >= 0.95, std::to_string(h.epochs.back().valAccuracy).c_str());
        QVERIFY(h.epochs.back().trainLoss < h.epochs.front().trainLoss);
        QVERIFY(h.bestEpoch >= 1);
    }

    void forwardChecksCancellation() {
        // Cancel does not wait for a whole training step: forward() checks between layers.
        auto model = makeModel(1);
        DataLoader data = tpqtest::tokenSevenTask(13, 16, false);
        const Batch batch = data.batch(0);
        CancellationToken cancel;
        model->setCancellation(&cancel);
        QCOMPARE(model->forward(batch.inputIds, batch.attentionMask).size(0), batch.labels.size(0));
        cancel.cancel();
        bool threw = false;
        try {
            model->forward(batch.inputIds, batch.attentionMask);
        } catch (const Cancelled&) {
            threw = true;
        }
        QVERIFY(threw);
        model->setCancellation(nullptr);  // off again: forward runs
        QCOMPARE(model->forward(batch.inputIds, batch.attentionMask).size(0), batch.labels.size(0));
    }

    void sameSeedGivesIdenticalRuns() {
        std::vector<double> losses[2];
        std::vector<float> finalWeights[2];
        for (int run = 0; run < 2; ++run) {
            auto model = makeModel(5);
            DataLoader train = tpqtest::tokenSevenTask(21, 64, true), val = tpqtest::tokenSevenTask(22, 32, false);
            Trainer trainer(*model, options(2));
            const TrainHistory h = trainer.train(train, val, {}, nullptr, {});
            for (const auto& [step, loss] : h.stepLoss) losses[run].push_back(loss);
            finalWeights[run] = weights(*model);
        }
        QCOMPARE(losses[0], losses[1]);
        QVERIFY(finalWeights[0] == finalWeights[1]);
    }

    // The learning rate of every optimizer step: linear warm-up to the peak over
    // warmup_ratio of the steps, then linear decay towards 0 (get_linear_schedule_with_warmup).
    void learningRateScheduleIsLinearWarmupThenDecay() {
        auto model = makeModel(5);
        DataLoader train = tpqtest::tokenSevenTask(21, 64, true), val = tpqtest::tokenSevenTask(22, 32, false);
        TrainerOptions o = options(2);
        o.learningRate = 1e-3;
        o.warmupRatio = 0.25;
        std::vector<double> lr;
        int64_t total = 0;
        Trainer trainer(*model, o);
        trainer.train(train, val,
                      [&](const TrainProgress& p) {
                          if (p.epochEnd) return;
                          lr.push_back(p.learningRate);
                          total = p.totalSteps;
                      },
                      nullptr, {});
        QCOMPARE(int64_t(lr.size()), total);
        QVERIFY(total >= 8);
        const int64_t warmup = std::llround(0.25 * double(total));
        for (int64_t step = 0; step < total; ++step) {
            const double expected = step < warmup ? 1e-3 * double(step + 1) / double(warmup)
                                                  : 1e-3 * double(total - step) / double(total - warmup);
            QVERIFY2(std::abs(lr[size_t(step)] - expected) < 1e-12, std::to_string(step).c_str());
        }
        QCOMPARE(lr[size_t(warmup - 1)], 1e-3);  // the peak, at the end of the warm-up
    }

    void nanLossNamesTheStep() {
        auto model = makeModel(1);
        {
            torch::NoGradGuard g;
            model->named_parameters()["classifier.weight"].fill_(std::nan(""));
        }
        DataLoader train = tpqtest::tokenSevenTask(1, 16, false), val = tpqtest::tokenSevenTask(2, 8, false);
        Trainer trainer(*model, options(1));
        expectError([&] { trainer.train(train, val, {}, nullptr, {}); },
                    {"training loss became NaN at optimizer step 1 (epoch 1, batch 1)", "training.learning_rate"});
    }

    void cancelStopsWithinOneBatch() {
        auto model = makeModel(1);
        DataLoader train = tpqtest::tokenSevenTask(1, 64, true), val = tpqtest::tokenSevenTask(2, 16, false);
        Trainer trainer(*model, options(3));
        CancellationToken cancel;
        int calls = 0;
        bool threw = false;
        try {
            trainer.train(train, val,
                          [&](const TrainProgress&) {
                              if (++calls == 3) cancel.cancel();
                          },
                          &cancel, {});
        } catch (const Cancelled&) {
            threw = true;
        }
        QVERIFY(threw);
        QCOMPARE(calls, 3);  // no further batch ran after the request
    }

    void resumeEqualsAnUninterruptedRun() {
        QTemporaryDir dir;
        // Uninterrupted: 3 epochs.
        auto a = makeModel(3);
        {
            DataLoader train = tpqtest::tokenSevenTask(31, 48, true), val = tpqtest::tokenSevenTask(32, 16, false);
            Trainer(*a, options(3)).train(train, val, {}, nullptr, {});
        }
        // Interrupted in epoch 2 (after epoch 1's state was saved), then resumed.
        const std::string state = dir.path().toStdString() + "/run.resume";
        {
            auto b = makeModel(3);
            DataLoader train = tpqtest::tokenSevenTask(31, 48, true), val = tpqtest::tokenSevenTask(32, 16, false);
            TrainerOptions o = options(3);
            o.resumeDir = state;
            CancellationToken cancel;
            try {
                Trainer(*b, o).train(train, val,
                                     [&](const TrainProgress& p) {
                                         if (p.epoch == 2) cancel.cancel();
                                     },
                                     &cancel, {});
                QFAIL("expected cancellation");
            } catch (const Cancelled&) {
            }
        }
        auto c = makeModel(99);  // different initial weights: resume must restore them
        DataLoader train = tpqtest::tokenSevenTask(31, 48, true), val = tpqtest::tokenSevenTask(32, 16, false);
        TrainerOptions o = options(3);
        o.resumeDir = state;
        o.resume = true;
        const TrainHistory h = Trainer(*c, o).train(train, val, {}, nullptr, {});
        QCOMPARE(h.resumedFromEpoch, 1);
        QCOMPARE(h.epochs.size(), size_t(3));
        QVERIFY(weights(*a) == weights(*c));

        TrainerOptions missing = options(1);
        missing.resumeDir = dir.path().toStdString() + "/nothing";
        missing.resume = true;
        expectError([&] { Trainer(*c, missing).train(train, val, {}, nullptr, {}); },
                    {"cannot resume", "trainer_state.json not found"});
    }

    void earlyStoppingAndHistoryCsv() {
        auto model = makeModel(1);
        DataLoader train = tpqtest::tokenSevenTask(1, 32, true), val = tpqtest::tokenSevenTask(2, 16, false);
        TrainerOptions o = options(6);
        o.learningRate = 1e-12;  // nothing improves after epoch 1
        o.earlyStoppingPatience = 2;
        int saves = 0;
        const TrainHistory h =
            Trainer(*model, o).train(train, val, {}, nullptr, [&](int, const EpochRecord&) { ++saves; });
        QVERIFY(h.stoppedEarly);
        QCOMPARE(h.epochs.size(), size_t(3));
        QCOMPARE(saves, 1);
        QCOMPARE(h.bestEpoch, 1);
        const std::string csv = h.toCsv();
        QVERIFY(csv.rfind("type,epoch,step,loss,train_loss,train_accuracy,val_loss,val_accuracy,val_f1,seconds\n", 0) ==
                0);
        QVERIFY(csv.find("\nstep,,1,") != std::string::npos);
        // Every row carries its optimizer step: epoch 3 ended at the last step.
        const int64_t lastStep = h.stepLoss.back().first;
        QVERIFY(csv.find("\nepoch,3," + std::to_string(lastStep) + ",,") != std::string::npos);
        QCOMPARE(h.epochs.back().step, lastStep);
        QCOMPARE(h.epochs.front().step, lastStep / 3);
    }

    // history.csv: what toCsv() writes, fromCsv() reads back exactly (NaN as nan), and a file
    // of an earlier version (epoch rows without a step) gets its epoch ends estimated.
    void historyCsvRoundTrip() {
        auto model = makeModel(1);
        DataLoader train = tpqtest::tokenSevenTask(1, 32, true), val = tpqtest::tokenSevenTask(2, 16, false);
        TrainHistory h = Trainer(*model, options(2)).train(train, val, {}, nullptr, {});
        h.epochs.back().valF1 = std::nan("");
        const TrainHistory back = TrainHistory::fromCsv(h.toCsv());
        QCOMPARE(back.stepLoss, h.stepLoss);
        QCOMPARE(back.epochs.size(), h.epochs.size());
        for (size_t e = 0; e < h.epochs.size(); ++e) {
            QCOMPARE(back.epochs[e].epoch, h.epochs[e].epoch);
            QCOMPARE(back.epochs[e].step, h.epochs[e].step);
            QCOMPARE(back.epochs[e].trainLoss, h.epochs[e].trainLoss);
            QCOMPARE(back.epochs[e].valAccuracy, h.epochs[e].valAccuracy);
            QCOMPARE(back.epochEndStep(e), h.epochs[e].step);
        }
        QVERIFY(std::isnan(back.epochs.back().valF1));
        QCOMPARE(back.toCsv(), h.toCsv());
        const TrainHistory old = TrainHistory::fromCsv(
            "type,epoch,step,loss,train_loss,train_accuracy,val_loss,val_accuracy,val_f1,seconds\n"
            "step,,1,0.7,,,,,,\nstep,,2,0.6,,,,,,\nstep,,3,0.5,,,,,,\nstep,,4,0.4,,,,,,\n"
            "epoch,1,,,0.65,0.5,0.6,0.5,0.5,1\nepoch,2,,,0.45,0.7,0.5,0.75,0.7,1\nbogus,row\n");
        QCOMPARE(old.stepLoss.size(), size_t(4));
        QCOMPARE(old.epochs.size(), size_t(2));
        QCOMPARE(old.epochEndStep(0), int64_t(2));
        QCOMPARE(old.epochEndStep(1), int64_t(4));
    }

    void badOptionsAreRefused() {
        auto model = makeModel(1);
        TrainerOptions o;
        o.epochs = 0;
        o.gradientAccumulationSteps = 0;
        expectError([&] { Trainer t(*model, o); }, {"training.epochs must be >= 1", "gradient_accumulation_steps"});
    }
};

QTEST_GUILESS_MAIN(TestTrain)
#include "test_train.moc"
