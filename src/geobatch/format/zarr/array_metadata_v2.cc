// Zarr v2 array metadata (".zarray" + ".zattrs"), mapped onto a v3-style
// codec chain: [transpose for order F] + bytes(endian) + filters + compressor.
// The numcodecs filters run as bytes->bytes codecs that know their own dtypes.
#include <numeric>

#include "geobatch/codec/bytes_codec.h"
#include "geobatch/codec/transpose_codec.h"
#include "geobatch/format/zarr/array_metadata.h"
#include "geobatch/format/zarr/fill_value.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

const nlohmann::json& Required(const nlohmann::json& json, const char* key) {
  if (!json.contains(key)) throw InvalidArgumentError(std::string(".zarray lacks '") + key + "'");
  return json[key];
}

std::shared_ptr<const BytesToBytesCodec> NumcodecsBytesCodec(const nlohmann::json& object,
                                                             const CodecContext& context) {
  AnyCodec codec = CodecRegistry::Global().CreateNumcodecs(object, context);
  auto* bytes = std::get_if<std::shared_ptr<const BytesToBytesCodec>>(&codec);
  if (!bytes) throw UnsupportedError("codec " + object.dump() + " cannot be used in Zarr v2");
  return *bytes;
}

}  // namespace

ArrayMetadata ParseArrayMetadataV2(const nlohmann::json& json, const nlohmann::json& zattrs) {
  if (!json.is_object()) throw InvalidArgumentError(".zarray must be a JSON object");
  if (Required(json, "zarr_format") != 2) throw UnsupportedError(".zarray: zarr_format is not 2");
  ArrayMetadata meta;
  meta.zarr_format = 2;
  meta.shape = ParseSizeList(Required(json, "shape"), "shape");
  meta.chunk_shape = ParseSizeList(Required(json, "chunks"), "chunks");
  const auto& dtype_json = Required(json, "dtype");
  if (!dtype_json.is_string()) throw UnsupportedError("unsupported NumPy dtype " + dtype_json.dump());
  const NumpyDataType numpy = DataTypeFromNumpy(dtype_json.get<std::string>());
  meta.dtype = numpy.dtype;
  ValidateShapes(meta.shape, meta.chunk_shape, meta.dtype);
  meta.fill_value_json = json.value("fill_value", nlohmann::json());
  meta.fill_value = ParseFillValue(meta.fill_value_json, meta.dtype);

  const std::string separator = json.value("dimension_separator", ".");
  if (separator != "." && separator != "/") {
    throw InvalidArgumentError("dimension_separator must be '.' or '/', got '" + separator + "'");
  }
  meta.chunk_key_encoding = {ChunkKeyEncoding::Kind::kV2, separator[0]};

  const std::string order = json.value("order", "C");
  if (order != "C" && order != "F") throw InvalidArgumentError("order must be 'C' or 'F'");
  const ChunkLayout layout{meta.dtype, meta.chunk_shape};
  std::vector<std::shared_ptr<const ArrayToArrayCodec>> array_to_array;
  if (order == "F" && meta.shape.size() > 1) {
    std::vector<size_t> reversed(meta.shape.size());
    std::iota(reversed.rbegin(), reversed.rend(), 0);
    array_to_array.push_back(std::make_shared<TransposeCodec>(std::move(reversed)));
  }
  // Filters and the compressor see the stored bytes; decoding runs them in
  // reverse, so the chain lists filters first, then the compressor.
  CodecContext context{layout, 2, meta.fill_value};
  std::vector<std::shared_ptr<const BytesToBytesCodec>> bytes_to_bytes;
  const nlohmann::json filters = json.value("filters", nlohmann::json());
  if (!filters.is_null()) {
    if (!filters.is_array()) throw InvalidArgumentError("'filters' must be a list or null");
    for (const auto& filter : filters) bytes_to_bytes.push_back(NumcodecsBytesCodec(filter, context));
  }
  const nlohmann::json compressor = json.value("compressor", nlohmann::json());
  if (!compressor.is_null()) bytes_to_bytes.push_back(NumcodecsBytesCodec(compressor, context));
  meta.codecs = std::make_shared<CodecChain>(
      std::move(array_to_array), std::make_shared<BytesCodec>(numpy.endian),
      std::move(bytes_to_bytes), layout);

  if (zattrs.is_object()) {
    meta.attributes = zattrs;
    if (zattrs.contains("_ARRAY_DIMENSIONS")) {
      const auto& names = zattrs["_ARRAY_DIMENSIONS"];
      if (names.is_array() && names.size() == meta.shape.size()) {
        meta.dimension_names.emplace();
        for (const auto& name : names) {
          meta.dimension_names->push_back(name.is_string() ? std::optional(name.get<std::string>())
                                                           : std::nullopt);
        }
      }
    }
  } else if (!zattrs.is_null()) {
    throw InvalidArgumentError(".zattrs must be a JSON object");
  }
  return meta;
}

}  // namespace geobatch
