#include "models/state_dict.h"

#include <map>

#include <torch/torch.h>

#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"

namespace tpq {

std::vector<NamedTensor> loadPytorchBin(const std::string& path) {
    const std::string bytes = readFile(path, "PyTorch weights file", kMaxDataFileBytes);
    if (bytes.empty()) throw Error("PyTorch weights file " + path + " is empty; re-download or re-save it");
    c10::IValue value;
    try {
        value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    } catch (const c10::Error& e) {
        throw Error(path + " could not be read as a torch.save() file (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) +
                    "); the file may be truncated, or saved with a newer PyTorch: re-save it as model.safetensors");
    }
    if (!value.isGenericDict()) {
        throw Error(path + " holds a " + value.tagKind() +
                    ", expected a state dict (name -> tensor); save model.state_dict(), not the whole model");
    }
    std::vector<NamedTensor> out;
    for (const auto& entry : value.toGenericDict()) {
        if (!entry.key().isString() || !entry.value().isTensor()) {
            throw Error(path + ": the state dict has an entry that is not name -> tensor");
        }
        out.push_back({entry.key().toStringRef(), entry.value().toTensor().contiguous()});
    }
    return out;
}

StateDictReport loadStateDict(torch::nn::Module& model, const std::vector<NamedTensor>& tensors,
                              const std::string& source) {
    std::map<std::string, at::Tensor> targets;
    for (const auto& p : model.named_parameters(true)) targets[p.key()] = p.value();
    for (const auto& b : model.named_buffers(true)) targets[b.key()] = b.value();
    // Prefixes of the model's top-level modules ("bert.").
    std::vector<std::string> prefixes;
    for (const auto& child : model.named_children()) prefixes.push_back(child.key() + ".");

    auto resolve = [&](std::string name) -> std::string {
        if (endsWith(name, "LayerNorm.gamma")) name = name.substr(0, name.size() - 5) + "weight";
        if (endsWith(name, "LayerNorm.beta")) name = name.substr(0, name.size() - 4) + "bias";
        if (targets.count(name)) return name;
        for (const auto& p : prefixes) {
            if (targets.count(p + name)) return p + name;
        }
        return {};
    };

    StateDictReport report;
    std::map<std::string, bool> filled;
    torch::NoGradGuard noGrad;
    for (const auto& t : tensors) {
        const std::string name = resolve(t.name);
        if (name.empty()) {
            report.unexpected.push_back(t.name);
            continue;
        }
        at::Tensor& target = targets[name];
        if (target.sizes() != t.tensor.sizes()) {
            throw Error(source + ": tensor '" + t.name + "' has shape " + c10::str(t.tensor.sizes()) +
                        " but the model's '" + name + "' has " + c10::str(target.sizes()) +
                        "; the config.json does not match these weights");
        }
        target.copy_(t.tensor.to(target.scalar_type()));
        filled[name] = true;
        ++report.loaded;
    }
    for (const auto& [name, tensor] : targets) {
        if (!filled.count(name)) report.missing.push_back(name);
    }
    return report;
}

std::vector<NamedTensor> stateDict(const torch::nn::Module& model) {
    std::vector<NamedTensor> out;
    for (const auto& p : model.named_parameters(true)) out.push_back({p.key(), p.value().detach()});
    for (const auto& b : model.named_buffers(true)) out.push_back({b.key(), b.value().detach()});
    return out;
}

}  // namespace tpq
