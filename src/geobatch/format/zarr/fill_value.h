// Fill values: the JSON encodings of Zarr v3 and v2 turned into the native
// bytes of one element, and back.
// https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#fill-value
#pragma once

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "geobatch/array/dtype.h"

namespace geobatch {

// Parses a v3 fill value: numbers, true/false, "NaN", "Infinity",
// "-Infinity", "0x..." raw bits, and [re, im] pairs for complex types.
// v2 uses the same encodings and null (returned as all-zero bytes).
// Throws InvalidArgumentError when the value does not fit the type.
std::vector<std::byte> ParseFillValue(const nlohmann::json& value, const DataType& dtype);

}  // namespace geobatch
