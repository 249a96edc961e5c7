#include "train/model_size.h"

#include <algorithm>
#include <filesystem>
#include <unordered_set>

#include <torch/torch.h>

#include "models/classifier.h"
#include "util/error.h"

namespace tpq {
namespace {

// Python's names ("torch.float32" without "torch."), which users of the original know.
std::string dtypeName(at::ScalarType type) {
    switch (type) {
        case at::kFloat:
            return "float32";
        case at::kDouble:
            return "float64";
        case at::kHalf:
            return "float16";
        case at::kBFloat16:
            return "bfloat16";
        case at::kLong:
            return "int64";
        case at::kInt:
            return "int32";
        case at::kShort:
            return "int16";
        case at::kChar:
            return "int8";
        case at::kByte:
            return "uint8";
        case at::kBool:
            return "bool";
        case at::kQInt8:
            return "qint8";
        case at::kQUInt8:
            return "quint8";
        case at::kQInt32:
            return "qint32";
        default:
            return c10::toString(type);
    }
}

int64_t countNonzero(const at::Tensor& t) {
    const at::Tensor values = t.is_quantized() ? t.dequantize() : t;
    return values.count_nonzero().item<int64_t>();
}

}  // namespace

ModelSize ModelSizeCalculator::measure(const torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    ModelSize size;
    std::unordered_set<const void*> seen;  // tied tensors count once, as in Python's model.parameters()
    auto addBytes = [&](const at::Tensor& t) {
        // What the tensor really holds: a broadcast (released) weight holds one value.
        const int64_t bytes = std::min<int64_t>(t.numel() * int64_t(t.element_size()), int64_t(t.storage().nbytes()));
        size.memoryBytes += bytes;
        size.bytesByDtype[dtypeName(t.scalar_type())] += bytes;
    };
    for (const auto& p : module.parameters()) {
        if (!p.defined() || !seen.insert(p.unsafeGetTensorImpl()).second) continue;
        size.totalParameters += p.numel();
        if (p.requires_grad()) size.trainableParameters += p.numel();
        size.nonzeroParameters += countNonzero(p);
        addBytes(p);
    }
    for (const auto& b : module.buffers()) {
        if (!b.defined() || !seen.insert(b.unsafeGetTensorImpl()).second) continue;
        addBytes(b);
    }
    return size;
}

ModelSize ModelSizeCalculator::measure(Classifier& model) {
    torch::NoGradGuard noGrad;
    ModelSize size = measure(static_cast<const torch::nn::Module&>(model));
    for (const auto& l : model.linearLayers()) {
        if (!l.kernel || !*l.kernel || !isReleased(l.linear->weight)) continue;
        const LinearKernel& k = **l.kernel;
        size.memoryBytes += k.memoryBytes();
        size.bytesByDtype[k.label()] += k.memoryBytes();
        size.nonzeroParameters += countNonzero(k.dequantizedWeight());
    }
    for (auto& [name, table] : model.embeddingTables()) {
        const auto it = model.int8Embeddings().find(name);
        if (it == model.int8Embeddings().end() || !isReleased(table)) continue;
        const Int8Table& t = it->second;
        const int64_t bytes = t.values.numel() + t.scales.numel() * int64_t(t.scales.element_size());
        size.memoryBytes += bytes;
        size.bytesByDtype["int8"] += bytes;
        size.nonzeroParameters += t.values.count_nonzero().item<int64_t>();
    }
    return size;
}

int64_t ModelSizeCalculator::folderBytes(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path root(dir);
    if (!fs::exists(root, ec)) {
        throw Error("model folder '" + dir + "' does not exist; check the path (was the model saved?)");
    }
    if (fs::is_regular_file(root, ec)) return int64_t(fs::file_size(root, ec));
    int64_t total = 0;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code fileEc;
        if (!it->is_regular_file(fileEc)) continue;
        const auto bytes = it->file_size(fileEc);
        if (fileEc) {
            throw Error("cannot read the size of '" + it->path().string() + "': " + fileEc.message());
        }
        total += int64_t(bytes);
    }
    if (ec) throw Error("cannot list model folder '" + dir + "': " + ec.message());
    return total;
}

}  // namespace tpq
