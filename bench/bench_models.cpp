// Model speed on this CPU, all cores (issue 3, acceptance 9):
//  - training samples/s through the real Trainer (AdamW, clipping, schedule) for the custom
//    Transformer of configs/base_config.yaml and for bert-mini, batch 32, 128 tokens;
//  - fp32 inference latency of the bert-base-uncased shape (random weights), batch 1 and 8,
//    128 tokens, through the same InferenceTimer that `tpq bench` and result.json use.
// bench/reference/bert_eager.py times the same shapes in PyTorch eager Python.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "kernels/bf16_gemm.h"
#include "kernels/fp32_gemm.h"
#include "kernels/int8_gemm.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "quant/int8_kernels.h"
#include "quant/post_training_quantization.h"
#include "quant/quantization_aware_training.h"
#include "quant/quantized_linear.h"
#include "train/inference_timer.h"
#include "train/trainer.h"
#include "util/system_info.h"

namespace {

constexpr int64_t kSeqLen = 128;
constexpr int64_t kTrainBatch = 32;
constexpr int64_t kTrainBatches = 6;  // optimizer steps per benchmark iteration

void useAllCores() {
    static const bool done = [] {
        tpq::setUpProcess();                                     // as tpq and tpq-studio do
        const char* threads = std::getenv("TPQ_BENCH_THREADS");  // default: all cores
        at::set_num_threads(threads ? std::atoi(threads) : int(std::thread::hardware_concurrency()));
        return true;
    }();
    (void)done;
}

tpq::DataLoader randomLoader(int64_t examples, int64_t vocab, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> token(1000, vocab - 1);
    std::vector<std::vector<int64_t>> sequences(static_cast<size_t>(examples),
                                                std::vector<int64_t>(static_cast<size_t>(kSeqLen), 0));
    std::vector<int64_t> labels(static_cast<size_t>(examples), 0);
    for (int64_t i = 0; i < examples; ++i) {
        for (auto& id : sequences[size_t(i)]) id = token(rng);
        labels[size_t(i)] = i % 2;
    }
    return tpq::DataLoader(std::move(sequences), std::move(labels), 0, size_t(kTrainBatch), true, seed);
}

// One epoch of kTrainBatches steps per iteration; validation is a single small batch.
void trainBenchmark(benchmark::State& state, tpq::Classifier& model, int64_t vocab) {
    useAllCores();
    tpq::DataLoader train = randomLoader(kTrainBatch * kTrainBatches, vocab, 1);
    tpq::DataLoader validation = randomLoader(8, vocab, 2);
    tpq::TrainerOptions options;
    options.epochs = 1;
    options.learningRate = 1e-4;
    for (auto _ : state) {
        tpq::Trainer trainer(model, options);
        auto history = trainer.train(train, validation, nullptr, nullptr, nullptr);
        benchmark::DoNotOptimize(history);
    }
    state.counters["samples/s"] =
        benchmark::Counter(double(kTrainBatch * kTrainBatches), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["threads"] = at::get_num_threads();
}

void BM_TrainTransformerBaseConfig(benchmark::State& state) {
    torch::manual_seed(0);
    tpq::TransformerConfig c;  // configs/base_config.yaml's model, word vocabulary of 30000
    c.vocabSize = 30000;
    c.dModel = 128;
    c.numHeads = 2;
    c.numLayers = 1;
    c.dFf = 256;
    c.dropout = 0.2;
    c.pooling = "max";
    tpq::TransformerModel model(c);
    trainBenchmark(state, model, c.vocabSize);
}
BENCHMARK(BM_TrainTransformerBaseConfig)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);

void BM_TrainBertMini(benchmark::State& state) {
    torch::manual_seed(0);
    tpq::BertModel model(tpq::BertConfig::preset("bert-mini"));
    trainBenchmark(state, model, 30522);
}
BENCHMARK(BM_TrainBertMini)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);

// Latency of `model` at batch state.range(0) x 128 tokens through InferenceTimer.
void timeInference(benchmark::State& state, tpq::Classifier& model) {
    const int64_t batch = state.range(0);
    tpq::InferenceTimer timer(model);
    tpq::LatencyStats last;
    for (auto _ : state) {
        last = timer.measure(batch, kSeqLen, 10, 2, 30522);
    }
    state.counters["p50_ms"] = last.p50Ms;
    state.counters["p95_ms"] = last.p95Ms;
    state.counters["samples/s"] = last.samplesPerSecond;
    state.counters["threads"] = double(last.threads);
}

// The bert-base-uncased shape with random weights (seed 0): fp32, or int8 after dynamic or
// static quantization or QAT conversion of its linear layers (classifier in fp32); each made
// once, on first use. Static and QAT observe two random batches of 8 (ranges only: the
// speed, not the accuracy, is measured here).
enum class Form { Fp32, Dynamic, Static, Qat, Int4, Bf16 };

tpq::BertModel& bertBase(Form form) {
    auto make = [](Form f) {
        torch::manual_seed(0);
        auto model = std::make_unique<tpq::BertModel>(tpq::BertConfig::preset("bert-base-uncased"));
        if (f == Form::Dynamic) tpq::PostTrainingQuantization::applyDynamicQuantization(*model);
        if (f == Form::Int4 || f == Form::Bf16) {
            // Every linear layer but the classifier: int4 weight-only (group 128, W4A8 on our
            // kernel) or bf16 (emulated on CPUs without bf16 instructions).
            torch::NoGradGuard noGrad;
            for (const tpq::NamedLinear& l : model->linearLayers()) {
                if (l.name == "classifier") continue;
                *l.kernel = f == Form::Int4
                                ? tpq::makeInt4Linear(tpq::quantizeWeightInt4(l.linear->weight, 128), l.linear->bias)
                                : tpq::makeHalfLinear(l.linear->weight, l.linear->bias, tpq::Precision::Bf16);
            }
        }
        if (f == Form::Static || f == Form::Qat) {
            std::mt19937_64 rng(3);
            std::uniform_int_distribution<int64_t> token(1000, 30521);
            std::vector<std::vector<int64_t>> sequences(16, std::vector<int64_t>(size_t(kSeqLen)));
            for (auto& s : sequences)
                for (auto& id : s) id = token(rng);
            tpq::DataLoader calibration(std::move(sequences), std::vector<int64_t>(16, 0), 0, 8, false, 3);
            if (f == Form::Static) {
                tpq::StaticQuantizationOptions options;
                options.calibrationBatches = 2;
                tpq::PostTrainingQuantization::applyStaticQuantization(*model, calibration, options);
            } else {
                tpq::QuantizationAwareTraining::prepare(*model);
                model->train();
                torch::NoGradGuard noGrad;
                for (size_t b = 0; b < calibration.numBatches(); ++b) {
                    const tpq::Batch batch = calibration.batch(b);
                    model->forward(batch.inputIds, batch.attentionMask);
                }
                model->eval();
                tpq::QuantizationAwareTraining::convert(*model);
            }
        }
        return model;
    };
    static std::unique_ptr<tpq::BertModel> models[6];
    auto& slot = models[int(form)];
    if (!slot) slot = make(form);
    return *slot;
}
tpq::BertModel& bertBase(bool int8) {
    return bertBase(int8 ? Form::Dynamic : Form::Fp32);
}

void BM_InferBertBase(benchmark::State& state) {
    useAllCores();
    timeInference(state, bertBase(Form::Fp32));
}
BENCHMARK(BM_InferBertBase)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_InferBertBaseInt8Dynamic(benchmark::State& state) {
    useAllCores();
    timeInference(state, bertBase(Form::Dynamic));
}
BENCHMARK(BM_InferBertBaseInt8Dynamic)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_InferBertBaseInt8Static(benchmark::State& state) {
    useAllCores();
    timeInference(state, bertBase(Form::Static));
}
BENCHMARK(BM_InferBertBaseInt8Static)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_InferBertBaseInt4(benchmark::State& state) {
    useAllCores();
    timeInference(state, bertBase(Form::Int4));
}
BENCHMARK(BM_InferBertBaseInt4)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_InferBertBaseBf16(benchmark::State& state) {
    useAllCores();
    timeInference(state, bertBase(Form::Bf16));
}
BENCHMARK(BM_InferBertBaseBf16)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_InferBertBaseInt8Qat(benchmark::State& state) {
    useAllCores();
    timeInference(state, bertBase(Form::Qat));
}
BENCHMARK(BM_InferBertBaseInt8Qat)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// Every form of bert-base (same random weights) side by side: batches alternate between
// fp32, int8 dynamic, static and QAT-converted, int4 and bf16 on the same token ids, so that
// a change in the machine's load (a shared virtual machine here) falls on all alike, with a
// pause before each batch. Reports each form's p50 and its speedup over fp32; the ratios of
// one run are what the README's quantization claims rest on.
void BM_InferBertBaseForms(benchmark::State& state) {
    useAllCores();
    const int64_t batch = state.range(0);
    const std::pair<const char*, Form> forms[] = {{"fp32", Form::Fp32},     {"dynamic", Form::Dynamic},
                                                  {"static", Form::Static}, {"qat", Form::Qat},
                                                  {"int4", Form::Int4},     {"bf16", Form::Bf16}};
    for (const auto& f : forms) bertBase(f.second).eval();
    torch::NoGradGuard noGrad;
    const at::Tensor ids = torch::randint(1, 30522, {batch, kSeqLen}, torch::kInt64);
    const at::Tensor mask = torch::ones({batch, kSeqLen}, torch::kInt64);
    auto timeOne = [&](tpq::BertModel& model) {
        // OpenBLAS's workers (fp32) keep spinning for ~0.1 s after a product; let them park
        // so that the next batch, of any form, starts on idle cores.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto start = std::chrono::steady_clock::now();
        const at::Tensor logits = model.forward(ids, mask);
        benchmark::DoNotOptimize(logits.data_ptr());
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    std::vector<std::vector<double>> ms(std::size(forms));
    for (auto _ : state) {
        for (int i = 0; i < 2; ++i)
            for (const auto& f : forms) timeOne(bertBase(f.second));  // warm-up
        for (int i = 0; i < 10; ++i)
            for (size_t f = 0; f < std::size(forms); ++f) ms[f].push_back(timeOne(bertBase(forms[f].second)));
    }
    // How far each form's logits are from fp32's on this batch (random weights: the logits
    // are small, so this is an absolute difference).
    const at::Tensor reference = bertBase(Form::Fp32).forward(ids, mask);
    for (size_t f = 1; f < std::size(forms); ++f)
        state.counters[std::string(forms[f].first) + "_max_logit_diff"] =
            (bertBase(forms[f].second).forward(ids, mask) - reference).abs().max().item<double>();
    const double fp32 = tpq::latencyStats(ms[0], batch, kSeqLen).p50Ms;
    for (size_t f = 0; f < std::size(forms); ++f) {
        const double p50 = tpq::latencyStats(ms[f], batch, kSeqLen).p50Ms;
        state.counters[std::string(forms[f].first) + "_p50_ms"] = p50;
        if (f > 0) state.counters[std::string(forms[f].first) + "_speedup"] = fp32 / p50;
    }
}
BENCHMARK(BM_InferBertBaseForms)->Arg(8)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// The linear layers of the bert-base-uncased encoder alone (12 x: 4 of 768x768, 768->3072,
// 3072->768 with GELU between) on [8, 128, 768]: fp32 (arg 0) against int8 dynamic
// quantization (arg 1): our VNNI kernel where the CPU has it, else LibTorch's ONEDNN one.
void BM_BertBaseLinearStack(benchmark::State& state) {
    useAllCores();
    tpq::setQuantizedEngine("onednn");
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    const bool int8 = state.range(0) == 1;
    constexpr int64_t kHidden = 768, kFfn = 3072;
    struct Layer {
        at::Tensor w, b;
        std::unique_ptr<tpq::Int8Linear> q;
    };
    std::vector<Layer> layers;
    for (int l = 0; l < 12; ++l) {
        for (int i = 0; i < 6; ++i) {
            const int64_t in = i == 5 ? kFfn : kHidden, out = i == 4 ? kFfn : kHidden;
            Layer layer{torch::randn({out, in}) * 0.02, torch::zeros({out}), nullptr};
            if (int8) layer.q = std::make_unique<tpq::Int8Linear>(tpq::quantizeWeightInt8(layer.w), layer.b);
            layers.push_back(std::move(layer));
        }
    }
    const at::Tensor x = torch::randn({8, kSeqLen, kHidden});
    auto apply = [&](const Layer& l, const at::Tensor& in) {
        return l.q ? l.q->forward(in) : torch::linear(in, l.w, l.b);
    };
    auto run = [&] {
        at::Tensor y;
        for (int l = 0; l < 12; ++l) {
            const Layer* p = &layers[size_t(l) * 6];
            for (int i = 0; i < 4; ++i) y = apply(p[i], x);
            y = apply(p[5], torch::gelu(apply(p[4], x)));
        }
        return y;
    };
    run();  // warm-up
    std::vector<double> ms;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(run());
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    state.counters["p50_ms"] = ms[ms.size() / 2];
    state.counters["threads"] = double(at::get_num_threads());
}
BENCHMARK(BM_BertBaseLinearStack)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(7);

// One linear product of bert-base's feed-forward shape, [1024, 768] x [768, 3072]^T (a batch
// of 8 x 128 tokens), on each path: 0 LibTorch fp32 (OpenBLAS), 1 our fp32 kernel, 2 our
// int8 kernel (dynamic), 3 our int8 kernel (static), 4 our int4 kernel (W4A8, group 128),
// 5 our bf16 kernel (AMX), 6 LibTorch bf16 (oneDNN).
// GMAC/s of multiply-adds, p50 over the iterations.
void BM_LinearKernel(benchmark::State& state) {
    useAllCores();
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    const int64_t rows = state.range(1), in = 768, out = 3072;
    const at::Tensor w = torch::randn({out, in}) * 0.02, b = torch::zeros({out});
    const at::Tensor x = torch::randn({rows, in});
    const int path = int(state.range(0));
    const tpq::Int8Weight q = tpq::quantizeWeightInt8(w);
    std::function<at::Tensor()> run;
    if (path == 0) {
        run = [&] { return torch::linear(x, w, b); };
    } else if (path == 1) {
        if (!tpq::fp32gemm::supported()) return state.SkipWithError("no fp32 kernel of ours on this CPU");
        auto p = std::make_shared<tpq::fp32gemm::PackedWeight>(tpq::fp32gemm::pack(w, b));
        run = [p, &x] { return tpq::fp32gemm::linear(x, *p); };
    } else if (path == 2 || path == 3) {
        if (!tpq::int8gemm::available() || (path == 3 && !tpq::int8gemm::staticAvailable()))
            return state.SkipWithError("no int8 kernel of ours for this form on this CPU");
        auto p = std::make_shared<tpq::int8gemm::PackedWeight>(tpq::int8gemm::pack(q.values, q.scales, b));
        if (path == 2)
            run = [p, &x] { return tpq::int8gemm::linear(x, *p); };
        else
            run = [p, &x] { return tpq::int8gemm::linearStatic(x, *p, {8.0f / 255, 128, 8.0f / 255, 128}); };
    } else if (path == 5) {
        if (!tpq::bf16gemm::available()) return state.SkipWithError("no bf16 kernel of ours on this CPU");
        auto p = std::make_shared<tpq::bf16gemm::PackedWeight>(tpq::bf16gemm::pack(w, b));
        run = [p, &x] { return tpq::bf16gemm::linear(x, *p); };
    } else if (path == 6) {
        auto wb = std::make_shared<at::Tensor>(w.to(torch::kBFloat16)),
             bb = std::make_shared<at::Tensor>(b.to(torch::kBFloat16));
        run = [wb, bb, &x] { return torch::linear(x.to(torch::kBFloat16), *wb, *bb).to(torch::kFloat32); };
    } else {
        if (!tpq::int8gemm::int4Available()) return state.SkipWithError("no int4 kernel on this CPU");
        const tpq::Int4Weight q4 = tpq::quantizeWeightInt4(w, 128);
        auto p =
            std::make_shared<tpq::int8gemm::PackedInt4Weight>(tpq::int8gemm::packInt4(q4.packed, q4.scales, 128, b));
        run = [p, &x] { return tpq::int8gemm::linearInt4(x, *p); };
    }
    run();
    std::vector<double> ms;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(run().data_ptr());
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    state.counters["p50_ms"] = ms[ms.size() / 2];
    state.counters["GMAC/s"] = double(rows * in * out) / (ms[ms.size() / 2] * 1e6);
}
BENCHMARK(BM_LinearKernel)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5, 6}, {1024, 128}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(15);

}  // namespace

BENCHMARK_MAIN();
