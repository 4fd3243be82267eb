#include "geobatch/format/zarr/array_metadata.h"

#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"

namespace geobatch {

std::vector<uint64_t> ArrayMetadata::grid_shape() const {
  std::vector<uint64_t> grid(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    grid[d] = shape[d] / chunk_shape[d] + (shape[d] % chunk_shape[d] != 0);
  }
  return grid;
}

nlohmann::json ParseJson(std::string_view text, std::string_view what) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw CorruptError(std::string(what) + " is not valid JSON");
  return json;
}

std::vector<uint64_t> ParseSizeList(const nlohmann::json& json, std::string_view what) {
  if (!json.is_array()) {
    throw InvalidArgumentError(std::string(what) + " must be a list of integers, got " + json.dump());
  }
  std::vector<uint64_t> sizes;
  for (const auto& v : json) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0) {
      throw InvalidArgumentError(std::string(what) + " must hold non-negative integers, got " +
                                 json.dump());
    }
    sizes.push_back(v.get<uint64_t>());
  }
  return sizes;
}

void ValidateShapes(const std::vector<uint64_t>& shape, const std::vector<uint64_t>& chunk_shape,
                    const DataType& dtype) {
  if (shape.size() != chunk_shape.size()) {
    throw InvalidArgumentError("shape has " + std::to_string(shape.size()) +
                               " dimensions but the chunk shape has " +
                               std::to_string(chunk_shape.size()));
  }
  for (uint64_t size : chunk_shape) {
    if (size == 0) throw InvalidArgumentError("chunk sizes must be positive");
  }
  CheckedMul(CheckedProduct(shape, "array element count"), dtype.size(), "array byte size");
  const uint64_t chunk_bytes =
      CheckedMul(CheckedProduct(chunk_shape, "chunk element count"), dtype.size(), "chunk byte size");
  if (chunk_bytes > kMaxChunkBytes) {
    throw InvalidArgumentError("chunks of " + std::to_string(chunk_bytes) +
                               " bytes exceed the limit of " + std::to_string(kMaxChunkBytes));
  }
}

ArrayMetadata ParseArrayMetadataV3(std::string_view zarr_json) {
  return ParseArrayMetadataV3(ParseJson(zarr_json, "zarr.json"));
}

ArrayMetadata ParseArrayMetadataV2(std::string_view zarray, std::string_view zattrs) {
  return ParseArrayMetadataV2(ParseJson(zarray, ".zarray"),
                              zattrs.empty() ? nlohmann::json() : ParseJson(zattrs, ".zattrs"));
}

}  // namespace geobatch
