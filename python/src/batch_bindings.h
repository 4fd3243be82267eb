// Python classes for batch reading: ChunkCache and WindowReader.
#pragma once

#include <nanobind/nanobind.h>

namespace geobatch::python {

void BindBatch(nanobind::module_& m);

}  // namespace geobatch::python
