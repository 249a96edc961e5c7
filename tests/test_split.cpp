// De-duplication, stratified split by ratios and seed, sample limits, percentiles.

#include <set>

#include "data/dataset_split.h"
#include "data/dataset_stats.h"
#include "test_support.h"

using namespace tpq;
using tpqtest::expectError;

namespace {
// 700 texts of class a, 300 of class b, all distinct.
TextClassificationDataset makeDataset() {
    TextClassificationDataset d({"a", "b"});
    for (int i = 0; i < 1000; ++i) d.add("text " + std::to_string(i), i % 10 < 7 ? 0 : 1);
    return d;
}
}  // namespace

class TestSplit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void duplicatesAreRemovedAndCounted() {
        TextClassificationDataset d({"ham", "spam"});
        d.add("same", 0);
        d.add("other", 1);
        d.add("same", 0);
        d.add("same", 1);  // same text, different label
        d.add("other", 1);
        removeDuplicates(d);
        QCOMPARE(d.size(), size_t(2));
        TPQ_COMPARE_STR(d.text(0), "same");
        QCOMPARE(d.label(0), int64_t(0));
        QCOMPARE(d.report().duplicatesRemoved, size_t(3));
        QCOMPARE(d.report().conflictingDuplicates, size_t(1));
    }

    void splitIsStratified() {
        const auto s = stratifiedSplit(makeDataset(), 0.8, 0.1, 0.1, 42);
        QCOMPARE(s.train.size(), size_t(800));
        QCOMPARE(s.validation.size(), size_t(100));
        QCOMPARE(s.test.size(), size_t(100));
        QCOMPARE(s.train.countsPerClass(), (std::vector<size_t>{560, 240}));
        QCOMPARE(s.validation.countsPerClass(), (std::vector<size_t>{70, 30}));
        QCOMPARE(s.test.countsPerClass(), (std::vector<size_t>{70, 30}));
        // Disjoint and complete.
        std::set<std::string> all;
        for (const auto* part : {&s.train, &s.validation, &s.test})
            all.insert(part->texts().begin(), part->texts().end());
        QCOMPARE(all.size(), size_t(1000));
    }

    void splitIsDeterministicPerSeed() {
        const auto d = makeDataset();
        const auto a = stratifiedSplit(d, 0.8, 0.1, 0.1, 7);
        const auto b = stratifiedSplit(d, 0.8, 0.1, 0.1, 7);
        const auto c = stratifiedSplit(d, 0.8, 0.1, 0.1, 8);
        QCOMPARE(a.test.texts(), b.test.texts());
        QVERIFY(a.test.texts() != c.test.texts());
    }

    void badRatiosAreRefused() {
        expectError([] { stratifiedSplit(makeDataset(), 0.8, 0.2, 0.1, 1); }, {"sum to 1", "= 1.100"});
    }

    void limitKeepsClassProportions() {
        auto d = makeDataset();
        limitSamples(d, 100, 3);
        QCOMPARE(d.size(), size_t(100));
        QCOMPARE(d.countsPerClass(), (std::vector<size_t>{70, 30}));
        // Exactly N, even when N is smaller than the number of classes' rounding allows.
        auto e = makeDataset();
        limitSamples(e, 1, 3);
        QCOMPARE(e.size(), size_t(1));
        auto f = makeDataset();
        limitSamples(f, 11, 3);
        QCOMPARE(f.size(), size_t(11));
        QCOMPARE(f.countsPerClass(), (std::vector<size_t>{8, 3}));  // 7.7 -> 8, 3.3 -> 3
    }

    void tinyClassesKeepATrainingExample() {
        TextClassificationDataset d({"x", "y"});
        for (int i = 0; i < 5; ++i) d.add("x" + std::to_string(i), 0);
        for (int i = 0; i < 2; ++i) d.add("y" + std::to_string(i), 1);
        const auto s = stratifiedSplit(d, 0.2, 0.4, 0.4, 1);
        QCOMPARE(s.train.countsPerClass()[1], size_t(1));
        QCOMPARE(s.train.size() + s.validation.size() + s.test.size(), size_t(7));
        TextClassificationDataset tiny({"a", "b"});
        tiny.add("a", 0);
        tiny.add("b", 1);
        const auto t = stratifiedSplit(tiny, 0.8, 0.1, 0.1, 1);
        QCOMPARE(t.train.size(), size_t(2));
        QCOMPARE(t.warnings.size(), size_t(2));
        QVERIFY(t.warnings[0].find("validation split is empty") != std::string::npos);
    }

    void percentilesNearestRank() {
        const std::vector<size_t> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        QCOMPARE(percentile(v, 50), size_t(5));
        QCOMPARE(percentile(v, 90), size_t(9));
        QCOMPARE(percentile(v, 95), size_t(10));
        QCOMPARE(percentile(v, 0), size_t(1));
        TextClassificationDataset d({"x"});
        for (int n = 1; n <= 10; ++n) d.add(std::string(size_t(n), 'a'), 0);
        const auto stats = computeStats(
            d, [](const std::string& t) { return t.size() * 2; }, 15);
        QCOMPARE(stats.tokens.p50, size_t(10));
        QCOMPARE(stats.tokens.max, size_t(20));
        QCOMPARE(stats.tokens.mean, 11.0);
        QCOMPARE(stats.tokens.overLimit, size_t(3));  // 16, 18, 20
        QCOMPARE(stats.textBytes, size_t(55));
    }
};

QTEST_GUILESS_MAIN(TestSplit)
#include "test_split.moc"
