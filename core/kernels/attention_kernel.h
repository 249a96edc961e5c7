#pragma once
/// \file attention_kernel.h
/// Inference self-attention in one pass per (batch, head) on AVX-512 or AVX2, reading the query, key
/// and value projections where they are ([batch, length, heads * headSize], no transposed
/// copies) and writing the context straight into the layout the output projection reads.
/// Per head: scores = q k^T / sqrt(headSize) + mask, softmax over the keys, context =
/// probabilities v, in three phases per head (all scores from the keys transposed into a
/// per-thread buffer, the softmax of each row, the context from the values copied into one
/// block) so that each phase's operand stays in L1. Heads are spread over LibTorch's threads.
///
///     if (kernels::attentionAvailable())
///         context = kernels::attention(q, k, v, additiveMask, heads, headSize);

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "kernels/cpu_features.h"

namespace tpq::kernels {

/// True on CPUs with AVX-512 or AVX2 + FMA (and TPQ_KERNELS not "off"): attentionPath().
bool attentionAvailable();

/// What the two products multiply: fp32, or q, k, v and the probabilities rounded to bf16
/// (sums, softmax and the result in fp32; twice the multiply-adds per instruction). int8
/// models use bf16 where attentionBf16Available(): their int8 inputs already carry a larger
/// error than bf16's 8 bits.
enum class AttentionProducts { Fp32, Bf16 };

/// q, k, v: float32 [batch, length, heads * headSize]; additiveMask: float32 broadcastable to
/// [batch, 1, 1, length] (0 for a token, a very negative number for padding) or undefined.
/// Returns float32 [batch, length, heads * headSize]. Requires attentionAvailable();
/// Bf16 products run in fp32 where attentionBf16Available() does not hold.
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& additiveMask,
                     int64_t heads, int64_t headSize, AttentionProducts products = AttentionProducts::Fp32);

}  // namespace tpq::kernels
