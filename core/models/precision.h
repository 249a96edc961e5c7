#pragma once
/// \file precision.h
/// What a linear layer's weights are stored and computed in, as types. Names exist only at
/// the edge — tpq.json's layout, result.json's precision_map, a config's precision keys —
/// where parsePrecision()/parseScheme() read them once and the *Name() functions write them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tpq {

enum class Precision { Fp32, Bf16, Fp16, Int8, Int4 };

/// "fp32", "bf16", "fp16", "int8", "int4".
const char* precisionName(Precision p);
/// A precision from its name; nullopt for anything else.
std::optional<Precision> parsePrecision(std::string_view name);
/// parsePrecision(), or a tpq::Error "<where>: unknown precision 'x' (fp32, bf16, fp16, int8, int4)".
Precision requirePrecision(std::string_view name, const std::string& where);
/// Every precision, in the order above.
const std::vector<Precision>& allPrecisions();

/// How a quantized layer treats its input: quantized per call (dynamic), on calibrated
/// scales (static), or not at all (weight_only: weights dequantized to compute).
enum class QuantScheme { Dynamic, Static, WeightOnly };
const char* schemeName(QuantScheme s);  // "dynamic", "static", "weight_only"
std::optional<QuantScheme> parseScheme(std::string_view name);

}  // namespace tpq
