// The hand-written kernels (core/kernels/) against float references: the int8 matrix
// product on the CPU's path (AMX, AVX-512 VNNI or AVX2; CTest runs this file again with
// TPQ_INT8_KERNEL=avx2 and =avx512_vnni so that the lower paths are tested on AMX and VNNI
// CPUs too) with per-row
// dynamic quantization (exact integer sums, tails of rows, columns and inputs, GELU
// epilogue, thread count) and with static calibrated scales (requantized output, clamping,
// NaN rows), the bf16 product on AMX tiles, and the fused inference attention (padding masks, head sizes that are not
// 64, one token; its bf16 products for int8 models). A path the CPU lacks is skipped, naming the missing feature.

#include <array>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/attention_kernel.h"
#include "kernels/bf16_gemm.h"
#include "kernels/cpu_features.h"
#include "kernels/fp32_gemm.h"
#include "kernels/int8_gemm.h"
#include "kernels/layer_norm.h"
#include "models/attention.h"
#include "quant/int8_kernels.h"
#include "quant/quantized_linear.h"
#include "test_support.h"
#include "util/system_info.h"

using namespace tpq;

namespace {

// The kernel's quantization of each row, in float: scale = (max - min) / L with 0 in the
// range, zero point round(-min / scale); L = 255 on VNNI, 127 on AVX2 (inputLevels()).
at::Tensor perRowReference(const at::Tensor& x, const Int8Weight& w, const at::Tensor& bias,
                           const at::Tensor& floatWeight = at::Tensor(), double levels = 0) {
    const at::Tensor lo = x.amin(-1, true).clamp_max(0), hi = x.amax(-1, true).clamp_min(0);
    if (levels == 0) levels = int8gemm::available() ? int8gemm::inputLevels() : 255;
    const at::Tensor scale = ((hi - lo) / levels).clamp_min(1e-30);
    const at::Tensor zero = torch::round(-lo / scale).clamp(0, levels);
    const at::Tensor q = (torch::round(x / scale) + zero).clamp(0, levels);
    const at::Tensor weight = floatWeight.defined() ? floatWeight : dequantize(w);
    return torch::linear(((q - zero) * scale).to(torch::kFloat64), weight.to(torch::kFloat64),
                         bias.defined() ? bias.to(torch::kFloat64) : at::Tensor())
        .to(torch::kFloat32);
}

// Static quantization in double: inputs on the calibrated grid, the float product with the
// dequantized weight, the result rounded onto the output grid.
at::Tensor staticReference(const at::Tensor& x, const Int8Weight& w, const at::Tensor& bias,
                           const int8gemm::StaticScales& s) {
    // The calibrated 8-bit range on the path's levels (int8_gemm.h's inputLevels()).
    const double levels = int8gemm::inputLevels();
    const double inScale = double(s.inScale) * 255.0 / levels;
    const double inZero = std::round(double(s.inZero) * levels / 255.0);
    const at::Tensor qx = (torch::round(x.to(torch::kFloat64) / inScale) + inZero).clamp(0, levels);
    const at::Tensor y = torch::linear((qx - inZero) * inScale, dequantize(w).to(torch::kFloat64),
                                       bias.defined() ? bias.to(torch::kFloat64) : at::Tensor());
    return (torch::round(y / s.outScale) + s.outZero).clamp(0, 255).sub(s.outZero).mul(s.outScale);
}

double maxRelative(const at::Tensor& got, const at::Tensor& want) {
    return ((got - want).abs().max() / want.abs().max().clamp_min(1e-12)).item<double>();
}

// Random q, k, v [batch, length, width] and the additive mask of a batch whose last
// example is padded from half its length.
std::array<at::Tensor, 4> attentionInputs(int batch, int length, int64_t width) {
    const at::Tensor q = torch::randn({batch, length, width}), k = torch::randn({batch, length, width}),
                     v = torch::randn({batch, length, width});
    at::Tensor tokens = torch::ones({batch, length});
    if (length > 1) tokens[batch - 1].slice(0, length / 2).fill_(0);
    return {q, k, v, additiveAttentionMask(tokens, torch::kFloat32)};
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
        if (!int8gemm::available()) QSKIP("no int8 kernel of ours on this CPU (needs AVX2+FMA or AVX-512 VNNI)");
        // Rows spanning exactly 0..L (the path's levels) quantize with scale 1 and zero point
        // 0: the kernel's result is then sum_k x * q * scale[n] + b, checked in double.
        const int64_t rows = 13, in = 70, out = 130, levels = int8gemm::inputLevels();
        at::Tensor x = torch::randint(0, levels + 1, {rows, in}).to(torch::kFloat32);
        x.select(1, 0).fill_(0);
        x.select(1, 1).fill_(float(levels));
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
        if (!int8gemm::available()) QSKIP("no int8 kernel of ours on this CPU (needs AVX2+FMA or AVX-512 VNNI)");
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
        if (!int8gemm::available()) QSKIP("no int8 kernel of ours on this CPU (needs AVX2+FMA or AVX-512 VNNI)");
        const Int8Weight q = quantizeWeightInt8(torch::randn({40, 32}), true);
        const at::Tensor b = torch::randn({40});
        const at::Tensor y = int8gemm::linear(torch::zeros({3, 32}), int8gemm::pack(q.values, q.scales, b));
        QVERIFY(torch::equal(y, b.expand({3, 40})));
        // A batch of any leading shape, and an empty one.
        QCOMPARE(int8gemm::linear(torch::randn({2, 5, 32}), int8gemm::pack(q.values, q.scales, b)).sizes().vec(),
                 (std::vector<int64_t>{2, 5, 40}));
        QCOMPARE(int8gemm::linear(torch::randn({0, 32}), int8gemm::pack(q.values, q.scales, b)).numel(), int64_t(0));
        tpqtest::expectError(
            [&] {
                int8gemm::linear(torch::randn({2, 31}), int8gemm::pack(q.values, q.scales, b));
            },
            {"expects 32 input features"});
    }

    void int8ProductOfANonFiniteRowIsNaN() {
        if (!int8gemm::available()) QSKIP("no int8 kernel of ours on this CPU (needs AVX2+FMA or AVX-512 VNNI)");
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

    void staticProductMatchesReference_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::newRow("bert 768") << 64 << 768 << 768;
        QTest::newRow("tails") << 13 << 37 << 21;
        QTest::newRow("ffn out") << 8 << 3072 << 768;
    }
    void staticProductMatchesReference() {
        if (!int8gemm::staticAvailable()) QSKIP("no int8 kernel of ours on this CPU (needs AVX2+FMA or AVX-512 VNNI)");
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        const at::Tensor w = torch::randn({out, in}) * 0.05, b = torch::randn({out}) * 0.1;
        // Partly outside the calibrated input range [-2, 2): those values clamp to 0 and 255.
        const at::Tensor x = torch::randn({rows, in}) * 1.2;
        const Int8Weight q = quantizeWeightInt8(w, true);
        const int8gemm::PackedWeight packed = int8gemm::pack(q.values, q.scales, b);
        const int8gemm::StaticScales s{4.0f / 255, 128, 8.0f / 255, 120};
        const at::Tensor got = int8gemm::linearStatic(x, packed, s);
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{rows, out}));
        // Every output on the grid, and at most one step from the double reference (a
        // rounding tie of the float epilogue against double).
        const at::Tensor want = staticReference(x, q, b, s).to(torch::kFloat32);
        const double err = (got - want).abs().max().item<double>();
        QVERIFY2(err <= s.outScale * 1.001, std::to_string(err).c_str());
        const double offGrid = (got / s.outScale - torch::round(got / s.outScale)).abs().max().item<double>();
        QVERIFY2(offGrid < 1e-3, std::to_string(offGrid).c_str());
        const double mostlyExact = (got - want).abs().gt(1e-6).to(torch::kFloat64).mean().item<double>();
        QVERIFY2(mostlyExact < 0.01, std::to_string(mostlyExact).c_str());
        // GELU after the requantization; 1 thread = 2 threads.
        const at::Tensor gelu = int8gemm::linearStatic(x, packed, s, int8gemm::Activation::Gelu);
        QVERIFY((gelu - torch::gelu(got)).abs().max().item<double>() < 1e-5);
        at::set_num_threads(1);
        const at::Tensor single = int8gemm::linearStatic(x, packed, s);
        at::set_num_threads(2);
        QVERIFY(torch::equal(single, got));
        // Several static layers on one input, each with its own scales, in one pass: the same
        // bits as one at a time.
        const int8gemm::StaticScales other{2.0f / 255, 100, 4.0f / 255, 128};
        const auto shared = int8gemm::linearStaticShared(x, {&packed, &packed}, {s, other});
        QVERIFY(torch::equal(shared[0], got));
        QVERIFY(torch::equal(shared[1], int8gemm::linearStatic(x, packed, other)));
        // The same grid twice (query, key and value calibrated on one input): one set of codes, same bits.
        const auto sameGrid = int8gemm::linearStaticShared(x, {&packed, &packed}, {s, s});
        QVERIFY(torch::equal(sameGrid[0], got) && torch::equal(sameGrid[1], got));
    }

    void staticProductIsExactOnIntegerInputs() {
        if (!int8gemm::staticAvailable()) QSKIP("no int8 kernel of ours on this CPU (needs AVX2+FMA or AVX-512 VNNI)");
        // Inputs on the path's grid (codes 0..L times 255 / L, calibrated scale 1 and zero
        // point 0) quantize exactly; an output grid fine enough (and wide enough) that
        // rounding onto it is below the tolerance.
        const int64_t rows = 7, in = 45, out = 19, levels = int8gemm::inputLevels();
        const at::Tensor x = torch::randint(0, levels + 1, {rows, in}).to(torch::kFloat32) * (255.0f / float(levels));
        const Int8Weight q = quantizeWeightInt8(torch::randn({out, in}) * 0.002, true);
        const at::Tensor exact = torch::linear(x.to(torch::kFloat64), dequantize(q).to(torch::kFloat64));
        const float outScale = float(exact.abs().max().item<double>() / 100.0);
        const at::Tensor got =
            int8gemm::linearStatic(x, int8gemm::pack(q.values, q.scales, at::Tensor()), {1.0f, 0, outScale, 128});
        const double err = (got.to(torch::kFloat64) - exact).abs().max().item<double>();
        QVERIFY2(err <= 0.5 * outScale * 1.001, std::to_string(err).c_str());
    }

    void staticProductOfANonFiniteRowIsNaN() {
        if (!int8gemm::staticAvailable()) QSKIP("no int8 kernel of ours on this CPU (needs AVX2+FMA or AVX-512 VNNI)");
        const Int8Weight q = quantizeWeightInt8(torch::randn({20, 35}) * 0.1, true);
        at::Tensor x = torch::randn({3, 35});
        x[0][34] = -std::numeric_limits<float>::infinity();  // the scalar tail
        x[2][3] = std::numeric_limits<float>::quiet_NaN();
        const at::Tensor y = int8gemm::linearStatic(x, int8gemm::pack(q.values, q.scales, torch::randn({20})),
                                                    {4.0f / 255, 128, 8.0f / 255, 128});
        QVERIFY(y[0].isnan().all().item<bool>());
        QVERIFY(y[1].isfinite().all().item<bool>());
        QVERIFY(y[2].isnan().all().item<bool>());
        tpqtest::expectError(
            [&] {
                int8gemm::linearStatic(x, int8gemm::pack(q.values, q.scales, at::Tensor()), {0.0f, 0, 1.0f, 0});
            },
            {"static scales must be > 0"});
    }

    void bf16ProductMatchesReference_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::newRow("bert 768") << 64 << 768 << 768;
        QTest::newRow("tails") << 13 << 37 << 21;
        QTest::newRow("one row, ffn") << 1 << 3072 << 768;
        QTest::newRow("rows past a tile") << 45 << 96 << 130;
    }
    void bf16ProductMatchesReference() {
        if (!bf16gemm::available())
            QSKIP(
                "no bf16 kernel of ours here (needs AMX-BF16 and AVX512-BF16, not turned off by TPQ_BF16_KERNEL or "
                "TPQ_KERNELS)");
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        const at::Tensor w = torch::randn({out, in}) * 0.05, b = torch::randn({out}) * 0.1;
        const at::Tensor x = torch::randn({rows, in});
        const bf16gemm::PackedWeight packed = bf16gemm::pack(w, b);
        const at::Tensor got = bf16gemm::linear(x, packed);
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{rows, out}));
        // The reference: inputs, weight and bias rounded to bf16, the products in double, the
        // result rounded to bf16. The kernel's fp32 sums differ from double by far less than
        // one bf16 step (2^-8 relative), so at most one step apart, and mostly equal.
        auto bf = [](const at::Tensor& t) { return t.to(torch::kBFloat16).to(torch::kFloat64); };
        const at::Tensor exact = torch::linear(bf(x), bf(w), bf(b));
        const at::Tensor want = exact.to(torch::kBFloat16).to(torch::kFloat32);
        const double step = ((got - want).abs() / want.abs().clamp_min(1e-3)).max().item<double>();
        QVERIFY2(step <= 1.0 / 128, std::to_string(step).c_str());
        const double equal = got.eq(want).to(torch::kFloat64).mean().item<double>();
        QVERIFY2(equal > 0.9, std::to_string(equal).c_str());
        // Within bf16's precision of the fp32 product.
        QVERIFY(maxRelative(got, torch::linear(x, w, b)) < 2e-2);
        const at::Tensor gelu = bf16gemm::linear(x, packed, int8gemm::Activation::Gelu);
        QVERIFY((gelu - torch::gelu(got)).abs().max().item<double>() < 1e-5);
        at::set_num_threads(1);
        const at::Tensor single = bf16gemm::linear(x, packed);
        at::set_num_threads(2);
        QVERIFY(torch::equal(single, got));
    }

    void bf16ProductIsExactOnSmallIntegers() {
        if (!bf16gemm::available())
            QSKIP(
                "no bf16 kernel of ours here (needs AMX-BF16 and AVX512-BF16, not turned off by TPQ_BF16_KERNEL or "
                "TPQ_KERNELS)");
        // Small integers are exact in bf16 and their sums exact in fp32 (below 2^24); results
        // below 256 are exact in bf16 too. A row of zeros gives the bias.
        const at::Tensor x = torch::randint(-3, 4, {33, 70}).to(torch::kFloat32);
        const at::Tensor w = torch::randint(-1, 2, {19, 70}).to(torch::kFloat32);
        x[5].zero_();
        const at::Tensor b = torch::randint(-20, 20, {19}).to(torch::kFloat32);
        const at::Tensor got = bf16gemm::linear(x, bf16gemm::pack(w, b));
        QVERIFY(torch::equal(got, torch::linear(x, w, b)));
        QVERIFY(torch::equal(got[5], b));
        QVERIFY(bf16gemm::linear(torch::zeros({0, 70}), bf16gemm::pack(w, b)).numel() == 0);
        tpqtest::expectError(
            [&] {
                bf16gemm::linear(torch::zeros({2, 71}), bf16gemm::pack(w, b));
            },
            {"expects 70 input features, got 71"});
    }

    void bf16LayerRunsTheKernel() {
        const at::Tensor w = torch::randn({40, 64}) * 0.05, b = torch::randn({40});
        const auto layer = makeHalfLinear(w, b, Precision::Bf16);
        const at::Tensor x = torch::randn({3, 5, 64});
        const at::Tensor y = layer->forward(x);
        QVERIFY(maxRelative(y, torch::linear(x, w, b)) < 2e-2);
        if (bf16gemm::available()) {
            QCOMPARE(QString::fromStdString(layer->kernelPath()), QString("amx"));
            QVERIFY(torch::equal(y, bf16gemm::linear(x, bf16gemm::pack(w, b))));
        }
    }

    void int4ProductMatchesReference_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("group");
        QTest::newRow("bert 768, group 128") << 24 << 768 << 768 << 128;
        QTest::newRow("ffn out, group 128") << 9 << 3072 << 40 << 128;
        QTest::newRow("tails, group 4") << 7 << 36 << 19 << 4;
        QTest::newRow("one row, group 32") << 1 << 64 << 33 << 32;
        // On AMX: rows past a tile of 32, an odd number of 16-output blocks, groups of 64.
        QTest::newRow("tiles with tails, group 64") << 45 << 192 << 40 << 64;
        QTest::newRow("bert batch, group 128") << 130 << 768 << 100 << 128;
    }
    void int4ProductMatchesReference() {
        if (!int8gemm::int4Available()) QSKIP("no AVX2 + FMA on this CPU: int4 layers expand to float");
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(int, group);
        const at::Tensor w = torch::randn({out, in}) * 0.05, b = torch::randn({out}) * 0.1;
        const at::Tensor x = torch::randn({rows, in}) * 2 + 0.3;
        const Int4Weight q = quantizeWeightInt4(w, group);
        const int8gemm::PackedInt4Weight packed = int8gemm::packInt4(q.packed, q.scales, group, b);
        const at::Tensor got = int8gemm::linearInt4(x, packed);
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{rows, out}));
        // The per-row quantization of x times the dequantized int4 weight, in double.
        const double err =
            maxRelative(got, perRowReference(x, Int8Weight{}, b, dequantize(q), int8gemm::int4InputLevels()));
        QVERIFY2(err < 2e-3, std::to_string(err).c_str());
        // Against the float product: int4's own error (7 levels per group), as a ratio of norms.
        const at::Tensor exactFloat = torch::linear(x, w, b);
        const double rms = ((got - exactFloat).norm() / exactFloat.norm()).item<double>();
        QVERIFY2(rms < 0.25, std::to_string(rms).c_str());
        const at::Tensor gelu = int8gemm::linearInt4(x, packed, int8gemm::Activation::Gelu);
        QVERIFY((gelu - torch::gelu(got)).abs().max().item<double>() <
                1e-5 * std::max(1.0, got.abs().max().item<double>()));
        at::set_num_threads(1);
        const at::Tensor single = int8gemm::linearInt4(x, packed);
        at::set_num_threads(2);
        QVERIFY(torch::equal(single, got));
    }

    void int4ProductIsExactOnIntegerInputs() {
        if (!int8gemm::int4Available()) QSKIP("no AVX2 + FMA on this CPU");
        // Rows spanning 0..L (the kernel's input levels: 127 or 255) quantize with scale 1
        // and zero point 0: the result is then the exact product with the dequantized weight.
        const int64_t rows = 5, in = 256, out = 21, levels = int8gemm::int4InputLevels();
        at::Tensor x = torch::randint(0, levels + 1, {rows, in}).to(torch::kFloat32);
        x.select(1, 0).fill_(0);
        x.select(1, 1).fill_(double(levels));
        const Int4Weight q = quantizeWeightInt4(torch::randn({out, in}), 64);
        const at::Tensor got = int8gemm::linearInt4(x, int8gemm::packInt4(q.packed, q.scales, 64, at::Tensor()));
        const at::Tensor exact = torch::linear(x.to(torch::kFloat64), dequantize(q).to(torch::kFloat64));
        const double err = maxRelative(got.to(torch::kFloat64), exact);
        QVERIFY2(err < 1e-6, std::to_string(err).c_str());
        // A zero row gives the bias; a NaN row NaN.
        at::Tensor z = torch::zeros({2, in});
        z[1][7] = std::numeric_limits<float>::quiet_NaN();
        const at::Tensor b = torch::randn({out});
        const at::Tensor yz = int8gemm::linearInt4(z, int8gemm::packInt4(q.packed, q.scales, 64, b));
        QVERIFY(torch::equal(yz[0], b));
        QVERIFY(yz[1].isnan().all().item<bool>());
        tpqtest::expectError([&] { int8gemm::packInt4(q.packed, q.scales, 48, b); },
                             {"not a multiple of 4 that divides"});
    }

    void int4LayerRunsTheKernel() {
        const at::Tensor w = torch::randn({48, 128}) * 0.05, b = torch::randn({48});
        const at::Tensor x = torch::randn({3, 5, 128});
        const Int4Weight q = quantizeWeightInt4(w, 32);
        const QuantizedLinearPtr layer = makeInt4Linear(q, b);
        const at::Tensor y = layer->forward(x);
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{3, 5, 48}));
        QVERIFY(maxRelative(y, torch::linear(x, dequantize(q), b)) < 0.02);
        if (int8gemm::int4Available()) {
            // Groups of 32 (not a multiple of 64): VPDPBUSD on AVX-512 VNNI and AMX CPUs, else AVX2.
            QCOMPARE(QString::fromStdString(layer->kernelPath()),
                     QString(int8gemm::path() == kernels::KernelPath::Avx2 ? "avx2" : "avx512_vnni"));
            QVERIFY(torch::equal(y, int8gemm::linearInt4(x, int8gemm::packInt4(q.packed, q.scales, 32, b))));
            // Groups of 64 and more on AMX tiles where the int8 path is AMX; smaller ones on VPDPBUSD.
            if (int8gemm::path() == kernels::KernelPath::Amx)
                QCOMPARE(QString(kernels::kernelPathName(int8gemm::int4Path(128))), QString("amx"));
        }
        // A group size the kernel cannot take (not a multiple of 4) still works, on floats.
        const Int4Weight q2 = quantizeWeightInt4(w, 2);
        const QuantizedLinearPtr small = makeInt4Linear(q2, b);
        QCOMPARE(QString::fromStdString(small->kernelPath()), QString("libtorch"));
        QVERIFY(torch::allclose(small->forward(x), torch::linear(x, dequantize(q2), b), 1e-4, 1e-4));
    }

    void fp32ProductMatchesLinear_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::newRow("bert 768") << 128 << 768 << 768;
        QTest::newRow("ffn out") << 20 << 3072 << 768;
        QTest::newRow("tails") << 13 << 37 << 21;
        QTest::newRow("one row, one output") << 1 << 5 << 1;
        QTest::newRow("k-blocks and panels with tails") << 45 << 300 << 100;
        QTest::newRow("no inputs (every head pruned)") << 5 << 0 << 7;
    }
    void fp32ProductMatchesLinear() {
        if (!fp32gemm::supported()) QSKIP("no AVX2 + FMA on this CPU");
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, out);
        const at::Tensor w = torch::randn({out, in}) * 0.05, b = torch::randn({out});
        const at::Tensor x = torch::randn({rows, in});
        const fp32gemm::PackedWeight packed = fp32gemm::pack(w, b);
        const at::Tensor got = fp32gemm::linear(x, packed);
        const at::Tensor want = torch::linear(x.to(torch::kFloat64), w.to(torch::kFloat64), b.to(torch::kFloat64));
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{rows, out}));
        const double err = maxRelative(got.to(torch::kFloat64), want);
        QVERIFY2(err < 1e-5, std::to_string(err).c_str());
        const at::Tensor gelu = fp32gemm::linear(x, packed, fp32gemm::Activation::Gelu);
        QVERIFY((gelu - torch::gelu(got)).abs().max().item<double>() <
                1e-5 * std::max(1.0, got.abs().max().item<double>()));
        const auto shared = fp32gemm::linearShared(x, {&packed, &packed});
        QVERIFY(torch::equal(shared[0], got) && torch::equal(shared[1], got));
        at::set_num_threads(1);
        const at::Tensor single = fp32gemm::linear(x, packed);
        at::set_num_threads(2);
        QVERIFY(torch::equal(single, got));
        tpqtest::expectError([&] { fp32gemm::linear(torch::randn({2, in + 1}), packed); }, {"input features"});
    }

    void geluEpilogueIsExactGeluOnAWideGrid() {
        // An identity layer gives x exactly; its GELU epilogue against x/2 (1 + erf(x/sqrt 2))
        // in double, on 2^18 points of [-10, 10) (every interval of the AVX-512 erf, its
        // clamp at 4 and both tails).
        if (!fp32gemm::supported()) QSKIP("no AVX2 + FMA on this CPU");
        const at::Tensor x = torch::linspace(-10.0, 10.0, 1 << 18, torch::kFloat32).reshape({-1, 16});
        const fp32gemm::PackedWeight identity = fp32gemm::pack(torch::eye(16), torch::zeros({16}));
        const at::Tensor got = fp32gemm::linear(x, identity, fp32gemm::Activation::Gelu).to(torch::kFloat64);
        const at::Tensor xd = x.to(torch::kFloat64);
        const at::Tensor want = xd * 0.5 * (1.0 + torch::erf(xd / std::sqrt(2.0)));
        const double err = ((got - want).abs() / xd.abs().clamp_min(1.0)).max().item<double>();
        // AVX-512: < 1.5e-7 measured 8.1e-8; the AVX2 path keeps A & S 7.1.26 (6.9e-7).
        const double bound = identity.path == kernels::KernelPath::Avx512 ? 1.5e-7 : 1e-6;
        QVERIFY2(err < bound, QByteArray::number(err, 'g', 3).constData());
    }

    void fp32InferenceFollowsWeightChanges() {
        // An fp32 layer in inference runs on the reordered copy; changing the weight in place
        // (an optimizer step, pruning, loading) must be seen by the next forward.
        torch::nn::Linear layer(16, 24);
        layer->eval();
        const at::Tensor x = torch::randn({4, 16});
        torch::NoGradGuard noGrad;
        const at::Tensor before = runLinear(layer, nullptr, x);
        QVERIFY(torch::allclose(before, torch::linear(x, layer->weight, layer->bias), 1e-5, 1e-5));
        layer->weight.mul_(2);
        layer->bias.add_(1);
        const at::Tensor after = runLinear(layer, nullptr, x);
        QVERIFY(torch::allclose(after, torch::linear(x, layer->weight, layer->bias), 1e-5, 1e-5));
        QVERIFY(!torch::allclose(after, before));
        if (fp32gemm::available())
            QVERIFY2(torch::equal(after, fp32gemm::linear(x, fp32gemm::pack(layer->weight, layer->bias))),
                     "the layer did not run our fp32 kernel");
        layer->weight.set_data(torch::zeros({24, 16}));
        QVERIFY(torch::allclose(runLinear(layer, nullptr, x), layer->bias.expand({4, 24})));
        // Training mode, or gradients on: LibTorch's linear (autograd), same values.
        layer->train();
        QVERIFY(torch::allclose(runLinear(layer, nullptr, x), layer->bias.expand({4, 24})));
    }

    void cpuDispatchNamesEveryPath() {
        // The table tpq info prints: every precision with a path, AVX-512 implied by VNNI.
        const auto report = kernels::kernelPathReport();
        QStringList names;
        for (const auto& [what, path] : report) names << QString::fromStdString(what);
        for (const char* p : {"int8", "fp32", "bf16", "fp16", "int4", "attention", "layer norm"})
            QVERIFY2(names.contains(p), p);
        // cpuid + XCR0 agree with what Linux reports in /proc/cpuinfo (it clears the flags the
        // OS does not enable, as our XCR0 check does).
        const auto& f = kernels::cpuFeatures();
        const SystemInfo info = collectSystemInfo();
        auto listed = [&](const char* flag) {
            return std::find(info.cpuFeatures.begin(), info.cpuFeatures.end(), flag) != info.cpuFeatures.end();
        };
        QCOMPARE(f.avx2, listed("avx2"));
        QCOMPARE(f.fma, listed("fma"));
        QCOMPARE(f.avx512, listed("avx512f") && listed("avx512bw"));
        QCOMPARE(f.avx512Vnni, listed("avx512_vnni"));
        QCOMPARE(f.avx512Bf16, listed("avx512_bf16"));
        QCOMPARE(f.amxInt8, listed("amx_int8"));
        const bool unforced = !std::getenv("TPQ_KERNELS") && !std::getenv("TPQ_INT8_KERNEL");
        if (f.avx2 && f.fma && unforced) QVERIFY(int8gemm::available());
        // The best path the CPU has: AMX where Linux gives the tile permission.
        if (f.amxInt8 && f.amxPermitted && f.avx512Vnni && unforced)
            QCOMPARE(QString(kernels::kernelPathName(int8gemm::path())), QString("amx"));
        if (f.amxBf16 && f.amxPermitted && f.avx512Bf16 && !std::getenv("TPQ_KERNELS") &&
            !std::getenv("TPQ_BF16_KERNEL"))
            QVERIFY(bf16gemm::available());
        QCOMPARE(QString(kernels::kernelPathName(kernels::KernelPath::Avx2)), QString("avx2"));
        QCOMPARE(QString(kernels::kernelPathName(kernels::KernelPath::LibTorch)), QString("libtorch"));
        // bf16 on a CPU without bf16 hardware says so.
        if (kernels::bf16IsEmulated()) {
            bool said = false;
            for (const auto& [what, path] : report)
                said = said || (what == "bf16" && path.find("emulated") != std::string::npos);
            QVERIFY(said);
        }
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
        // The static form works on the same layer: our kernel's result where it runs static.
        const at::Tensor ys = layer.forwardStatic(x, QParams{8.0 / 255, 128}, QParams{16.0 / 255, 128});
        QVERIFY(maxRelative(ys, torch::linear(x, w, b)) < 0.05);
        if (int8gemm::staticAvailable()) {
            QVERIFY(torch::equal(ys, int8gemm::linearStatic(x, int8gemm::pack(q.values, q.scales, b),
                                                            {8.0f / 255, 128, 16.0f / 255, 128})));
            // Static runs on our kernel, on the same path as dynamic (no longer LibTorch's quantized::linear).
            QVERIFY(layer.kernelPath(true) != "libtorch");
            QCOMPARE(QString::fromStdString(layer.kernelPath(true)), QString::fromStdString(layer.kernelPath(false)));
        }
        QVERIFY(maxRelative(layer.forwardStatic(x, QParams{8.0 / 255, 128}, QParams{16.0 / 255, 128}, true),
                            torch::gelu(ys)) < 1e-5);
    }

    void addLayerNormMatchesLibTorch_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("width");
        QTest::newRow("bert 768") << 130 << 768;
        QTest::newRow("tail") << 7 << 37;
        QTest::newRow("one value") << 3 << 1;
    }
    void addLayerNormMatchesLibTorch() {
        if (!kernels::addLayerNormAvailable()) QSKIP("no AVX-512 on this CPU (or TPQ_KERNELS caps it)");
        QFETCH(int, rows);
        QFETCH(int, width);
        const at::Tensor x = torch::randn({rows, width}) * 3 + 1, r = torch::randn({rows, width});
        const at::Tensor g = torch::randn({width}), b = torch::randn({width});
        const at::Tensor got = kernels::addLayerNorm(x, r, g, b, 1e-12);
        const at::Tensor want =
            at::layer_norm((x + r).to(torch::kFloat64), {width}, g.to(torch::kFloat64), b.to(torch::kFloat64), 1e-12);
        QCOMPARE(got.sizes().vec(), x.sizes().vec());
        const double err = (got.to(torch::kFloat64) - want).abs().max().item<double>();
        QVERIFY2(err < 1e-4, std::to_string(err).c_str());
        at::set_num_threads(1);
        const at::Tensor single = kernels::addLayerNorm(x, r, g, b, 1e-12);
        at::set_num_threads(2);
        QVERIFY(torch::equal(single, got));
        // A row holding NaN gives NaN, the others are untouched by it.
        at::Tensor bad = x.clone();
        bad[0][width - 1] = std::numeric_limits<float>::quiet_NaN();
        const at::Tensor y = kernels::addLayerNorm(bad, r, g, b, 1e-12);
        QVERIFY(y[0].isnan().all().item<bool>());
        if (rows > 1) QVERIFY(torch::equal(y.slice(0, 1), got.slice(0, 1)));
        tpqtest::expectError([&] { kernels::addLayerNorm(x, r.slice(0, 0, 1), g, b, 1e-12); }, {"same shape"});
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
        if (!kernels::attentionAvailable()) QSKIP("no AVX2 or AVX-512 on this CPU");
        QFETCH(int, batch);
        QFETCH(int, length);
        QFETCH(int, heads);
        QFETCH(int, headSize);
        const int64_t width = int64_t(heads) * headSize;
        const auto [q, k, v, mask] = attentionInputs(batch, length, width);
        auto split = [&](const at::Tensor& t) { return t.view({batch, length, heads, headSize}).transpose(1, 2); };
        const at::Tensor probs = torch::softmax(
            torch::matmul(split(q), split(k).transpose(-1, -2)) / std::sqrt(double(headSize)) + mask, -1);
        const at::Tensor want = torch::matmul(probs, split(v)).transpose(1, 2).reshape({batch, length, width});
        const at::Tensor got = kernels::attention(q, k, v, mask, heads, headSize);
        QCOMPARE(got.sizes().vec(), want.sizes().vec());
        const double err = (got - want).abs().max().item<double>();
        QVERIFY2(err < 1e-5, std::to_string(err).c_str());
        // Without a mask every key counts.
        const at::Tensor open = torch::matmul(
            torch::softmax(torch::matmul(split(q), split(k).transpose(-1, -2)) / std::sqrt(double(headSize)), -1),
            split(v));
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

    // The bf16 products (int8 models): exactly the products of the bf16-rounded q, k, v and
    // probabilities with fp32 sums, and within bf16's error of the fp32 attention.
    void attentionBf16MatchesRoundedReference_data() { attentionMatchesReference_data(); }
    void attentionBf16MatchesRoundedReference() {
        if (!kernels::attentionBf16Available()) QSKIP("no AVX512-BF16 on this CPU");
        QFETCH(int, batch);
        QFETCH(int, length);
        QFETCH(int, heads);
        QFETCH(int, headSize);
        const int64_t width = int64_t(heads) * headSize;
        const auto [q, k, v, mask] = attentionInputs(batch, length, width);
        auto split = [&](const at::Tensor& t) {
            return t.to(torch::kFloat64).view({batch, length, heads, headSize}).transpose(1, 2);
        };
        auto bf16 = [](const at::Tensor& t) { return t.to(torch::kBFloat16).to(t.scalar_type()); };
        const at::Tensor scores =
            torch::matmul(split(bf16(q)), split(bf16(k)).transpose(-1, -2)) / std::sqrt(double(headSize)) +
            mask.to(torch::kFloat64);
        const at::Tensor e = torch::exp(scores - std::get<0>(scores.max(-1, true)));
        const at::Tensor want =
            (torch::matmul(bf16(e.to(torch::kFloat32)).to(torch::kFloat64), split(bf16(v))) / e.sum(-1, true))
                .transpose(1, 2)
                .reshape({batch, length, width});
        const at::Tensor got = kernels::attention(q, k, v, mask, heads, headSize, kernels::AttentionProducts::Bf16);
        QCOMPARE(got.sizes().vec(), want.sizes().vec());
        const double err = (got.to(torch::kFloat64) - want).abs().max().item<double>();
        QVERIFY2(err < 5e-4, std::to_string(err).c_str());
        const at::Tensor fp32 = kernels::attention(q, k, v, mask, heads, headSize);
        const double fromFp32 = (got - fp32).abs().max().item<double>();
        QVERIFY2(fromFp32 > 0 && fromFp32 < 5e-2, std::to_string(fromFp32).c_str());
        // multiHeadAttention takes it when asked (an int8 layer's attention).
        torch::NoGradGuard noGrad;
        QVERIFY(torch::equal(multiHeadAttention(q, k, v, mask, heads, headSize, 0.1, false, at::Tensor(), true), got));
    }
};

QTEST_GUILESS_MAIN(TestKernels)
#include "test_kernels.moc"
