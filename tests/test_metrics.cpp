// Measuring and evaluation: classification metrics checked against hand-computed values
// (scikit-learn conventions), the Evaluator on a model whose logits are fixed per token,
// model size and sparsity of modules with known weights, and the inference timer.

#include <QTemporaryDir>
#include <cmath>
#include <numeric>

#include <torch/torch.h>

#include "data/data_loader.h"
#include "models/classifier.h"
#include "models/transformer_model.h"
#include "test_support.h"
#include "train/evaluator.h"
#include "train/inference_timer.h"
#include "train/metrics.h"
#include "train/model_size.h"
#include "train/sparsity.h"

using namespace tpq;
using tpqtest::expectError;

namespace {

constexpr double kEps = 1e-9;

bool near(double a, double b, double eps = kEps) {
    return std::abs(a - b) <= eps;
}

#define TPQ_NEAR(actual, expected)  \
    QVERIFY2(                       \
        near((actual), (expected)), \
        (std::string(#actual) + " = " + std::to_string(actual) + ", expected " + std::to_string(expected)).c_str())

/// Logits are a fixed row of `table` chosen by the first token id, so every prediction,
/// probability and loss is known. Records the mode it was called in.
class LookupClassifier : public Classifier {
public:
    explicit LookupClassifier(const at::Tensor& table) {
        m_table = register_parameter("table", table.clone());
        m_dense = register_module("dense", torch::nn::Linear(2, 2));
    }
    at::Tensor forward(const at::Tensor& inputIds, const at::Tensor& /*attentionMask*/) override {
        sawTraining = is_training();
        sawGrad = torch::GradMode::is_enabled();
        ++calls;
        return m_table.index_select(0, inputIds.select(1, 0));
    }
    std::string architecture() const override { return "lookup"; }
    int64_t numLabels() const override { return m_table.size(1); }
    std::vector<NamedLinear> linearLayers() override { return {{"dense", m_dense}}; }
    std::vector<int64_t> headsPerLayer() const override { return {}; }
    std::vector<int64_t> ffnWidths() const override { return {}; }
    std::string configJson() const override { return "{}"; }
    int64_t configuredHeads() const override { return 0; }
    int64_t configuredFfnWidth() const override { return 0; }
    std::vector<int64_t> presentHeads(int64_t) const override { return {}; }
    void setHeadMask(int64_t, const at::Tensor&) override {}
    void setFfnMask(int64_t, const at::Tensor&) override {}
    void pruneHeads(int64_t, const std::vector<int64_t>&) override {}
    void pruneFfn(int64_t, const std::vector<int64_t>&) override {}

    bool sawTraining = true;
    bool sawGrad = true;
    int calls = 0;

private:
    at::Tensor m_table;
    torch::nn::Linear m_dense{nullptr};
};

// Token 1 -> p = [3/4, 1/4], token 2 -> [1/4, 3/4], token 3 -> [1/10, 9/10]; others [1/2, 1/2].
at::Tensor lookupTable() {
    auto t = torch::zeros({10, 2});
    t[1][0] = std::log(3.0);
    t[2][1] = std::log(3.0);
    t[3][1] = std::log(9.0);
    return t;
}

// Example i starts with token firstTokens[i]; lengths differ so batches are padded.
const std::vector<std::vector<int64_t>> kSequences = {{1, 7, 8}, {2}, {1, 5}, {3, 4, 4, 4}, {2, 9}};
const std::vector<int64_t> kLabels = {0, 1, 1, 1, 0};
// Predictions 0, 1, 0, 1, 1: correct e0, e1, e3.
// Cross-entropy: e0 -ln(3/4), e1 -ln(3/4), e2 -ln(1/4), e3 -ln(9/10), e4 -ln(1/4).
const double kMeanLoss = (2 * std::log(4.0 / 3.0) + 2 * std::log(4.0) + std::log(10.0 / 9.0)) / 5.0;

TransformerConfig tinyTransformer() {
    TransformerConfig c;
    c.vocabSize = 50;
    c.dModel = 8;
    c.numHeads = 2;
    c.numLayers = 1;
    c.dFf = 16;
    c.maxLen = 16;
    c.labelNames = {"a", "b"};
    return c;
}

}  // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void binaryMetricsByHand() {
        // TP = positions 0, 4; FP = position 1; FN = position 3; TN = positions 2, 5.
        const auto m = computeMetrics({1, 1, 0, 0, 1, 0}, {1, 0, 0, 1, 1, 0}, 2, 0.25);
        QVERIFY(m.binary);
        QCOMPARE(m.count, int64_t(6));
        TPQ_NEAR(m.accuracy, 4.0 / 6.0);
        TPQ_NEAR(m.precision, 2.0 / 3.0);
        TPQ_NEAR(m.recall, 2.0 / 3.0);
        TPQ_NEAR(m.f1, 2.0 / 3.0);
        TPQ_NEAR(m.loss, 0.25);
        QCOMPARE(m.confusionMatrix, (std::vector<std::vector<int64_t>>{{2, 1}, {1, 2}}));

        // Asymmetric: TP 1, FP 2, FN 0 -> P 1/3, R 1, F1 2*(1/3)/(4/3) = 1/2.
        const auto a = computeMetrics({1, 1, 1, 0}, {1, 0, 0, 0}, 2);
        TPQ_NEAR(a.precision, 1.0 / 3.0);
        TPQ_NEAR(a.recall, 1.0);
        TPQ_NEAR(a.f1, 0.5);
        TPQ_NEAR(a.accuracy, 0.5);
        QCOMPARE(a.confusionMatrix, (std::vector<std::vector<int64_t>>{{1, 2}, {0, 1}}));
    }

    void multiclassMacroByHand() {
        // labels      0 0 1 1 2 2 2
        // predictions 0 0 0 2 2 1 2
        // confusion [true][pred]: [[2,0,0],[1,0,1],[0,1,2]]
        // class 0: TP 2, predicted 3, true 2 -> P 2/3, R 1,   F1 4/5
        // class 1: TP 0, predicted 1, true 2 -> P 0,   R 0,   F1 0
        // class 2: TP 2, predicted 3, true 3 -> P 2/3, R 2/3, F1 2/3
        // macro P = 4/9, R = 5/9, F1 = (4/5 + 0 + 2/3) / 3 = 22/45 (not F1 of the means, 40/81)
        const auto m = computeMetrics({0, 0, 0, 2, 2, 1, 2}, {0, 0, 1, 1, 2, 2, 2}, 3);
        QVERIFY(!m.binary);
        TPQ_NEAR(m.accuracy, 4.0 / 7.0);
        TPQ_NEAR(m.precision, 4.0 / 9.0);
        TPQ_NEAR(m.recall, 5.0 / 9.0);
        TPQ_NEAR(m.f1, 22.0 / 45.0);
        QCOMPARE(m.confusionMatrix, (std::vector<std::vector<int64_t>>{{2, 0, 0}, {1, 0, 1}, {0, 1, 2}}));
    }

    void zeroDivisionGivesZero() {
        // Nothing predicted positive: precision 0/0 -> 0, recall 0/2 = 0, F1 0.
        const auto none = computeMetrics({0, 0, 0, 0}, {0, 1, 0, 1}, 2);
        TPQ_NEAR(none.precision, 0.0);
        TPQ_NEAR(none.recall, 0.0);
        TPQ_NEAR(none.f1, 0.0);
        TPQ_NEAR(none.accuracy, 0.5);
        // No positive examples but some predicted: precision 0/1 = 0, recall 0/0 -> 0.
        const auto noTrue = computeMetrics({1, 0}, {0, 0}, 2);
        TPQ_NEAR(noTrue.precision, 0.0);
        TPQ_NEAR(noTrue.recall, 0.0);
        // Three classes, class 2 predicted once but never true:
        // class 0 P 1 R 1/2 F1 2/3; class 1 P 1 R 1 F1 1; class 2 P 0/1 = 0, R 0/0 -> 0, F1 0.
        const auto m = computeMetrics({0, 2, 1}, {0, 0, 1}, 3);
        TPQ_NEAR(m.precision, 2.0 / 3.0);
        TPQ_NEAR(m.recall, 0.5);
        TPQ_NEAR(m.f1, 5.0 / 9.0);
        // Like scikit-learn's macro average, a class absent from labels and predictions is
        // left out: class 0 P 1 R 1/2 F1 2/3, class 1 P 2/3 R 1 F1 4/5, class 2 skipped.
        const auto absent = computeMetrics({0, 1, 1, 1}, {0, 1, 0, 1}, 3);
        TPQ_NEAR(absent.precision, 5.0 / 6.0);
        TPQ_NEAR(absent.recall, 3.0 / 4.0);
        TPQ_NEAR(absent.f1, 11.0 / 15.0);
        // No examples at all: zeros, not NaN.
        const auto empty = computeMetrics({}, {}, 2);
        QCOMPARE(empty.count, int64_t(0));
        TPQ_NEAR(empty.accuracy, 0.0);
        TPQ_NEAR(empty.f1, 0.0);
    }

    void perClassReportRows() {
        // Same data as multiclassMacroByHand; class "unused" has no examples at all.
        const auto rows =
            perClassReport({0, 0, 0, 2, 2, 1, 2}, {0, 0, 1, 1, 2, 2, 2}, {"neg", "neutral", "pos", "unused"});
        QCOMPARE(rows.size(), size_t(4));
        TPQ_COMPARE_STR(rows[0].name, "neg");
        TPQ_NEAR(rows[0].precision, 2.0 / 3.0);
        TPQ_NEAR(rows[0].recall, 1.0);
        TPQ_NEAR(rows[0].f1, 0.8);
        QCOMPARE(rows[0].support, int64_t(2));
        TPQ_NEAR(rows[1].f1, 0.0);
        QCOMPARE(rows[1].support, int64_t(2));
        TPQ_NEAR(rows[2].precision, 2.0 / 3.0);
        TPQ_NEAR(rows[2].recall, 2.0 / 3.0);
        QCOMPARE(rows[2].support, int64_t(3));
        TPQ_COMPARE_STR(rows[3].name, "unused");
        QCOMPARE(rows[3].support, int64_t(0));
        TPQ_NEAR(rows[3].f1, 0.0);
    }

    void invalidInputsNameTheProblem() {
        expectError(
            [] {
                computeMetrics({1, 0, 1}, {1, 0}, 2);
            },
            {"computeMetrics: 3 predictions but 2 labels", "one prediction per label"});
        expectError([] { computeMetrics({0, 2}, {0, 1}, 2); }, {"prediction 2 at position 1 is outside [0, 2)"});
        expectError([] { computeMetrics({0, 1}, {-1, 1}, 2); }, {"label -1 at position 0 is outside [0, 2)"});
        expectError([] { computeMetrics({0}, {0}, 1); }, {"number of classes must be >= 2, got 1"});
        expectError(
            [] {
                perClassReport({0, 1}, {0, 1, 1}, {"a", "b"});
            },
            {"perClassReport: 2 predictions but 3 labels"});
        expectError([] { perClassReport({0, 3}, {0, 1}, {"a", "b"}); }, {"prediction 3 at position 1"});
    }

    void evaluateLossAndMetricsByHand() {
        LookupClassifier model(lookupTable());
        model.train();
        DataLoader loader(kSequences, kLabels, 0, 2, false, 1);
        const auto m = Evaluator(model).evaluate(loader);
        QVERIFY(!model.sawTraining);
        QVERIFY(!model.sawGrad);
        QVERIFY(model.is_training());  // restored
        QCOMPARE(model.calls, 3);      // 5 examples in batches of 2
        QCOMPARE(m.count, int64_t(5));
        QVERIFY2(near(m.loss, kMeanLoss, 1e-6), std::to_string(m.loss).c_str());
        // predictions 0 1 0 1 1 vs labels 0 1 1 1 0: TP 2 (e1, e3), FP 1 (e4), FN 1 (e2).
        TPQ_NEAR(m.accuracy, 3.0 / 5.0);
        TPQ_NEAR(m.precision, 2.0 / 3.0);
        TPQ_NEAR(m.recall, 2.0 / 3.0);
        QCOMPARE(m.confusionMatrix, (std::vector<std::vector<int64_t>>{{1, 1}, {1, 2}}));

        model.eval();  // eval mode stays eval
        Evaluator(model).evaluate(loader);
        QVERIFY(!model.is_training());

        // A shuffled loader gives the same metrics.
        DataLoader shuffled(kSequences, kLabels, 0, 3, true, 11);
        const auto s = Evaluator(model).evaluate(shuffled);
        QVERIFY(near(s.loss, m.loss, 1e-6));
        QCOMPARE(s.confusionMatrix, m.confusionMatrix);
    }

    void predictIsIndexedByExample() {
        LookupClassifier model(lookupTable());
        DataLoader loader(kSequences, kLabels, 0, 2, true, 3);
        loader.setEpoch(0);
        std::vector<size_t> order;
        for (size_t b = 0; b < loader.numBatches(); ++b) {
            for (size_t i : loader.batch(b).indices) order.push_back(i);
        }
        std::vector<size_t> identity(kSequences.size());
        std::iota(identity.begin(), identity.end(), size_t(0));
        QVERIFY2(order != identity, "the shuffled loader must reorder examples for this test to mean anything");

        const auto p = Evaluator(model).predict(loader);
        QCOMPARE(p.labels, (std::vector<int64_t>{0, 1, 0, 1, 1}));
        QCOMPARE(p.probabilities.size(), size_t(5));
        const std::vector<std::vector<double>> expected = {
            {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.25}, {0.1, 0.9}, {0.25, 0.75}};
        for (size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(p.probabilities[i].size(), size_t(2));
            for (size_t c = 0; c < 2; ++c) {
                QVERIFY2(near(p.probabilities[i][c], expected[i][c], 1e-6),
                         ("example " + std::to_string(i) + " class " + std::to_string(c) + ": " +
                          std::to_string(p.probabilities[i][c]))
                             .c_str());
            }
        }
    }

    void evaluateDetailedAndLabelErrors() {
        LookupClassifier model(lookupTable());
        DataLoader loader(kSequences, kLabels, 0, 4, false, 1);
        const auto report = Evaluator(model).evaluateDetailed(loader, {"ham", "spam"});
        TPQ_NEAR(report.metrics.accuracy, 0.6);
        QVERIFY(near(report.metrics.loss, kMeanLoss, 1e-6));
        QCOMPARE(report.perClass.size(), size_t(2));
        // ham: predicted at e0, e2; true at e0, e4 -> TP 1, P 1/2, R 1/2.
        TPQ_COMPARE_STR(report.perClass[0].name, "ham");
        TPQ_NEAR(report.perClass[0].precision, 0.5);
        TPQ_NEAR(report.perClass[0].recall, 0.5);
        QCOMPARE(report.perClass[0].support, int64_t(2));
        TPQ_NEAR(report.perClass[1].f1, 2.0 / 3.0);
        QCOMPARE(report.perClass[1].support, int64_t(3));

        expectError(
            [&] {
                Evaluator(model).evaluateDetailed(loader, {"a", "b", "c"});
            },
            {"3 label names for a model with 2 labels"});
        DataLoader badLabels({{1}, {2}}, {0, 2}, 0, 2, false, 1);
        expectError([&] { Evaluator(model).evaluate(badLabels); },
                    {"example 1 has label 2 but the model has 2 labels"});
        DataLoader empty({}, {}, 0, 2, false, 1);
        expectError([&] { Evaluator(model).evaluate(empty); }, {"nothing to evaluate", "no examples"});
    }

    void evaluateChecksCancellationAndReportsProgress() {
        LookupClassifier model(lookupTable());
        model.train();
        DataLoader loader(kSequences, kLabels, 0, 1, false, 1);
        CancellationToken token;
        token.cancel();
        expectError([&] { Evaluator(model).evaluate(loader, &token); }, {"cancelled"});
        QCOMPARE(model.calls, 0);
        QVERIFY(model.is_training());  // restored after the exception too
        token.reset();
        int64_t lastStep = 0, total = 0;
        Evaluator(model).evaluate(loader, &token, [&](const Progress& p) {
            lastStep = p.step;
            total = p.total;
        });
        QCOMPARE(total, int64_t(5));
        QCOMPARE(lastStep, int64_t(5));
    }

    void compareModelsAgreement() {
        LookupClassifier a(lookupTable());
        auto tableB = lookupTable();
        tableB[3][0] = std::log(100.0);  // token 3 now predicts class 0
        LookupClassifier b(tableB);
        DataLoader loader(kSequences, kLabels, 0, 2, true, 5);
        // A predicts 0 1 0 1 1 (3 correct), B 0 1 0 0 1 (2 correct); they differ on e3 only.
        const auto c = Evaluator::compareModels(a, b, loader);
        TPQ_NEAR(c.accuracyA, 0.6);
        TPQ_NEAR(c.accuracyB, 0.4);
        TPQ_NEAR(c.accuracyDelta, -0.2);
        TPQ_NEAR(c.agreement, 0.8);
        const auto same = Evaluator::compareModels(a, a, loader);
        TPQ_NEAR(same.agreement, 1.0);
        TPQ_NEAR(same.accuracyDelta, 0.0);
        LookupClassifier three(torch::zeros({10, 3}));
        expectError([&] { Evaluator::compareModels(a, three, loader); }, {"model A has 2 labels but model B has 3"});
    }

    void modelSizeOfKnownModules() {
        torch::nn::Linear linear(3, 4);
        auto s = ModelSizeCalculator::measure(*linear);
        QCOMPARE(s.totalParameters, int64_t(16));
        QCOMPARE(s.trainableParameters, int64_t(16));
        QCOMPARE(s.memoryBytes, int64_t(64));
        QCOMPARE(s.bytesByDtype, (std::map<std::string, int64_t>{{"float32", 64}}));
        {
            torch::NoGradGuard g;
            linear->weight.fill_(1.0);
            linear->bias.fill_(1.0);
            linear->weight[0].zero_();  // 3 zeros
            linear->bias[2].zero_();    // 1 zero
        }
        linear->bias.set_requires_grad(false);
        s = ModelSizeCalculator::measure(*linear);
        QCOMPARE(s.nonzeroParameters, int64_t(12));
        QCOMPARE(s.trainableParameters, int64_t(12));

        // Buffers count toward bytes only: BatchNorm1d(4) has weight, bias (8 parameters),
        // running_mean, running_var (4 float32 each) and num_batches_tracked (one int64).
        torch::nn::BatchNorm1d norm(4);
        s = ModelSizeCalculator::measure(*norm);
        QCOMPARE(s.totalParameters, int64_t(8));
        QCOMPARE(s.memoryBytes, int64_t(16 * 4 + 8));
        QCOMPARE(s.bytesByDtype, (std::map<std::string, int64_t>{{"float32", 64}, {"int64", 8}}));

        // A module used twice is counted once, as Python's model.parameters() does.
        torch::nn::Sequential twice(linear, linear);
        QCOMPARE(ModelSizeCalculator::measure(*twice).totalParameters, int64_t(16));

        TransformerModel model(tinyTransformer());
        QCOMPARE(ModelSizeCalculator::measure(model).totalParameters, model.numParameters());
        model.to(torch::kBFloat16);
        const auto bf16 = ModelSizeCalculator::measure(model);
        QCOMPARE(bf16.bytesByDtype.count("bfloat16"), size_t(1));
        QVERIFY(bf16.bytesByDtype.at("bfloat16") >= 2 * model.numParameters());
    }

    void folderBytesSumsFilesRecursively() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string root = dir.path().toStdString();
        tpqtest::writeFile(dir, "config.json", "12345");
        QVERIFY(QDir(dir.path()).mkpath("sub/deeper"));
        tpqtest::writeFile(dir, "sub/model.bin", std::string(10, 'x'));
        tpqtest::writeFile(dir, "sub/deeper/empty", "");
        tpqtest::writeFile(dir, "sub/deeper/vocab.txt", std::string(100, 'v'));
        QCOMPARE(ModelSizeCalculator::folderBytes(root), int64_t(115));
        QCOMPARE(ModelSizeCalculator::folderBytes(root + "/sub/model.bin"), int64_t(10));
        expectError([&] { ModelSizeCalculator::folderBytes(root + "/missing"); },
                    {"model folder '" + root + "/missing' does not exist"});
    }

    void sparsityOfLinearWeights() {
        TransformerModel model(tinyTransformer());
        const auto layers = model.linearLayers();
        {
            torch::NoGradGuard g;
            for (const auto& l : layers) {
                l.linear->weight.fill_(1.0);
                l.linear->bias.zero_();  // biases are not counted
            }
            layers[0].linear->weight.zero_();     // layers.0.q_proj: 8 x 8 = 64 zeros
            layers[4].linear->weight[0].zero_();  // layers.0.linear1 [16, 8]: 4 rows of 8 = 32 zeros
            layers[4].linear->weight[1].zero_();
            layers[4].linear->weight[2].zero_();
            layers[4].linear->weight[3].zero_();
        }
        // Weights: q, k, v, out 4 x 64 = 256; linear1 128; linear2 128; classifier 2 x 8 = 16 -> 528.
        const SparsityStats s = calculateSparsity(model);
        QCOMPARE(s.total, int64_t(528));
        QCOMPARE(s.zeros, int64_t(96));
        TPQ_NEAR(s.overall, 96.0 / 528.0);
        QCOMPARE(s.perLayer.size(), size_t(7));
        TPQ_COMPARE_STR(s.perLayer[0].first, "layers.0.q_proj");
        TPQ_NEAR(s.perLayer[0].second, 1.0);
        TPQ_NEAR(s.perLayer[1].second, 0.0);
        TPQ_COMPARE_STR(s.perLayer[4].first, "layers.0.linear1");
        TPQ_NEAR(s.perLayer[4].second, 0.25);
        TPQ_COMPARE_STR(s.perLayer[6].first, "classifier");
        TPQ_NEAR(s.perLayer[6].second, 0.0);
    }

    void inferenceTimerReturnsSaneNumbers() {
        TransformerModel model(tinyTransformer());
        model.train();
        torch::manual_seed(5);
        const auto before = torch::rand({4});
        torch::manual_seed(5);
        const LatencyStats s = InferenceTimer(model).measure(4, 16, 10, 2, 50);
        QVERIFY(torch::equal(torch::rand({4}), before));  // the global generator is untouched
        QVERIFY(model.is_training());
        QCOMPARE(s.batchSize, int64_t(4));
        QCOMPARE(s.seqLen, int64_t(16));
        QCOMPARE(s.batches, int64_t(10));
        QVERIFY(s.threads >= 1);
        QVERIFY(s.p50Ms > 0);
        QVERIFY(s.p50Ms <= s.p95Ms);
        QVERIFY(s.meanMs > 0);
        TPQ_NEAR(s.perSampleP50Ms, s.p50Ms / 4.0);
        QVERIFY(near(s.samplesPerSecond, 4.0 * 1000.0 / s.meanMs, 1e-6 * s.samplesPerSecond));

        LookupClassifier lookup(lookupTable());
        InferenceTimer(lookup).measure(2, 3, 7, 3, 10);
        QCOMPARE(lookup.calls, 10);  // warm-up + timed
        QVERIFY(!lookup.sawGrad);
        QVERIFY(!lookup.sawTraining);
        expectError([&] { InferenceTimer(lookup).measure(0, 3, 0, -1, 1); },
                    {"batch size must be >= 1, got 0", "timed batches must be >= 1, got 0",
                     "warm-up batches must be >= 0, got -1", "vocabulary limit must be >= 2, got 1"});
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
