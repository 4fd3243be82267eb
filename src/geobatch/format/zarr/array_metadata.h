// The metadata of one Zarr array, parsed from v3 "zarr.json" or v2
// ".zarray" (+ ".zattrs") into one form the reader uses for both.
// https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#array-metadata
// https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#arrays
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geobatch/array/dtype.h"
#include "geobatch/codec/codec_chain.h"
#include "geobatch/format/zarr/chunk_key_encoding.h"

namespace geobatch {

struct ArrayMetadata {
  int zarr_format = 3;
  std::vector<uint64_t> shape;
  std::vector<uint64_t> chunk_shape;  // the regular grid's chunk (or shard) shape
  DataType dtype;
  std::vector<std::byte> fill_value;  // one element, native-endian
  nlohmann::json fill_value_json;     // as stored (null in v2 means "none")
  ChunkKeyEncoding chunk_key_encoding;
  std::shared_ptr<const CodecChain> codecs;
  // Per dimension; absent names are nullopt. v2 takes them from xarray's
  // _ARRAY_DIMENSIONS attribute.
  std::optional<std::vector<std::optional<std::string>>> dimension_names;
  nlohmann::json attributes = nlohmann::json::object();

  // Number of chunks along each dimension.
  std::vector<uint64_t> grid_shape() const;
};

// Chunks whose decoded size exceeds this are refused as hostile metadata.
inline constexpr uint64_t kMaxChunkBytes = uint64_t{1} << 32;

ArrayMetadata ParseArrayMetadataV3(const nlohmann::json& zarr_json);
ArrayMetadata ParseArrayMetadataV3(std::string_view zarr_json);
// `zattrs` may be null/empty when the array has no .zattrs.
ArrayMetadata ParseArrayMetadataV2(const nlohmann::json& zarray, const nlohmann::json& zattrs);
ArrayMetadata ParseArrayMetadataV2(std::string_view zarray, std::string_view zattrs);

// Parses JSON text, turning syntax errors into CorruptError naming `what`.
nlohmann::json ParseJson(std::string_view text, std::string_view what);

// Checks shape and chunk shape from untrusted metadata: equal ranks, chunk
// sizes positive, total byte sizes representable and chunks bounded.
void ValidateShapes(const std::vector<uint64_t>& shape, const std::vector<uint64_t>& chunk_shape,
                    const DataType& dtype);

// Refuses keys of a v3 metadata object outside `known` unless they are
// extension objects declaring "must_understand": false.
void RefuseUnknownExtensions(const nlohmann::json& json, std::initializer_list<std::string_view> known);

// Reads a list of non-negative integers; throws InvalidArgumentError naming `what`.
std::vector<uint64_t> ParseSizeList(const nlohmann::json& json, std::string_view what);

}  // namespace geobatch
