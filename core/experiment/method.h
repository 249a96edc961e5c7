#pragma once
/// \file method.h
/// The compression methods as a type. Names exist only at the edge — a project file, a
/// result.json, a command line — where parseMethod() reads them once (aliases included)
/// and methodName() writes them; everything between compares Method values.
///
///     const Method m = requireMethod(node.as<std::string>(), "tiny.tpq.yaml:5:13");
///     if (isPruning(m)) ...

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tpq {

/// In the order runs are listed: the baseline, pruning, quantization, both.
enum class Method { Baseline, Unstructured, Progressive, Structured, Dynamic, Static, Qat, Mixed, Combined };

/// Every method, in the listing order.
const std::array<Method, 9>& allMethods();

/// The name a project file and the CLI use: baseline, unstructured, progressive, structured,
/// dynamic, static, qat, mixed, combined.
const char* methodName(Method m);

/// A method from its name or an alias older files and result.json use: magnitude
/// (unstructured), dynamic_quantization, static_quantization, mixed_precision,
/// quantization_aware_training. nullopt for anything else.
std::optional<Method> parseMethod(std::string_view name);

/// parseMethod(), or a tpq::Error "<where>: unknown <what> 'x' (did you mean 'y'? methods:
/// baseline, ...)".
Method requireMethod(std::string_view name, const std::string& where, const std::string& what = "method");

/// "baseline, unstructured, ..." for messages and help texts.
std::string methodList();

bool isPruning(Method m);       // unstructured, progressive, structured
bool isQuantization(Method m);  // dynamic, static, qat, mixed

}  // namespace tpq
