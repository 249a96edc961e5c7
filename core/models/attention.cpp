#include "models/attention.h"

#include <cmath>
#include <limits>
#include <string>

#include <torch/torch.h>

#include "util/error.h"

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

at::Tensor multiHeadAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                              const at::Tensor& additiveMask, int64_t heads, int64_t headSize, double dropoutProb,
                              bool training, const at::Tensor& headMask) {
    const int64_t batch = q.size(0);
    const int64_t length = q.size(1);
    if (heads == 0) return torch::zeros({batch, length, 0}, q.options());
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
