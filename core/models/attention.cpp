#include "models/attention.h"

#include <cmath>
#include <limits>
#include <string>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/attention_kernel.h"
#include "util/error.h"
#include "util/single_threaded_blas.h"

namespace tpq {

void checkTokenIds(const at::Tensor& inputIds, int64_t vocabSize) {
    if (inputIds.numel() == 0) return;
    const int64_t hi = inputIds.max().item<int64_t>();
    const int64_t lo = inputIds.min().item<int64_t>();
    if (lo < 0 || hi >= vocabSize) {
        throw Error("token id " + std::to_string(lo < 0 ? lo : hi) + " is outside the model's vocabulary (vocab_size " +
                    std::to_string(vocabSize) +
                    "): the tokenizer does not match the model; use the vocabulary saved "
                    "with the model");
    }
}

at::Tensor additiveAttentionMask(const at::Tensor& attentionMask, at::ScalarType dtype) {
    const auto mask = attentionMask.to(dtype).unsqueeze(1).unsqueeze(2);
    const double lowest =
        dtype == torch::kFloat64 ? std::numeric_limits<double>::lowest() : double(std::numeric_limits<float>::lowest());
    return (1.0 - mask) * lowest;
}

namespace {

// Inference attention: (batch, head) pairs spread over LibTorch's threads, each pair's two
// products a single-threaded GEMM. LibTorch's bmm without MKL issues one multi-threaded
// BLAS call per head, whose thread start-up costs more than the 128x128x64 product itself.
at::Tensor parallelAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const at::Tensor& additiveMask, int64_t heads, int64_t headSize) {
    const int64_t batch = q.size(0);
    const int64_t length = q.size(1);
    auto split = [&](const at::Tensor& t) {
        return t.view({batch, length, heads, headSize}).transpose(1, 2).contiguous();
    };
    const auto qh = split(q * (1.0 / std::sqrt(double(headSize)))), kh = split(k), vh = split(v);
    const auto mask = additiveMask.expand({batch, 1, 1, length});
    auto context = at::empty({batch, length, heads * headSize}, q.options());
    // Heads run in parallel on LibTorch's threads: each BLAS call stays on its thread.
    SingleThreadedBlas oneBlasThread;
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end;) {
            const int64_t b = i / heads, h0 = i % heads;
            const int64_t h1 = std::min(heads, h0 + (end - i));
            const auto scores = at::matmul(qh[b].slice(0, h0, h1), kh[b].slice(0, h0, h1).transpose(-1, -2)) + mask[b];
            const auto probs = at::softmax(scores, -1);
            context[b]
                .view({length, heads, headSize})
                .slice(1, h0, h1)
                .copy_(at::matmul(probs, vh[b].slice(0, h0, h1)).transpose(0, 1));
            i += h1 - h0;
        }
    });
    return context;
}

}  // namespace

at::Tensor multiHeadAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                              const at::Tensor& additiveMask, int64_t heads, int64_t headSize, double dropoutProb,
                              bool training, const at::Tensor& headMask, bool bf16Products) {
    const int64_t batch = q.size(0);
    const int64_t length = q.size(1);
    if (heads == 0) return torch::zeros({batch, length, 0}, q.options());
    if (!training && !headMask.defined() && !at::GradMode::is_enabled() && q.scalar_type() == at::kFloat) {
        if (kernels::attentionAvailable())
            return kernels::attention(
                q, k, v, additiveMask, heads, headSize,
                bf16Products ? kernels::AttentionProducts::Bf16 : kernels::AttentionProducts::Fp32);
        if (batch * heads > 1) return parallelAttention(q, k, v, additiveMask, heads, headSize);
    }
    auto split = [&](const at::Tensor& t) { return t.view({batch, length, heads, headSize}).transpose(1, 2); };
    const auto qh = split(q), kh = split(k), vh = split(v);
    auto scores = torch::matmul(qh, kh.transpose(-1, -2)) / std::sqrt(double(headSize));
    scores = scores + additiveMask;
    auto probs = torch::softmax(scores, -1);
    if (training && dropoutProb > 0) probs = torch::dropout(probs, dropoutProb, true);
    auto context = torch::matmul(probs, vh);  // [batch, heads, length, headSize]
    if (headMask.defined()) context = context * headMask.to(context.scalar_type()).view({1, heads, 1, 1});
    return context.transpose(1, 2).reshape({batch, length, heads * headSize});
}

}  // namespace tpq
