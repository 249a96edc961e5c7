#include "kernels/attention_kernel.h"

#include <immintrin.h>

// GCC 12's own _mm512_reduce_* and masked-load intrinsics trip its uninitialized-value
// warnings (the undefined upper half they start from); the code here is not affected.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "kernels/attention_head.h"
#include "kernels/attention_tiles.h"
#include "kernels/cpu_features.h"
#include "kernels/transpose16.h"
#include "kernels/vector_math.h"
#include "util/error.h"

namespace tpq::kernels {
namespace {

// The two tiles below keep R rows x 4 registers of float sums in named registers (GCC
// spills an array of them): a##r##j. One step adds broadcast(base[r * ld + i]) * x_j, x0..x3
// being the step's four registers of keys or values.
#define TPQ_FMA_ROW(r, base, ld, i)                        \
    if (R > r) {                                           \
        const __m512 b = _mm512_set1_ps(base[r * ld + i]); \
        a##r##0 = _mm512_fmadd_ps(b, x0, a##r##0);         \
        a##r##1 = _mm512_fmadd_ps(b, x1, a##r##1);         \
        a##r##2 = _mm512_fmadd_ps(b, x2, a##r##2);         \
        a##r##3 = _mm512_fmadd_ps(b, x3, a##r##3);         \
    }

// scores[r][j] = scale * q[r] . kt[:, j] + mask[j] for R rows and keys [j0, j0 + 64).
template <int R>
TPQ_TARGET_AVX512 __attribute__((noinline)) void scoreTile(const Head& h, const float* q, const float* kt, int64_t j0,
                                                           float* scores) {
    TPQ_ATTENTION_ACCUMULATORS
    const int64_t ld = h.keysPadded, headSize = h.headSize, stride = h.stride;
    for (int64_t d = 0; d < headSize; ++d) {
        const float* kd = kt + d * ld + j0;
        __m512 x0 = _mm512_loadu_ps(kd), x1 = _mm512_loadu_ps(kd + 16), x2 = _mm512_loadu_ps(kd + 32),
               x3 = _mm512_loadu_ps(kd + 48);
        asm("" : "+v"(x0), "+v"(x1), "+v"(x2), "+v"(x3));
        TPQ_FMA_ROW(0, q, stride, d)
        TPQ_FMA_ROW(1, q, stride, d) TPQ_FMA_ROW(2, q, stride, d) TPQ_FMA_ROW(3, q, stride, d)
    }
    TPQ_ATTENTION_SAVE_SCORES(h, j0, scores)
}

// exp(scores - max) over the first `length` entries of a row, in place; returns 1 / sum.
}  // namespace

TPQ_TARGET_AVX512 float softmaxRowAvx512(float* row, int64_t length) {
    const int64_t full = length / 16 * 16;
    const __mmask16 tail = laneMask(length - full, 0);
    __m512 mx = _mm512_set1_ps(-INFINITY);
    for (int64_t j = 0; j < full; j += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(row + j));
    if (tail) mx = _mm512_mask_max_ps(mx, tail, mx, _mm512_maskz_loadu_ps(tail, row + full));
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < full; j += 16) {
        const __m512 e = exp512(_mm512_sub_ps(_mm512_loadu_ps(row + j), m));
        _mm512_storeu_ps(row + j, e);
        sum = _mm512_add_ps(sum, e);
    }
    if (tail) {
        const __m512 e = _mm512_maskz_mov_ps(tail, exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, row + full), m)));
        _mm512_mask_storeu_ps(row + full, tail, e);
        sum = _mm512_add_ps(sum, e);
    }
    return 1.0f / _mm512_reduce_add_ps(sum);
}

namespace {

// out[r][d0 .. d0 + 64) = inv[r] * sum_j p[r][j] v[j][d0 ..] for R rows (p and inv at the first row).
template <int R>
TPQ_TARGET_AVX512 __attribute__((noinline)) void contextTile(const Head& h, const float* p, const float* inv,
                                                             int64_t d0, float* out) {
    const int64_t valid = h.headSize - d0;
    const __mmask16 n0 = laneMask(valid, 0), n1 = laneMask(valid, 1), n2 = laneMask(valid, 2), n3 = laneMask(valid, 3);
    TPQ_ATTENTION_ACCUMULATORS
    const int64_t length = h.length, headSize = h.headSize, keysPadded = h.keysPadded;
    const float* vd = h.v + d0;
    for (int64_t j = 0; j < length; ++j) {
        const float* vj = vd + j * headSize;
        __m512 x0 = _mm512_maskz_loadu_ps(n0, vj), x1 = _mm512_maskz_loadu_ps(n1, vj + 16),
               x2 = _mm512_maskz_loadu_ps(n2, vj + 32), x3 = _mm512_maskz_loadu_ps(n3, vj + 48);
        asm("" : "+v"(x0), "+v"(x1), "+v"(x2), "+v"(x3));
        TPQ_FMA_ROW(0, p, keysPadded, j)
        TPQ_FMA_ROW(1, p, keysPadded, j) TPQ_FMA_ROW(2, p, keysPadded, j) TPQ_FMA_ROW(3, p, keysPadded, j)
    }
    TPQ_ATTENTION_SAVE_CONTEXT(h, inv, d0, out)
}
#undef TPQ_FMA_ROW

// The scores of rows [i, i + R) against every key.
template <int R>
TPQ_TARGET_AVX512 void scoreRows(const Head& h, int64_t i, const float* kt, float* scores) {
    for (int64_t j0 = 0; j0 < h.keysPadded; j0 += kKeys)
        scoreTile<R>(h, h.q + i * h.stride, kt, j0, scores + i * h.keysPadded);
}

// The context of rows [i, i + R) from their probabilities.
template <int R>
TPQ_TARGET_AVX512 void contextRows(const Head& h, int64_t i, const float* scores, const float* inv) {
    for (int64_t d0 = 0; d0 < h.headSize; d0 += 64)
        contextTile<R>(h, scores + i * h.keysPadded, inv + i, d0, h.out + i * h.stride);
}

// attention_head.h's phases on the AVX-512 tiles.
struct Avx512Tiles {
    template <int R>
    static void scores(const Head& h, int64_t i, const float* kt, float* s) {
        scoreRows<R>(h, i, kt, s);
    }
    static float softmax(float* row, int64_t length) { return softmaxRowAvx512(row, length); }
    template <int R>
    static void context(const Head& h, int64_t i, const float* s, const float* inv) {
        contextRows<R>(h, i, s, inv);
    }
};

// kt[d][j] = k[j][d] (prepareHead), keys past the end zero: blocks of 16 keys x 16
// dimensions transposed in registers (one scalar store per value took ~2.5% of a bert-base
// int8 pass). The rows of k, a projection-width apart, are asked for a block ahead.
TPQ_TARGET_AVX512 void transposeKeys(const Head& h, float* kt) {
    for (int64_t j0 = 0; j0 < h.keysPadded; j0 += 16) {
        for (int64_t j = j0 + 16; j < std::min(j0 + 32, h.length); ++j)
            for (int64_t d = 0; d < h.headSize; d += 16)
                _mm_prefetch(reinterpret_cast<const char*>(h.k + j * h.stride + d), _MM_HINT_T0);
        for (int64_t d0 = 0; d0 < h.headSize; d0 += 16) {
            const __mmask16 dims = laneMask(h.headSize - d0, 0);
            __m512i r[16];
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i)
                r[i] = j0 + i < h.length ? _mm512_maskz_loadu_epi32(dims, h.k + (j0 + i) * h.stride + d0)
                                         : _mm512_setzero_si512();
            transpose16(r);
            for (int64_t d = d0; d < std::min(d0 + 16, h.headSize); ++d)
                _mm512_storeu_si512(kt + d * h.keysPadded + j0, r[d - d0]);
        }
    }
}

}  // namespace

void prepareHead(Head& h, float* kt, float* values) {
    // The head's values as one contiguous [length][headSize] block: read once per group of
    // query rows, they stay in cache (with the row stride of the projection they did not).
    // Rows a projection-width apart defeat the hardware prefetcher: ask for a few rows ahead.
    constexpr int64_t kAhead = 8;
    auto prefetchRow = [&](const float* row) {
        for (int64_t d = 0; d < h.headSize; d += 16) _mm_prefetch(reinterpret_cast<const char*>(row + d), _MM_HINT_T0);
    };
    for (int64_t j = 0; j < std::min(kAhead, h.length); ++j) {
        prefetchRow(h.v + j * h.stride);
        prefetchRow(h.k + j * h.stride);
    }
    for (int64_t j = 0; j < h.length; ++j) {
        if (j + kAhead < h.length) prefetchRow(h.v + (j + kAhead) * h.stride);
        std::memcpy(values + j * h.headSize, h.v + j * h.stride, size_t(h.headSize) * sizeof(float));
    }
    h.v = values;
    // kt[d][j] = k[j][d], keys past the end zero.
    if (hasAvx512()) {
        transposeKeys(h, kt);
        return;
    }
    // Rows of k read whole (they are far apart in memory), kt written in L1.
    for (int64_t j = 0; j < h.length; ++j) {
        if (j + kAhead < h.length) prefetchRow(h.k + (j + kAhead) * h.stride);
        const float* kj = h.k + j * h.stride;
        for (int64_t d = 0; d < h.headSize; ++d) kt[d * h.keysPadded + j] = kj[d];
    }
    for (int64_t d = 0; d < h.headSize; ++d)
        for (int64_t j = h.length; j < h.keysPadded; ++j) kt[d * h.keysPadded + j] = 0.0f;
}

bool attentionAvailable() {
    return attentionPath() != KernelPath::LibTorch;
}

at::Tensor attention(const at::Tensor& qIn, const at::Tensor& kIn, const at::Tensor& vIn,
                     const at::Tensor& additiveMask, int64_t heads, int64_t headSize, AttentionProducts products) {
    const at::Tensor q = qIn.to(torch::kFloat32).contiguous(), k = kIn.to(torch::kFloat32).contiguous(),
                     v = vIn.to(torch::kFloat32).contiguous();
    const int64_t batch = q.size(0), length = q.size(1), stride = heads * headSize;
    if (q.dim() != 3 || q.size(2) != stride || k.sizes() != q.sizes() || v.sizes() != q.sizes())
        throw Error("attention kernel: q, k and v must be [batch, length, heads * headSize]");
    if (!attentionAvailable()) throw Error("attention kernel: no AVX2 or AVX-512 on this CPU");
    at::Tensor mask;
    if (additiveMask.defined())
        mask = additiveMask.to(torch::kFloat32).expand({batch, 1, 1, length}).reshape({batch, length}).contiguous();
    at::Tensor out = at::empty_like(q);
    if (q.numel() == 0) return out;
    const int64_t keysPadded = (length + kKeys - 1) / kKeys * kKeys;
    const float* qp = q.data_ptr<float>();
    const float* kp = k.data_ptr<float>();
    const float* vp = v.data_ptr<float>();
    const float* mp = mask.defined() ? mask.data_ptr<float>() : nullptr;
    float* op = out.data_ptr<float>();
    const float scale = float(1.0 / std::sqrt(double(headSize)));
    const bool avx512 = attentionPath() == KernelPath::Avx512;
    const bool bf16 = products == AttentionProducts::Bf16 && attentionBf16Available();
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> kt(size_t(headSize * keysPadded)), scores(size_t(length * keysPadded)),
            inv(static_cast<size_t>(length));
        std::vector<float> values(size_t(std::max(length * headSize, bf16 ? bf16ValueWords(length, headSize) : 0)));
        std::vector<uint32_t> queries(bf16 ? size_t(length * bf16QueryStride(headSize)) : 0);
        for (int64_t pair = begin; pair < end; ++pair) {
            const int64_t b = pair / heads, hd = pair % heads;
            const int64_t offset = b * length * stride + hd * headSize;
            Head h{qp + offset, kp + offset, vp + offset, op + offset, mp ? mp + b * length : nullptr,
                   stride,      length,      headSize,    keysPadded,  scale};
            if (bf16) {
                attentionHeadBf16(h, reinterpret_cast<uint32_t*>(kt.data()), queries.data(),
                                  reinterpret_cast<uint32_t*>(values.data()), scores.data(), inv.data());
                continue;
            }
            prepareHead(h, kt.data(), values.data());
            if (avx512)
                runPhases(Avx512Tiles{}, h, kt.data(), scores.data(), inv.data());
            else
                attentionPhasesAvx2(h, kt.data(), scores.data(), inv.data());
        }
    });
    return out;
}

}  // namespace tpq::kernels
