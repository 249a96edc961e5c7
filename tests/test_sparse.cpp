// The sparse products (kernels/sparse_gemm.h) against the dense computation on the same
// masked weights: fp32 within 1e-5 relative of LibTorch's linear, int8 bit-identical to our
// dense int8 kernel (exact integer sums; inputs that quantize exactly), over tails of
// tokens, outputs and inputs (chunks of 96 units crossed), empty rows, an all-zero layer,
// every block shape, GELU and static epilogues, and 1 thread against 2. Then the automatic
// choice: which layers of a model run sparse, and what result.json says of them.

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/int8_gemm.h"
#include "kernels/sparse_gemm.h"
#include "models/classifier.h"
#include "models/transformer_model.h"
#include "quant/int8_kernels.h"
#include "quant/post_training_quantization.h"
#include "test_support.h"
#include "tiny_models.h"

using namespace tpq;

namespace {

// A weight [out, in] with blocks of rows x cols zeroed at random until about `sparsity` of
// them are; then `emptyRows` outputs wholly zero.
at::Tensor blockSparse(int64_t out, int64_t in, int rows, int cols, double sparsity, int64_t emptyRows = 0) {
    at::Tensor w = torch::randn({out, in});
    const int64_t R = (out + rows - 1) / rows, C = (in + cols - 1) / cols;
    const at::Tensor keep = torch::rand({R, C}).ge(sparsity);
    const at::Tensor mask =
        keep.repeat_interleave(rows, 0).repeat_interleave(cols, 1).narrow(0, 0, out).narrow(1, 0, in);
    w = w * mask;
    if (emptyRows > 0) w.narrow(0, 0, std::min(out, emptyRows)).zero_();
    return w;
}

// The data columns of the product tests: tokens, in, out, block rows x cols, sparsity, and
// how many outputs are wholly zero.
void addShapeColumns() {
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("in");
    QTest::addColumn<int>("out");
    QTest::addColumn<int>("blockRows");
    QTest::addColumn<int>("blockCols");
    QTest::addColumn<double>("sparsity");
    QTest::addColumn<int>("emptyRows");
}

double maxRelative(const at::Tensor& got, const at::Tensor& want) {
    return ((got - want).abs().max() / want.abs().max().clamp_min(1e-12)).item<double>();
}

}  // namespace

class TestSparse : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        at::set_num_threads(2);
        torch::manual_seed(5);
    }

    void fp32ProductMatchesDense_data() {
        addShapeColumns();
        QTest::newRow("one token, tails everywhere") << 1 << 70 << 17 << 1 << 1 << 0.8 << 0;
        QTest::newRow("13 tokens 1x4") << 13 << 200 << 130 << 1 << 4 << 0.9 << 3;
        // Blocks over two chunks (kChunkFp32 / 4 = 48 groups), the last group 2 inputs wide.
        QTest::newRow("70 tokens 1x4, 250 inputs") << 70 << 250 << 40 << 1 << 4 << 0.6 << 2;
        QTest::newRow("64 tokens 4x1") << 64 << 96 << 64 << 4 << 1 << 0.7 << 0;
        QTest::newRow("130 tokens 16x1") << 130 << 300 << 50 << 16 << 1 << 0.5 << 5;
        QTest::newRow("dense weight") << 40 << 97 << 33 << 1 << 1 << 0.0 << 0;
        QTest::newRow("all-zero layer") << 20 << 64 << 48 << 1 << 1 << 0.0 << 48;
        QTest::newRow("input width 3") << 70 << 3 << 20 << 1 << 1 << 0.5 << 0;
    }

    void fp32ProductMatchesDense() {
        if (!sparse::fp32Available()) QSKIP("no sparse kernel on this CPU (needs AVX-512 VNNI)");
        QFETCH(int, tokens);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(int, blockRows);
        QFETCH(int, blockCols);
        QFETCH(double, sparsity);
        QFETCH(int, emptyRows);
        torch::NoGradGuard noGrad;
        const at::Tensor w = blockSparse(out, in, blockRows, blockCols, sparsity, emptyRows);
        const at::Tensor b = torch::randn({out});
        const at::Tensor x = torch::randn({tokens, in});
        const sparse::Fp32Weight packed = sparse::packFp32(w, b);
        // Mostly full groups of 4 inputs (1x4 blocks, a dense weight) pack each kept group once
        // with its 4 floats; scattered non-zeros (1x1, 4x1, 16x1), CSR.
        QCOMPARE(packed.blocks, sparse::fp32Blocks(sparse::density(w)));
        if (blockRows == 1 && blockCols == 4) QVERIFY(packed.blocks);
        if (blockRows > 1 || sparsity >= 0.5) QVERIFY(blockCols == 4 || !packed.blocks);
        const int64_t in4 = (in + 3) / 4;
        const at::Tensor groups = torch::constant_pad_nd(w, {0, in4 * 4 - in}).reshape({out, in4, 4}).ne(0).any(2);
        QCOMPARE(packed.rows.offsets.numel(), (packed.blocks ? groups : w.ne(0)).sum().item<int64_t>());
        const at::Tensor want = torch::linear(x.to(torch::kFloat64), w.to(torch::kFloat64), b.to(torch::kFloat64));
        const at::Tensor got = sparse::linearFp32(x, packed);
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{tokens, out}));
        const double error = maxRelative(got.to(torch::kFloat64), want);
        QVERIFY2(error < 1e-5, qPrintable(QString::number(error)));
        // An empty row gives its bias, exactly.
        if (emptyRows > 0) QVERIFY(torch::equal(got.select(1, 0), b[0].expand({tokens})));
        // GELU in the epilogue.
        const at::Tensor gelu = sparse::linearFp32(x, packed, fp32gemm::Activation::Gelu);
        QVERIFY(maxRelative(gelu.to(torch::kFloat64), torch::gelu(want)) < 1e-5);
        // A batch of 3-D input keeps its shape.
        const at::Tensor x3 = x.reshape({1, tokens, in});
        QCOMPARE(sparse::linearFp32(x3, packed).sizes().vec(), (std::vector<int64_t>{1, tokens, out}));
    }

    void fp32ProductDoesNotDependOnThreads() {
        if (!sparse::fp32Available()) QSKIP("no sparse kernel on this CPU (needs AVX-512 VNNI)");
        torch::NoGradGuard noGrad;
        const at::Tensor w = blockSparse(100, 250, 1, 4, 0.85);
        const at::Tensor x = torch::randn({150, 250});
        const sparse::Fp32Weight packed = sparse::packFp32(w, at::Tensor());
        at::set_num_threads(1);
        const at::Tensor one = sparse::linearFp32(x, packed);
        at::set_num_threads(2);
        const at::Tensor two = sparse::linearFp32(x, packed);
        QVERIFY(torch::equal(one, two));
    }

    void int8SparseEqualsDense_data() {
        addShapeColumns();
        QTest::newRow("one token, tails") << 1 << 70 << 17 << 1 << 4 << 0.8 << 0;
        QTest::newRow("13 tokens unstructured") << 13 << 201 << 130 << 1 << 1 << 0.9 << 2;
        QTest::newRow("64 tokens 1x4") << 64 << 384 << 64 << 1 << 4 << 0.9 << 0;
        QTest::newRow("130 tokens 4x1") << 130 << 300 << 70 << 4 << 1 << 0.6 << 7;
        // 250 groups of 4 inputs: two chunks of kChunkInt8 (192), the second short; rows with
        // odd and even counts per chunk (the odd ones padded to a pair).
        QTest::newRow("70 tokens 1x4, two chunks") << 70 << 1000 << 40 << 1 << 4 << 0.85 << 3;
        QTest::newRow("all-zero layer") << 20 << 64 << 48 << 1 << 1 << 0.0 << 48;
    }

    void int8SparseEqualsDense() {
        if (!sparse::int8Available()) QSKIP("no sparse kernel on this CPU (needs AVX-512 VNNI)");
        QFETCH(int, tokens);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(int, blockRows);
        QFETCH(int, blockCols);
        QFETCH(double, sparsity);
        QFETCH(int, emptyRows);
        torch::NoGradGuard noGrad;
        const Int8Weight q = quantizeWeightInt8(blockSparse(out, in, blockRows, blockCols, sparsity, emptyRows));
        const at::Tensor b = torch::randn({out});
        // Integer inputs spanning 0..255 in every row: scale 1, zero point 0, exact sums.
        at::Tensor x = torch::randint(0, 256, {tokens, in}).to(torch::kFloat32);
        x.select(1, 0).fill_(0);
        if (in > 1) x.select(1, 1).fill_(255);
        const auto dense = int8gemm::pack(q.values, q.scales, b, int8gemm::Layout::Dense);
        const auto sparse = int8gemm::pack(q.values, q.scales, b, int8gemm::Layout::Sparse);
        QVERIFY(sparse.isSparse() && !dense.isSparse());
        QVERIFY(!sparse.data.defined());
        // Exact: the same int32 sums and the same epilogue, bit for bit.
        const at::Tensor want = int8gemm::linear(x, dense);
        QVERIFY(torch::equal(int8gemm::linear(x, sparse), want));
        // ... and the float reference, in double: sum_k x * q * scale + b.
        const at::Tensor ref =
            torch::linear(x.to(torch::kFloat64), dequantize(q).to(torch::kFloat64), b.to(torch::kFloat64));
        QVERIFY(maxRelative(want.to(torch::kFloat64), ref) < 1e-6);
        QVERIFY(torch::equal(int8gemm::linear(x, sparse, int8gemm::Activation::Gelu),
                             int8gemm::linear(x, dense, int8gemm::Activation::Gelu)));
        // Static: calibrated scales, requantized output.
        const int8gemm::StaticScales s{1.0f, 0, 4.0f, 100};
        QVERIFY(torch::equal(int8gemm::linearStatic(x, sparse, s), int8gemm::linearStatic(x, dense, s)));
        // Random float inputs (per-row scales): still identical to the dense kernel.
        const at::Tensor xr = torch::randn({tokens, in});
        QVERIFY(torch::equal(int8gemm::linear(xr, sparse), int8gemm::linear(xr, dense)));
        // Q, K and V sharing one quantized input, a sparse and a dense weight together.
        const auto shared = int8gemm::linearShared(xr, {&sparse, &dense});
        QVERIFY(torch::equal(shared[0], shared[1]));
        if (emptyRows > 0) QVERIFY(torch::equal(int8gemm::linear(xr, sparse).select(1, 0), b[0].expand({tokens})));
    }

    // A feed-forward pair fused (the intermediate requantized in cache) gives what the two
    // products give one after the other, bit for bit; tails of tokens and widths.
    void fusedFeedForwardEqualsTwoProducts_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("hidden");
        QTest::addColumn<int>("inner");
        QTest::newRow("one token") << 1 << 64 << 256;
        QTest::newRow("33 tokens, odd widths") << 33 << 70 << 130;
        QTest::newRow("100 tokens") << 100 << 128 << 512;
        QTest::newRow("70 tokens, the second layer over two chunks") << 70 << 96 << 1030;
    }

    void fusedFeedForwardEqualsTwoProducts() {
        if (!sparse::int8Available()) QSKIP("no sparse kernel on this CPU (needs AVX-512 VNNI)");
        QFETCH(int, tokens);
        QFETCH(int, hidden);
        QFETCH(int, inner);
        torch::NoGradGuard noGrad;
        const Int8Weight a = quantizeWeightInt8(blockSparse(inner, hidden, 1, 4, 0.8, 2));
        const Int8Weight b = quantizeWeightInt8(blockSparse(hidden, inner, 1, 4, 0.85));
        const at::Tensor ba = torch::randn({inner}), bb = torch::randn({hidden});
        const auto first = int8gemm::pack(a.values, a.scales, ba, int8gemm::Layout::Sparse);
        const auto second = int8gemm::pack(b.values, b.scales, bb, int8gemm::Layout::Sparse);
        const at::Tensor x = torch::randn({tokens, hidden}) * 3;
        const at::Tensor fused = int8gemm::linearGeluLinear(x, first, second);
        QVERIFY(fused.defined());
        const at::Tensor twice = int8gemm::linear(int8gemm::linear(x, first, int8gemm::Activation::Gelu), second);
        QVERIFY(torch::equal(fused, twice));
        // A dense layer in the pair: not fused.
        const auto dense = int8gemm::pack(b.values, b.scales, bb, int8gemm::Layout::Dense);
        QVERIFY(!int8gemm::linearGeluLinear(x, first, dense).defined());
        // A token with a non-finite value: its outputs are NaN, the others unaffected.
        at::Tensor bad = x.clone();
        bad[0][0] = std::numeric_limits<float>::infinity();
        const at::Tensor y = int8gemm::linearGeluLinear(bad, first, second);
        QVERIFY(torch::isnan(y[0]).all().item<bool>());
        if (tokens > 1) QVERIFY(torch::equal(y.narrow(0, 1, tokens - 1), fused.narrow(0, 1, tokens - 1)));
    }

    void int8SparseDoesNotDependOnThreads() {
        if (!sparse::int8Available()) QSKIP("no sparse kernel on this CPU (needs AVX-512 VNNI)");
        torch::NoGradGuard noGrad;
        const Int8Weight q = quantizeWeightInt8(blockSparse(96, 256, 1, 4, 0.9));
        const auto sparse = int8gemm::pack(q.values, q.scales, at::Tensor(), int8gemm::Layout::Sparse);
        const at::Tensor x = torch::randn({200, 256});
        at::set_num_threads(1);
        const at::Tensor one = int8gemm::linear(x, sparse);
        at::set_num_threads(2);
        QVERIFY(torch::equal(one, int8gemm::linear(x, sparse)));
    }

    void densityCountsElementsAndQuads() {
        at::Tensor w = torch::zeros({2, 8});
        w[0][0] = 1;  // quad 0 of row 0
        w[0][1] = 2;  // same quad
        w[1][7] = 3;  // quad 1 of row 1
        const sparse::Density d = sparse::density(w);
        QCOMPARE(d.elements, 3.0 / 16.0);
        QCOMPARE(d.quads, 2.0 / 4.0);
        // An input width that is not a multiple of 4: the last quad is partial.
        const sparse::Density e = sparse::density(torch::ones({3, 5}));
        QCOMPARE(e.elements, 1.0);
        QCOMPARE(e.quads, 1.0);
    }

    void crossoversDependOnPrecisionAndBlocks() {
        if (!sparse::fp32Available() || sparse::mode() != sparse::Mode::Auto)
            QSKIP("no sparse kernel on this CPU, or TPQ_SPARSE_KERNEL set");
        // fp32 1x4 blocks (kept groups full) pay up to 0.4 of the groups, CSR up to 0.3 of
        // the elements (docs/sparse.md's crossover tables).
        QVERIFY(sparse::fp32Pays({0.38, 0.38}));
        QVERIFY(!sparse::fp32Pays({0.42, 0.42}));
        QVERIFY(sparse::fp32Pays({0.29, 0.75}));
        QVERIFY(!sparse::fp32Pays({0.35, 0.82}));  // 1x1 at 65%: CSR, above its bar
        // int8 against our VPDPBUSD kernel: 0.3 of the groups, 0.2 with more inputs than outputs.
        QVERIFY(sparse::int8Pays({0.28, 0.28}, kernels::KernelPath::Avx512Vnni, 768, 3072));
        QVERIFY(!sparse::int8Pays({0.28, 0.28}, kernels::KernelPath::Avx512Vnni, 3072, 768));
        QVERIFY(!sparse::int8Pays({0.1, 0.34}, kernels::KernelPath::Avx512Vnni, 768, 768));
    }

    void sparseLayersRunSparseAndSaySo() {
        if (!sparse::fp32Available()) QSKIP("no sparse kernel on this CPU (needs AVX-512 VNNI)");
        torch::NoGradGuard noGrad;
        auto model = tpqtest::tinyTransformer(3);
        model->eval();
        auto layers = model->linearLayers();
        // Layer 0 mostly zero in 1x4 blocks; the others dense.
        layers[0].linear->weight.copy_(
            blockSparse(layers[0].linear->weight.size(0), layers[0].linear->weight.size(1), 1, 4, 0.95));
        const LayerKernel k0 = layerKernel(layers[0]);
        QVERIFY(k0.sparse);
        QCOMPARE(QString::fromStdString(k0.format), QString("blocks"));
        QVERIFY(k0.density < 0.1);
        QVERIFY(!layerKernel(layers[1]).sparse);
        // The model's logits are those of the dense computation.
        const at::Tensor ids = torch::randint(1, 40, {3, 9});
        const at::Tensor mask = torch::ones({3, 9}, torch::kInt64);
        const at::Tensor got = model->forward(ids, mask);
        at::Tensor want;
        {
            torch::AutoGradMode grad(true);  // LibTorch's linear everywhere (no inference packs)
            want = model->forward(ids, mask).detach();
        }
        QVERIFY2(maxRelative(got, want) < 1e-5, qPrintable(QString::number(maxRelative(got, want))));
        // Quantized: the int8 layer keeps the zeros and runs the sparse int8 kernel where it pays.
        PostTrainingQuantization::applyDynamicQuantization(*model);
        const LayerKernel q0 = layerKernel(model->linearLayers()[0]);
        QCOMPARE(QString::fromStdString(q0.precision), QString("int8"));
        QVERIFY(q0.sparse);
        QCOMPARE(QString::fromStdString(q0.format), QString("quads"));
        QVERIFY(!layerKernel(model->linearLayers()[1]).sparse);
    }
};

QTEST_GUILESS_MAIN(TestSparse)
#include "test_sparse.moc"
