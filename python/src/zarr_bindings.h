// Python classes for Zarr arrays and groups (geobatch._core.Array/Group).
#pragma once

#include <nanobind/nanobind.h>

namespace geobatch::python {

void BindZarr(nanobind::module_& m);

}  // namespace geobatch::python
