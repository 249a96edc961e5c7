#pragma once
/// \file layer_sensitivity.h
/// One row of a mixed-precision sensitivity table (MixedPrecisionQuantization, result.json's
/// layer_sensitivity). Free of LibTorch so that the GUI can read it.

#include <string>

namespace tpq {

/// How one layer alone in int8 (and alone in int4) changes loss and accuracy.
struct LayerSensitivity {
    std::string layer;
    double lossDeltaInt8 = 0;      // mean cross-entropy with the layer int8 minus fp32
    double accuracyDeltaInt8 = 0;  // accuracy with the layer int8 minus fp32 (fraction)
    double lossDeltaInt4 = 0;      // the same with the layer int4 (NaN when its width does not fit the group size)
    double accuracyDeltaInt4 = 0;
};

}  // namespace tpq
