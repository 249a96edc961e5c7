#include "experiment/method.h"

#include <vector>

#include "util/error.h"
#include "util/strings.h"

namespace tpq {
namespace {

struct Name {
    std::string_view name;
    Method method;
};

// Canonical names first (methodName reads the first entry of each method), then aliases.
constexpr Name kNames[] = {{"baseline", Method::Baseline},
                           {"unstructured", Method::Unstructured},
                           {"progressive", Method::Progressive},
                           {"structured", Method::Structured},
                           {"dynamic", Method::Dynamic},
                           {"static", Method::Static},
                           {"qat", Method::Qat},
                           {"mixed", Method::Mixed},
                           {"combined", Method::Combined},
                           {"magnitude", Method::Unstructured},
                           {"dynamic_quantization", Method::Dynamic},
                           {"static_quantization", Method::Static},
                           {"mixed_precision", Method::Mixed},
                           {"quantization_aware_training", Method::Qat}};

}  // namespace

const std::array<Method, 9>& allMethods() {
    // The canonical entries of kNames, which are in the enum's (listing) order.
    static const std::array<Method, 9> all = [] {
        std::array<Method, 9> a{};
        for (size_t i = 0; i < a.size(); ++i) a[i] = kNames[i].method;
        return a;
    }();
    return all;
}

const char* methodName(Method m) {
    for (const Name& n : kNames)
        if (n.method == m) return n.name.data();
    return "unknown";
}

std::optional<Method> parseMethod(std::string_view name) {
    for (const Name& n : kNames)
        if (n.name == name) return n.method;
    return std::nullopt;
}

std::string methodList() {
    std::string out;
    for (Method m : allMethods()) out += (out.empty() ? "" : ", ") + std::string(methodName(m));
    return out;
}

Method requireMethod(std::string_view name, const std::string& where, const std::string& what) {
    if (const auto m = parseMethod(name)) return *m;
    std::vector<std::string> names;
    for (Method m : allMethods()) names.emplace_back(methodName(m));
    throw Error(where + ": unknown " + what + " '" + std::string(name) + "' (did you mean '" +
                nearestMatch(name, names) + "'? methods: " + methodList() + ")");
}

bool isPruning(Method m) {
    return m == Method::Unstructured || m == Method::Progressive || m == Method::Structured;
}

bool isQuantization(Method m) {
    return m == Method::Dynamic || m == Method::Static || m == Method::Qat || m == Method::Mixed;
}

}  // namespace tpq
