// geobatch._core.gpu: GPU delivery of batches (pinned staging, asynchronous
// copies, GPU transforms and decoding, DLPack export with stream semantics).
// Built without CUDA, the submodule still exists and says so.
#pragma once

#include <nanobind/nanobind.h>

namespace geobatch::python {

void BindGpu(nanobind::module_& m);

}  // namespace geobatch::python
