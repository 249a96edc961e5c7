#pragma once
/// \file attention.h
/// Scaled dot-product multi-head self-attention on already projected tensors, shared by
/// BertModel and TransformerModel. Each layer may have its own head count (after head
/// pruning) while the head size stays fixed.

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace tpq {

/// Throws tpq::Error when an id in `inputIds` is negative or >= `vocabSize` (a tokenizer
/// that does not belong to the model), instead of an index error deep inside LibTorch.
void checkTokenIds(const at::Tensor& inputIds, int64_t vocabSize);

/// Additive mask from a [batch, length] 0/1 attention mask: 0 where attended, the most
/// negative float where padded, shaped [batch, 1, 1, length] to broadcast over heads and
/// query positions (the Hugging Face convention).
at::Tensor additiveAttentionMask(const at::Tensor& attentionMask, at::ScalarType dtype);

/// q, k, v: [batch, length, heads * headSize]. Returns the context [batch, length,
/// heads * headSize]. `dropoutProb` applies to the attention probabilities when training.
/// `headMask` ([heads], or undefined for none) scales each head's context. `bf16Products`:
/// in inference on our kernel, the two products on bf16 inputs where the CPU has AVX512-BF16
/// (int8 layers: kernels/attention_kernel.h); elsewhere ignored.
at::Tensor multiHeadAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                              const at::Tensor& additiveMask, int64_t heads, int64_t headSize, double dropoutProb,
                              bool training, const at::Tensor& headMask, bool bf16Products = false);

}  // namespace tpq
