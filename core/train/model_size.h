#pragma once
/// \file model_size.h
/// How big a model is: parameter counts (all, trainable, non-zero), bytes in memory of
/// its parameters and buffers by dtype, and the size of a saved model folder on disk.
///
///     const ModelSize s = ModelSizeCalculator::measure(model);
///     const double mib = double(s.memoryBytes) / (1024.0 * 1024.0);

#include <cstdint>
#include <map>
#include <string>

#include <torch/nn/module.h>

namespace tpq {

class Classifier;

struct ModelSize {
    int64_t totalParameters = 0;                  // parameter elements (a tensor shared by two modules counts once)
    int64_t trainableParameters = 0;              // elements of parameters with requires_grad
    int64_t nonzeroParameters = 0;                // parameter elements that are not exactly 0
    int64_t memoryBytes = 0;                      // bytes of parameters and buffers (e.g. LayerNorm stats, masks);
                                                  // a tensor broadcast from one value counts that value
    std::map<std::string, int64_t> bytesByDtype;  // PyTorch dtype name ("float32", "qint8") -> bytes
};

class ModelSizeCalculator {
public:
    /// Counts and bytes of `module` and all its submodules. Parameters and buffers both count
    /// toward bytes; only parameters count toward the parameter counts.
    static ModelSize measure(const torch::nn::Module& module);
    /// The same for a model that may be quantized: weights whose float copy was released
    /// (quantized layers, int8 embedding tables) count with what holds them instead — the
    /// kernels' memory and the int8 tables — and their non-zeros with the values computed with.
    static ModelSize measure(Classifier& model);

    /// Bytes of all regular files under `dir`, recursively (symlinked files count with their
    /// target's size, as a Hugging Face cache snapshot needs). A regular file gives its own
    /// size. Throws tpq::Error when the path does not exist or cannot be read.
    static int64_t folderBytes(const std::string& dir);
};

}  // namespace tpq
