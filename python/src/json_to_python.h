// Converts JSON metadata to Python objects directly, so that non-finite
// floats (NaN attributes written by zarr-python) survive, which a round trip
// through JSON text would turn into null.
#pragma once

#include <nanobind/nanobind.h>
#include <nlohmann/json.hpp>

namespace geobatch::python {

nanobind::object JsonToPython(const nlohmann::json& json);

}  // namespace geobatch::python
