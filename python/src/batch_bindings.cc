#include "batch_bindings.h"

#include <atomic>

#include <nanobind/ndarray.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "geobatch/batch/window_reader.h"
#include "geobatch/util/buffer.h"

namespace nb = nanobind;

namespace geobatch::python {

namespace {

// A uint8 array over a new Buffer of `nbytes` from `pool` (the process-wide
// one when null), which goes back to its pool when every view is gone.
nb::ndarray<nb::numpy, uint8_t, nb::ndim<1>> PooledArray(size_t nbytes, std::shared_ptr<BufferPool> pool) {
  Buffer* held;
  {
    // A fresh buffer is prefaulted (tens of ms for a whole-field batch): other threads, such as
    // the one handing out the batch before this one, go on meanwhile.
    nb::gil_scoped_release release;
    held = new Buffer(nbytes, std::move(pool));
  }
  nb::capsule owner(held, [](void* p) noexcept { delete static_cast<Buffer*>(p); });
  const size_t shape[1] = {nbytes};
  return {reinterpret_cast<uint8_t*>(held->data()), 1, shape, owner};
}

}  // namespace

void BindBatch(nb::module_& m) {
  m.def(
      "pooled_bytes", [](size_t nbytes) { return PooledArray(nbytes, nullptr); }, nb::arg("nbytes"),
      "An uninitialised uint8 array (nbytes > 0) on a recycled buffer: the buffer goes back to the pool "
      "when every view of the array is gone.");
  m.def("set_buffer_pool_bytes", [](size_t n) { BufferPool::Global().SetMaxIdleBytes(n); }, nb::arg("n"));
  m.def("get_buffer_pool_bytes", [] { return BufferPool::Global().max_idle_bytes(); });
  nb::class_<BufferPool>(m, "BufferPool")
      .def(nb::new_([](size_t max_idle_bytes) { return std::make_shared<BufferPool>(max_idle_bytes); }),
           nb::arg("max_idle_bytes"))
      .def(
          "take", [](std::shared_ptr<BufferPool> pool, size_t nbytes) { return PooledArray(nbytes, std::move(pool)); },
          nb::arg("nbytes"),
          "An uninitialised uint8 array (nbytes > 0) on a buffer of this pool, back to it when every view "
          "of the array is gone.")
      .def_prop_ro("max_idle_bytes", &BufferPool::max_idle_bytes)
      .def_prop_ro("idle_bytes", &BufferPool::idle_bytes);
  // A flag in memory that processes share (the slots DataLoader workers hand batches over in):
  // release/acquire ordering, so that what one process wrote before storing a value is seen by
  // the process that loads it, on every architecture.
  using SharedFlag = nb::ndarray<uint32_t, nb::shape<1>, nb::c_contig, nb::device::cpu>;
  m.def(
      "shared_flag_load",
      [](SharedFlag flag) { return std::atomic_ref<uint32_t>(*flag.data()).load(std::memory_order_acquire); },
      nb::arg("flag"));
  m.def(
      "shared_flag_store",
      [](SharedFlag flag, uint32_t value) {
        std::atomic_ref<uint32_t>(*flag.data()).store(value, std::memory_order_release);
      },
      nb::arg("flag"), nb::arg("value"));
  nb::class_<DecodedChunkCache>(m, "ChunkCache")
      .def(nb::new_([](uint64_t max_bytes) { return std::make_shared<DecodedChunkCache>(max_bytes); }),
           nb::arg("max_bytes"))
      .def_prop_rw("max_bytes", &DecodedChunkCache::max_bytes, &DecodedChunkCache::SetMaxBytes,
                   "The budget; set it lower and chunks are evicted down to it at once.")
      .def("stats", [](const DecodedChunkCache& cache) {
        const ChunkCacheStats s = cache.stats();
        nb::dict out;
        out["hits"] = s.hits;
        out["misses"] = s.misses;
        out["bytes"] = s.bytes;
        out["evictions"] = s.evictions;
        out["idle_bytes"] = cache.buffers()->idle_bytes();  // freed chunk buffers kept for the next decodes
        return out;
      });

  using Origins = nb::ndarray<const uint64_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
  using ByteView = nb::ndarray<uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
  nb::class_<WindowReader>(m, "WindowReader")
      .def(nb::new_([](std::shared_ptr<const ZarrArray> array, std::shared_ptr<DecodedChunkCache> cache) {
             return std::make_shared<WindowReader>(std::move(array), std::move(cache));
           }),
           nb::arg("array"), nb::arg("cache"))
      .def(
          "read",
          [](WindowReader& reader, Origins origins, const std::vector<uint64_t>& extent, ByteView out) {
            std::span<const uint64_t> flat(origins.data(), origins.size());
            std::span<std::byte> bytes(reinterpret_cast<std::byte*>(out.data()), out.size());
            nb::gil_scoped_release release;
            reader.Read(flat, extent, bytes);
          },
          nb::arg("origins"), nb::arg("extent"), nb::arg("out"),
          "Reads windows [origins[i], origins[i] + extent) into `out` (a C-contiguous uint8 view).");
  m.def(
      "read_windows_many",
      [](const std::vector<std::tuple<std::shared_ptr<WindowReader>, Origins, std::vector<uint64_t>, ByteView>>&
             requests) {
        std::vector<WindowRead> reads;
        reads.reserve(requests.size());
        for (const auto& [reader, origins, extent, out] : requests) {
          reads.push_back({reader.get(), std::span<const uint64_t>(origins.data(), origins.size()), extent,
                           std::span<std::byte>(reinterpret_cast<std::byte*>(out.data()), out.size())});
        }
        nb::gil_scoped_release release;
        WindowReader::ReadMany(reads);
      },
      nb::arg("requests"),
      "Several WindowReader.read calls, given as (reader, origins, extent, out) tuples, at once: every "
      "chunk they need starts loading before any is waited for.");
}

}  // namespace geobatch::python
