#include "models/precision.h"

#include "util/error.h"

namespace tpq {

const std::vector<Precision>& allPrecisions() {
    static const std::vector<Precision> all = {Precision::Fp32, Precision::Bf16, Precision::Fp16, Precision::Int8,
                                               Precision::Int4};
    return all;
}

const char* precisionName(Precision p) {
    switch (p) {
        case Precision::Fp32:
            return "fp32";
        case Precision::Bf16:
            return "bf16";
        case Precision::Fp16:
            return "fp16";
        case Precision::Int8:
            return "int8";
        case Precision::Int4:
            return "int4";
    }
    return "fp32";
}

std::optional<Precision> parsePrecision(std::string_view name) {
    for (Precision p : allPrecisions())
        if (name == precisionName(p)) return p;
    return std::nullopt;
}

Precision requirePrecision(std::string_view name, const std::string& where) {
    if (const auto p = parsePrecision(name)) return *p;
    throw Error(where + ": unknown precision '" + std::string(name) + "' (fp32, bf16, fp16, int8, int4)");
}

const char* schemeName(QuantScheme s) {
    switch (s) {
        case QuantScheme::Dynamic:
            return "dynamic";
        case QuantScheme::Static:
            return "static";
        case QuantScheme::WeightOnly:
            return "weight_only";
    }
    return "dynamic";
}

std::optional<QuantScheme> parseScheme(std::string_view name) {
    for (QuantScheme s : {QuantScheme::Dynamic, QuantScheme::Static, QuantScheme::WeightOnly})
        if (name == schemeName(s)) return s;
    return std::nullopt;
}

}  // namespace tpq
