// The hand-written AVX-512 kernels (core/kernels/) against float references: the VNNI int8
// matrix product with per-row dynamic quantization (exact integer sums, tails of rows,
// columns and inputs, GELU epilogue, thread count), and the fused inference attention
// (padding masks, head sizes that are not 64, one token). Skipped on CPUs without them.

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/attention_kernel.h"
#include "kernels/cpu_features.h"
#include "kernels/int8_gemm.h"
#include "models/attention.h"
#include "quant/int8_kernels.h"
#include "test_support.h"

using namespace tpq;

namespace {

// The kernel's quantization of each row, in float: scale = (max - min) / 255 with 0 in the
// range, zero point round(-min / scale).
at::Tensor perRowReference(const at::Tensor& x, const Int8Weight& w, const at::Tensor& bias) {
    const at::Tensor lo = x.amin(-1, true).clamp_max(0), hi = x.amax(-1, true).clamp_min(0);
    const at::Tensor scale = ((hi - lo) / 255.0).clamp_min(1e-30);
    const at::Tensor zero = torch::round(-lo / scale).clamp(0, 255);
    const at::Tensor q = (torch::round(x / scale) + zero).clamp(0, 255);
    return torch::linear(((q - zero) * scale).to(torch::kFloat64), dequantize(w).to(torch::kFloat64),
                         bias.defined() ? bias.to(torch::kFloat64) : at::Tensor())
        .to(torch::kFloat32);
}

double maxRelative(const at::Tensor& got, const at::Tensor& want) {
    return ((got - want).abs().max() / want.abs().max().clamp_min(1e-12)).item<double>();
}

}  // namespace

class TestKernels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        at::set_num_threads(2);
        torch::manual_seed(11);
    }

    void int8ProductIsExactOnIntegerInputs() {
        if (!int8gemm::available()) QSKIP("no AVX-512 VNNI on this CPU");
        // Rows spanning exactly 0..255 quantize with scale 1 and zero point 0: the kernel's
        // result is then sum_k x * q * scale[n] + b, checked in double.
        const int64_t rows = 13, in = 70, out = 130;
        at::Tensor x = torch::randint(0, 256, {rows, in}).to(torch::kFloat32);
        x.select(1, 0).fill_(0);
        x.select(1, 1).fill_(255);
        const at::Tensor w = torch::randn({out, in}) * 0.1, b = torch::randn({out});
        const Int8Weight q = quantizeWeightInt8(w, true);
        const at::Tensor got = int8gemm::linear(x, int8gemm::pack(q.values, q.scales, b));
        const at::Tensor exact =
            torch::linear(x.to(torch::kFloat64), dequantize(q).to(torch::kFloat64), b.to(torch::kFloat64));
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{rows, out}));
        const double err = maxRelative(got.to(torch::kFloat64), exact);
        QVERIFY2(err < 1e-6, std::to_string(err).c_str());
    }

    void int8ProductMatchesPerRowReference_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<bool>("perChannel");
        QTest::addColumn<bool>("withBias");
        QTest::newRow("bert 768") << 96 << 768 << 768 << true << true;
        QTest::newRow("rows not a multiple of 6") << 37 << 64 << 128 << true << true;
        QTest::newRow("one row") << 1 << 48 << 64 << true << false;
        QTest::newRow("odd widths") << 11 << 13 << 70 << false << true;
        QTest::newRow("pruned ffn width") << 20 << 3072 << 701 << true << true;
    }
    void int8ProductMatchesPerRowReference() {
        if (!int8gemm::available()) QSKIP("no AVX-512 VNNI on this CPU");
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(bool, perChannel);
        QFETCH(bool, withBias);
        const at::Tensor w = torch::randn({out, in}) * 0.05;
        const at::Tensor b = withBias ? torch::randn({out}) * 0.1 : at::Tensor();
        const at::Tensor x = torch::randn({rows, in}) * 2 + 0.3;
        const Int8Weight q = quantizeWeightInt8(w, perChannel);
        const int8gemm::PackedWeight packed = int8gemm::pack(q.values, q.scales, b);
        const at::Tensor got = int8gemm::linear(x, packed);
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{rows, out}));
        // The same quantization up to a rounding tie of x * (1 / scale) against x / scale.
        const double err = maxRelative(got, perRowReference(x, q, b));
        QVERIFY2(err < 2e-3, std::to_string(err).c_str());
        // Against float weights and inputs: the int8 error itself, small.
        const double floatErr = maxRelative(got, torch::linear(x, w, b));
        QVERIFY2(floatErr < 0.03, std::to_string(floatErr).c_str());
        // GELU in the epilogue equals GELU after.
        const at::Tensor gelu = int8gemm::linear(x, packed, int8gemm::Activation::Gelu);
        const double geluErr = (gelu - torch::gelu(got)).abs().max().item<double>();
        QVERIFY2(geluErr < 1e-5 * std::max(1.0, got.abs().max().item<double>()), std::to_string(geluErr).c_str());
        // One thread gives the same bits as two (rows are independent).
        at::set_num_threads(1);
        const at::Tensor single = int8gemm::linear(x, packed);
        at::set_num_threads(2);
        QVERIFY(torch::equal(single, got));
    }

    void int8ProductOfZeroRowsIsTheBias() {
        if (!int8gemm::available()) QSKIP("no AVX-512 VNNI on this CPU");
        const Int8Weight q = quantizeWeightInt8(torch::randn({40, 32}), true);
        const at::Tensor b = torch::randn({40});
        const at::Tensor y = int8gemm::linear(torch::zeros({3, 32}), int8gemm::pack(q.values, q.scales, b));
        QVERIFY(torch::equal(y, b.expand({3, 40})));
        // A batch of any leading shape, and an empty one.
        QCOMPARE(int8gemm::linear(torch::randn({2, 5, 32}), int8gemm::pack(q.values, q.scales, b)).sizes().vec(),
                 (std::vector<int64_t>{2, 5, 40}));
        QCOMPARE(int8gemm::linear(torch::randn({0, 32}), int8gemm::pack(q.values, q.scales, b)).numel(), int64_t(0));
        tpqtest::expectError([&] { int8gemm::linear(torch::randn({2, 31}), int8gemm::pack(q.values, q.scales, b)); },
                             {"expects 32 input features"});
    }

    void int8ProductOfANonFiniteRowIsNaN() {
        if (!int8gemm::available()) QSKIP("no AVX-512 VNNI on this CPU");
        const Int8Weight q = quantizeWeightInt8(torch::randn({20, 33}) * 0.1, true);
        const at::Tensor b = torch::randn({20});
        at::Tensor x = torch::randn({4, 33});
        x[1][5] = std::numeric_limits<float>::quiet_NaN();
        x[2][32] = std::numeric_limits<float>::infinity();  // in the tail of 16
        const at::Tensor y = int8gemm::linear(x, int8gemm::pack(q.values, q.scales, b), int8gemm::Activation::Gelu);
        QVERIFY(y[1].isnan().all().item<bool>());
        QVERIFY(y[2].isnan().all().item<bool>());
        QVERIFY(y[0].isfinite().all().item<bool>());
        QVERIFY(y[3].isfinite().all().item<bool>());
        // The finite rows are what they are without the others.
        const at::Tensor alone = int8gemm::linear(x.index_select(0, torch::tensor({0, 3})),
                                                  int8gemm::pack(q.values, q.scales, b), int8gemm::Activation::Gelu);
        QVERIFY(torch::equal(alone[0], y[0]));
        QVERIFY(torch::equal(alone[1], y[3]));
    }

    void int8LinearRunsTheKernelWhenTheCpuHasIt() {
        const at::Tensor w = torch::randn({64, 96}) * 0.05, b = torch::randn({64});
        const at::Tensor x = torch::randn({4, 9, 96});
        const Int8Weight q = quantizeWeightInt8(w, true);
        const Int8Linear layer(q, b);
        const at::Tensor y = layer.forward(x);
        if (int8gemm::available()) {
            // Our kernel's result bit for bit, and its per-row quantization.
            QVERIFY(torch::equal(y, int8gemm::linear(x, int8gemm::pack(q.values, q.scales, b))));
            QVERIFY(maxRelative(y, perRowReference(x, q, b)) < 2e-3);
        }
        QVERIFY(maxRelative(y, torch::linear(x, w, b)) < 0.03);
        QVERIFY(maxRelative(layer.forwardGelu(x), torch::gelu(y)) < 1e-5);
        // The static path (LibTorch's quantized::linear) still works on the same layer.
        const at::Tensor ys = layer.forwardStatic(x, QParams{8.0 / 255, 128}, QParams{16.0 / 255, 128});
        QVERIFY(maxRelative(ys, torch::linear(x, w, b)) < 0.05);
    }

    void attentionMatchesReference_data() {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("headSize");
        QTest::newRow("bert-base layer") << 2 << 128 << 12 << 64;
        QTest::newRow("odd length, small heads") << 3 << 37 << 3 << 32;
        QTest::newRow("head size 48") << 2 << 70 << 2 << 48;
        QTest::newRow("head size 80, 130 keys") << 2 << 130 << 2 << 80;
        QTest::newRow("one token") << 2 << 1 << 4 << 16;
    }
    void attentionMatchesReference() {
        if (!kernels::attentionAvailable()) QSKIP("no AVX-512 on this CPU");
        QFETCH(int, batch);
        QFETCH(int, length);
        QFETCH(int, heads);
        QFETCH(int, headSize);
        const int64_t width = int64_t(heads) * headSize;
        const at::Tensor q = torch::randn({batch, length, width}), k = torch::randn({batch, length, width}),
                         v = torch::randn({batch, length, width});
        at::Tensor tokens = torch::ones({batch, length});
        if (length > 1) tokens[batch - 1].slice(0, length / 2).fill_(0);  // padding in the last example
        const at::Tensor mask = additiveAttentionMask(tokens, torch::kFloat32);
        auto split = [&](const at::Tensor& t) { return t.view({batch, length, heads, headSize}).transpose(1, 2); };
        const at::Tensor probs =
            torch::softmax(torch::matmul(split(q), split(k).transpose(-1, -2)) / std::sqrt(double(headSize)) + mask, -1);
        const at::Tensor want = torch::matmul(probs, split(v)).transpose(1, 2).reshape({batch, length, width});
        const at::Tensor got = kernels::attention(q, k, v, mask, heads, headSize);
        QCOMPARE(got.sizes().vec(), want.sizes().vec());
        const double err = (got - want).abs().max().item<double>();
        QVERIFY2(err < 1e-5, std::to_string(err).c_str());
        // Without a mask every key counts.
        const at::Tensor open = torch::matmul(
            torch::softmax(torch::matmul(split(q), split(k).transpose(-1, -2)) / std::sqrt(double(headSize)), -1), split(v));
        const double openErr = (kernels::attention(q, k, v, at::Tensor(), heads, headSize) -
                                open.transpose(1, 2).reshape({batch, length, width}))
                                   .abs()
                                   .max()
                                   .item<double>();
        QVERIFY2(openErr < 1e-5, std::to_string(openErr).c_str());
        // multiHeadAttention takes this path in inference and gives the same.
        torch::NoGradGuard noGrad;
        const at::Tensor viaModel = multiHeadAttention(q, k, v, mask, heads, headSize, 0.1, false, at::Tensor());
        QVERIFY(torch::allclose(viaModel, got));
    }
};

QTEST_GUILESS_MAIN(TestKernels)
#include "test_kernels.moc"
