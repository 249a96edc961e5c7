#pragma once
/// \file layer_kernel.h
/// What a linear layer runs on in inference, as result.json's layer_kernels and tpq bench
/// report it (models/classifier.h's layerKernel() says it of a layer). Torch-free, so that
/// the results and the GUI can hold it.

#include <string>

namespace tpq {

struct LayerKernel {
    std::string precision;  // "fp32", "int8", "int4", "bf16", "fp16"
    std::string path;       // "amx", "avx512_vnni", "avx512", "avx2" or "libtorch"
    bool sparse = false;    // skips its zeros (kernels/sparse_gemm.h)
    std::string format;     // sparse: "csr" (fp32) or "quads" (int8: groups of 4 inputs with a non-zero)
    double density = 1.0;   // the share of the weight the kernel computes (1 when dense; measured
                            // only where a sparse kernel could run)
};

}  // namespace tpq
