#include "zarr_bindings.h"

#include <nanobind/ndarray.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include <variant>

#include "geobatch/format/zarr/hierarchy.h"
#include "geobatch/store/http/open_remote_store.h"
#include "geobatch/store/store_registry.h"
#include "geobatch/util/error.h"
#include "json_to_python.h"

namespace nb = nanobind;

namespace geobatch::python {
namespace {

using Node = std::variant<std::shared_ptr<const ZarrArray>, std::shared_ptr<const ZarrGroup>>;

Node ToVariant(ZarrNode node) {
  if (node.array) return node.array;
  return node.group;
}

// Destination of a read: any C-contiguous numpy array viewed as bytes.
using ByteView = nb::ndarray<uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

void ReadInto(const ZarrArray& array, const std::vector<uint64_t>& origin,
              const std::vector<uint64_t>& extent, ByteView out) {
  std::span<std::byte> bytes(reinterpret_cast<std::byte*>(out.data()), out.size());
  nb::gil_scoped_release release;
  array.Read(origin, extent, bytes);
}

nb::bytes FillValueBytes(const ZarrArray& array) {
  const auto& fill = array.metadata().fill_value;
  return nb::bytes(reinterpret_cast<const char*>(fill.data()), fill.size());
}

}  // namespace

void BindZarr(nb::module_& m) {
  nb::class_<ZarrArray>(m, "Array")
      .def_prop_ro("path", &ZarrArray::path)
      .def_prop_ro("url", [](const ZarrArray& a) { return a.store()->url(); })
      .def_prop_ro("shape", [](const ZarrArray& a) { return a.metadata().shape; })
      .def_prop_ro("chunk_grid_shape", [](const ZarrArray& a) { return a.metadata().chunk_shape; })
      .def_prop_ro("read_chunk_shape", &ZarrArray::read_chunk_shape)
      .def_prop_ro("shard_shape", &ZarrArray::shard_shape)
      .def_prop_ro("numpy_dtype", [](const ZarrArray& a) { return a.metadata().dtype.numpy_str(); })
      .def_prop_ro("zarr_format", [](const ZarrArray& a) { return a.metadata().zarr_format; })
      .def_prop_ro("fill_value_bytes", &FillValueBytes)
      .def_prop_ro("fill_value_metadata", [](const ZarrArray& a) { return JsonToPython(a.metadata().fill_value_json); })
      .def_prop_ro("attributes", [](const ZarrArray& a) { return JsonToPython(a.metadata().attributes); })
      .def_prop_ro("codecs", [](const ZarrArray& a) { return JsonToPython(a.metadata().codecs->ToJson()); })
      .def_prop_ro("dimension_names", [](const ZarrArray& a) { return a.metadata().dimension_names; })
      .def("chunk_key", [](const ZarrArray& a, const std::vector<uint64_t>& coords) { return a.ChunkKey(coords); })
      .def("read_into", &ReadInto, nb::arg("origin"), nb::arg("extent"), nb::arg("out"),
           "Reads the box [origin, origin + extent) into `out` (a C-contiguous uint8 view).");

  nb::class_<ZarrGroup>(m, "Group")
      .def_prop_ro("path", &ZarrGroup::path)
      .def_prop_ro("zarr_format", &ZarrGroup::zarr_format)
      .def_prop_ro("consolidated", &ZarrGroup::consolidated)
      .def_prop_ro("attributes", [](const ZarrGroup& g) { return JsonToPython(g.attributes()); })
      .def("child_names", &ZarrGroup::ChildNames, nb::call_guard<nb::gil_scoped_release>())
      .def("open", [](const ZarrGroup& g, const std::string& path) { return ToVariant(g.Open(path)); },
           nb::call_guard<nb::gil_scoped_release>());

  m.def("open_node",
        [](const std::string& url, const std::string& path,
           const std::map<std::string, std::string>& storage_options) {
          std::shared_ptr<Store> store;
          if (storage_options.empty()) {
            store = OpenStore(url);
          } else {
            RemoteOptions options = RemoteOptions::FromEnvironment();
            for (const auto& [name, value] : storage_options) options.Set(name, value);
            store = OpenRemoteStore(url, options);  // InvalidArgumentError for non-remote URLs
          }
          nb::gil_scoped_release release;  // metadata reads may wait on the network
          return ToVariant(OpenZarrNode(std::move(store), path));
        },
        nb::arg("url"), nb::arg("path") = "",
        nb::arg("storage_options") = std::map<std::string, std::string>{},
        "Opens the array or group at `path` in the store at `url`.");
}

}  // namespace geobatch::python
