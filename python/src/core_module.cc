// geobatch._core: the native engine behind the geobatch Python package.
#include <nanobind/nanobind.h>

#include "batch_bindings.h"
#include "error_translation.h"
#include "gpu_bindings.h"
#include "zarr_bindings.h"
#include "geobatch/util/thread_pool.h"

NB_MODULE(_core, m) {
  m.doc() = "geobatch native engine";
  geobatch::python::RegisterErrorTranslation();
  geobatch::python::BindZarr(m);
  geobatch::python::BindBatch(m);
  geobatch::python::BindGpu(m);
  m.def("set_num_threads", [](size_t n) { geobatch::CpuPool().SetThreads(n); }, nanobind::arg("n"));
  m.def("get_num_threads", [] { return geobatch::CpuPool().size(); });
}
