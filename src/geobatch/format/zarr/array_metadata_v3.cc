// Zarr v3 array metadata ("zarr.json" with node_type "array").
#include "geobatch/format/zarr/array_metadata.h"
#include "geobatch/format/zarr/fill_value.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

const nlohmann::json& Required(const nlohmann::json& json, const char* key) {
  if (!json.contains(key)) throw InvalidArgumentError(std::string("zarr.json lacks '") + key + "'");
  return json[key];
}

std::vector<uint64_t> ParseRegularGrid(const nlohmann::json& grid) {
  if (!grid.is_object() || grid.value("name", "") != "regular") {
    throw UnsupportedError("unsupported chunk_grid " + grid.dump());
  }
  if (!grid.contains("configuration") || !grid["configuration"].contains("chunk_shape")) {
    throw InvalidArgumentError("regular chunk_grid lacks 'chunk_shape'");
  }
  return ParseSizeList(grid["configuration"]["chunk_shape"], "chunk_shape");
}

}  // namespace

ArrayMetadata ParseArrayMetadataV3(const nlohmann::json& json) {
  if (!json.is_object()) throw InvalidArgumentError("zarr.json must be a JSON object");
  if (Required(json, "zarr_format") != 3) throw UnsupportedError("zarr.json: zarr_format is not 3");
  if (Required(json, "node_type") != "array") {
    throw InvalidArgumentError("zarr.json: node_type is not 'array'");
  }
  RefuseUnknownExtensions(json, {"zarr_format", "node_type", "shape", "data_type", "chunk_grid",
                                 "chunk_key_encoding", "fill_value", "codecs", "attributes",
                                 "dimension_names", "storage_transformers"});
  ArrayMetadata meta;
  meta.zarr_format = 3;
  meta.shape = ParseSizeList(Required(json, "shape"), "shape");
  const auto& data_type = Required(json, "data_type");
  if (!data_type.is_string()) throw UnsupportedError("unsupported data type " + data_type.dump());
  meta.dtype = DataTypeFromV3Name(data_type.get<std::string>());
  meta.chunk_shape = ParseRegularGrid(Required(json, "chunk_grid"));
  ValidateShapes(meta.shape, meta.chunk_shape, meta.dtype);
  meta.chunk_key_encoding = ChunkKeyEncoding::FromV3Json(Required(json, "chunk_key_encoding"));
  meta.fill_value_json = Required(json, "fill_value");
  if (meta.fill_value_json.is_null()) throw InvalidArgumentError("zarr.json: fill_value is null");
  meta.fill_value = ParseFillValue(meta.fill_value_json, meta.dtype);
  if (json.contains("storage_transformers") && !json["storage_transformers"].empty()) {
    throw UnsupportedError("storage transformers are not supported: " + json["storage_transformers"].dump());
  }
  CodecContext context{{meta.dtype, meta.chunk_shape}, 3, meta.fill_value};
  meta.codecs = CodecChain::FromV3Json(Required(json, "codecs"), context);
  if (json.contains("attributes")) {
    if (!json["attributes"].is_object()) throw InvalidArgumentError("'attributes' must be an object");
    meta.attributes = json["attributes"];
  }
  if (json.contains("dimension_names") && !json["dimension_names"].is_null()) {
    const auto& names = json["dimension_names"];
    if (!names.is_array() || names.size() != meta.shape.size()) {
      throw InvalidArgumentError("dimension_names must list one name per dimension, got " +
                                 names.dump());
    }
    meta.dimension_names.emplace();
    for (const auto& name : names) {
      if (name.is_null()) meta.dimension_names->push_back(std::nullopt);
      else if (name.is_string()) meta.dimension_names->push_back(name.get<std::string>());
      else throw InvalidArgumentError("dimension name must be a string or null: " + name.dump());
    }
  }
  return meta;
}

}  // namespace geobatch
