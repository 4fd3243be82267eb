#include "gpu_bindings.h"

#ifdef GEOBATCH_WITH_CUDA

#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <chrono>

#include "geobatch/gpu/cufile_library.h"
#include "geobatch/gpu/device.h"
#include "geobatch/gpu/device_context.h"
#include "geobatch/gpu/gpu_file_reader.h"
#include "geobatch/gpu/gpu_window_reader.h"
#include "geobatch/gpu/host_to_device.h"
#include "geobatch/gpu/nvcomp_library.h"
#include "geobatch/util/error.h"

namespace nb = nanobind;

namespace geobatch::python {
namespace {

using gpu::CudaStream;
using gpu::DeviceBuffer;

// DLPack's C ABI (v0.8, the unversioned "dltensor" capsule every consumer
// reads): https://dmlc.github.io/dlpack/latest/c_api.html
struct DLDevice {
  int32_t device_type;  // 2: kDLCUDA
  int32_t device_id;
};
struct DLDataType {
  uint8_t code;  // 0 int, 1 uint, 2 float, 5 complex, 6 bool
  uint8_t bits;
  uint16_t lanes;
};
struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;  // null: C-contiguous
  uint64_t byte_offset;
};
struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor*);
};
constexpr int32_t kDLCUDA = 2;

// cudaStreamLegacy and cudaStreamPerThread, as DLPack numbers them.
CudaStream LegacyStream() { return reinterpret_cast<CudaStream>(uintptr_t{1}); }
CudaStream PerThreadStream() { return reinterpret_cast<CudaStream>(uintptr_t{2}); }

// A batch array in GPU memory, exported through DLPack.
struct DeviceArray {
  std::shared_ptr<DeviceBuffer> buffer;
  std::vector<int64_t> shape;
  DataType dtype;
};

// What one DLPack export owns: the consumer's stream is told when it is done.
struct Export {
  std::shared_ptr<DeviceBuffer> buffer;
  std::vector<int64_t> shape;
  CudaStream consumer = nullptr;  // null: the consumer synchronises itself (stream=-1)
  DLManagedTensor tensor = {};
};

void DeleteExport(DLManagedTensor* tensor) {
  auto* owner = static_cast<Export*>(tensor->manager_ctx);
  if (owner->consumer) {
    try {
      owner->buffer->ConsumerDone(owner->consumer);
    } catch (...) {
      // A CUDA context in error: the buffer is freed after its ready event only.
    }
  }
  delete owner;
}

void DeleteUnconsumedCapsule(PyObject* capsule) {
  if (PyCapsule_IsValid(capsule, "dltensor")) {
    auto* tensor = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, "dltensor"));
    tensor->deleter(tensor);
  }
}

DLDataType DlpackType(const DataType& dtype) {
  const auto bits = static_cast<uint8_t>(dtype.size() * 8);
  if (dtype.id == DataTypeId::kBool) return {6, 8, 1};
  if (dtype.is_float()) return {2, bits, 1};
  if (dtype.is_complex()) return {5, bits, 1};
  return {static_cast<uint8_t>(dtype.is_signed() ? 0 : 1), bits, 1};
}

nb::object ToDlpack(const DeviceArray& array, nb::object stream, nb::object dl_device) {
  if (!dl_device.is_none()) {
    auto [type, id] = nb::cast<std::tuple<int, int>>(dl_device);
    if (type != kDLCUDA || id != array.buffer->device()) {
      throw nb::buffer_error("geobatch GPU arrays export only to their own CUDA device");
    }
  }
  CudaStream consumer = LegacyStream();  // DLPack: None means the legacy default stream
  if (!stream.is_none()) {
    const auto value = nb::cast<int64_t>(stream);
    if (value == 0) throw nb::value_error("stream=0 is ambiguous for CUDA; pass 1 or 2 for the default streams");
    consumer = value == -1 ? nullptr : value == 2 ? PerThreadStream()
                                                  : reinterpret_cast<CudaStream>(static_cast<uintptr_t>(value));
  }
  auto* owner = new Export{array.buffer, array.shape, consumer, {}};
  try {
    if (consumer) owner->buffer->HandTo(consumer);
  } catch (...) {
    delete owner;
    throw;
  }
  DLTensor& t = owner->tensor.dl_tensor;
  t.data = owner->buffer->data();
  t.device = {kDLCUDA, owner->buffer->device()};
  t.ndim = static_cast<int32_t>(owner->shape.size());
  t.dtype = DlpackType(array.dtype);
  t.shape = owner->shape.data();
  owner->tensor.manager_ctx = owner;
  owner->tensor.deleter = DeleteExport;
  PyObject* capsule = PyCapsule_New(&owner->tensor, "dltensor", DeleteUnconsumedCapsule);
  if (!capsule) {
    DeleteExport(&owner->tensor);
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

DataType DtypeOf(const std::string& numpy_str) { return DataTypeFromNumpy(numpy_str).dtype; }

DeviceArray Wrap(std::shared_ptr<DeviceBuffer> buffer, std::vector<int64_t> shape, DataType dtype) {
  return {std::move(buffer), std::move(shape), std::move(dtype)};
}

using HostArray = nb::ndarray<nb::device::cpu, nb::c_contig>;

void BindDeviceArray(nb::module_& m) {
  nb::class_<DeviceArray>(m, "DeviceArray")
      .def_prop_ro("shape", [](const DeviceArray& a) { return a.shape; })
      .def_prop_ro("dtype", [](const DeviceArray& a) { return a.dtype.numpy_str(); })
      .def_prop_ro("device", [](const DeviceArray& a) { return a.buffer->device(); })
      .def_prop_ro("nbytes", [](const DeviceArray& a) { return a.buffer->bytes(); })
      .def(
          "reshaped",
          [](const DeviceArray& a, std::vector<int64_t> shape) {
            int64_t count = 1;
            for (int64_t n : shape) count *= n;
            if (count < 0 || static_cast<uint64_t>(count) * a.dtype.size() != a.buffer->bytes()) {
              throw InvalidArgumentError("reshaped: the shape does not hold the same number of elements");
            }
            return DeviceArray{a.buffer, std::move(shape), a.dtype};
          },
          nb::arg("shape"), "The same GPU memory seen with another C-ordered shape.")
      .def("__dlpack__",
           [](const DeviceArray& a, nb::object stream, nb::object /*max_version*/, nb::object dl_device,
              nb::object copy) {
             if (!copy.is_none() && nb::cast<bool>(copy)) {
               throw nb::buffer_error("geobatch GPU arrays export without copying");
             }
             return ToDlpack(a, stream, dl_device);
           },
           nb::kw_only(), nb::arg("stream").none() = nb::none(),
           nb::arg("max_version").none() = nb::none(), nb::arg("dl_device").none() = nb::none(),
           nb::arg("copy").none() = nb::none(),
           "A DLPack capsule; `stream` (the consumer's CUDA stream) waits for the data on the GPU.")
      .def("__dlpack_device__", [](const DeviceArray& a) { return std::make_tuple(kDLCUDA, a.buffer->device()); })
      .def(
          "synchronize",
          [](const DeviceArray& a) {
            nb::gil_scoped_release release;
            a.buffer->WaitReady();
          },
          "Blocks until the data is on the GPU.");
}

void BindPinnedRing(nb::module_& m) {
  nb::class_<gpu::PinnedRing>(m, "PinnedRing")
      .def(nb::new_([](int device, size_t slots) { return gpu::PinnedRing::Create(device, slots); }),
           nb::arg("device"), nb::arg("slots"))
      .def(
          "acquire",
          [](gpu::PinnedRing& ring, uint64_t nbytes, double timeout) {
            gpu::PinnedLease lease;
            {
              nb::gil_scoped_release release;
              lease = ring.Acquire(nbytes, std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000)));
            }
            auto* held = new gpu::PinnedLease(lease);
            nb::capsule owner(held, [](void* p) noexcept { delete static_cast<gpu::PinnedLease*>(p); });
            const size_t shape[1] = {static_cast<size_t>(nbytes)};
            return nb::ndarray<nb::numpy, uint8_t, nb::ndim<1>>(reinterpret_cast<uint8_t*>(lease->data()), 1, shape,
                                                                owner);
          },
          nb::arg("nbytes"), nb::arg("timeout"),
          "A pinned uint8 buffer; its slot returns to the ring when every view of it is gone and every copy "
          "from it has finished.")
      .def_prop_ro("slots", &gpu::PinnedRing::slots)
      .def_prop_ro("leased", &gpu::PinnedRing::leased)
      .def_prop_ro("device", &gpu::PinnedRing::device);
}

DeviceArray ToDevice(HostArray host, const std::string& src_dtype, const std::string& dst_dtype,
                     std::vector<int64_t> shape, int device, std::shared_ptr<gpu::PinnedRing> ring,
                     std::optional<std::tuple<double, double, std::string, std::string>> normalize,
                     std::optional<double> fill, std::optional<uint64_t> valid, uint64_t pad_bits) {
  const DataType src = DtypeOf(src_dtype), dst = DtypeOf(dst_dtype);
  const uint64_t bytes = host.nbytes();
  if (bytes % src.size() != 0) throw InvalidArgumentError("host buffer is not a whole number of elements");
  uint64_t count = 1;
  for (int64_t n : shape) count *= static_cast<uint64_t>(n);
  if (count != bytes / src.size()) throw InvalidArgumentError("shape does not match the host buffer");
  gpu::TransformParams params;
  if (normalize) {
    params.normalize = true;
    std::tie(params.mean, params.inv_std, std::ignore, std::ignore) = *normalize;
    params.subtract_type = DtypeOf(std::get<2>(*normalize)).id;
    params.multiply_type = DtypeOf(std::get<3>(*normalize)).id;
  }
  if (fill) {
    params.fill_nan = true;
    params.fill = *fill;
  }
  if (valid) params.valid = *valid;
  params.pad_bits = pad_bits;
  gpu::HostSource source{host.data(), ring ? ring->Find(host.data()) : nullptr};
  std::shared_ptr<DeviceBuffer> buffer;
  {
    nb::gil_scoped_release release;
    buffer = gpu::DeliverToDevice(source, count, src.id, dst.id, params, device);
  }
  return Wrap(std::move(buffer), std::move(shape), dst);
}

void BindReaders(nb::module_& m) {
  using Origins = nb::ndarray<const uint64_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
  nb::class_<gpu::GpuWindowReader>(m, "WindowReader")
      .def(nb::new_([](std::shared_ptr<const ZarrArray> array, std::shared_ptr<DecodedChunkCache> cache, int device,
                       const std::string& decode) {
             return std::make_shared<gpu::GpuWindowReader>(std::move(array), std::move(cache), device,
                                                           gpu::ParseDecodeMode(decode));
           }),
           nb::arg("array"), nb::arg("cache"), nb::arg("device"), nb::arg("decode"))
      .def(
          "read",
          [](gpu::GpuWindowReader& reader, Origins origins, const std::vector<uint64_t>& extent) {
            std::shared_ptr<DeviceBuffer> buffer;
            {
              nb::gil_scoped_release release;
              buffer = reader.Read(std::span<const uint64_t>(origins.data(), origins.size()), extent);
            }
            std::vector<int64_t> shape = {static_cast<int64_t>(origins.shape(0))};
            for (uint64_t e : extent) shape.push_back(static_cast<int64_t>(e));
            return Wrap(std::move(buffer), std::move(shape), reader.array().metadata().dtype);
          },
          nb::arg("origins"), nb::arg("extent"))
      .def_prop_ro("decodes_on_gpu", &gpu::GpuWindowReader::decodes_on_gpu)
      .def_prop_ro("cpu_reason", &gpu::GpuWindowReader::cpu_reason);

  nb::class_<gpu::GpuFileReader>(m, "FileReader")
      .def(nb::new_([](int device, const std::string& io) {
             return std::make_shared<gpu::GpuFileReader>(device, gpu::ParseFileIoMode(io));
           }),
           nb::arg("device"), nb::arg("io"))
      .def(
          "read",
          [](gpu::GpuFileReader& reader, const std::string& path, uint64_t offset, uint64_t length, int device) {
            auto buffer = std::make_shared<DeviceBuffer>(device, length);
            {
              nb::gil_scoped_release release;
              // The allocation is ordered on the copy stream; the read is not.
              buffer->MarkReady(gpu::DeviceContext::Get(device).copy_stream());
              buffer->WaitReady();
              reader.Read(path, offset, length, buffer->data());
            }
            DataType bytes;
            bytes.id = DataTypeId::kUInt8;
            return Wrap(std::move(buffer), {static_cast<int64_t>(length)}, bytes);
          },
          nb::arg("path"), nb::arg("offset"), nb::arg("length"), nb::arg("device"))
      .def_prop_ro("uses_gds", &gpu::GpuFileReader::uses_gds)
      .def_prop_ro("compat_reason", &gpu::GpuFileReader::compat_reason);
}

}  // namespace

void BindGpu(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("gpu", "GPU delivery of batches");
  m.attr("built_with_cuda") = true;
  m.def("device_count", &gpu::DeviceCount);
  m.def("unavailable_reason", &gpu::UnavailableReason);
  m.def("parse_device", &gpu::ParseDevice, nb::arg("device"));
  m.def("require_device", &gpu::RequireDevice, nb::arg("ordinal"));
  m.def("nvcomp_error", &gpu::NvcompLibrary::LoadError, "Why nvCOMP cannot be loaded (\"\" when it can).");
  m.def("cufile_error", &gpu::CuFileLibrary::LoadError, "Why cuFile cannot be loaded (\"\" when it can).");
  BindDeviceArray(m);
  BindPinnedRing(m);
  m.def("to_device", &ToDevice, nb::arg("host"), nb::arg("src_dtype"), nb::arg("dst_dtype"), nb::arg("shape"),
        nb::arg("device"), nb::arg("ring").none(), nb::arg("normalize").none(), nb::arg("fill").none(),
        nb::arg("valid").none(), nb::arg("pad_bits"),
        "Copies (and transforms) a host array to the GPU on geobatch's copy stream; returns at once.");
  BindReaders(m);
}

}  // namespace geobatch::python

#else  // built without CUDA

#include <nanobind/stl/string.h>

#include <string>

namespace geobatch::python {

void BindGpu(nanobind::module_& parent) {
  nanobind::module_ m = parent.def_submodule("gpu", "GPU delivery of batches (not built)");
  m.attr("built_with_cuda") = false;
  m.def("device_count", [] { return 0; });
  m.def("unavailable_reason", [] {
    return std::string("geobatch was built without CUDA (no CUDA compiler found, or GEOBATCH_WITH_CUDA=OFF)");
  });
}

}  // namespace geobatch::python

#endif
