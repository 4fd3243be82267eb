// Chunk grid coordinates to store keys: the v3 "default" encoding
// ("c/1/2") and the "v2" encoding ("1.2"), each with either separator.
// https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#chunk-key-encoding
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace geobatch {

struct ChunkKeyEncoding {
  enum class Kind { kDefault, kV2 };
  Kind kind = Kind::kDefault;
  char separator = '/';

  // Parses a v3 "chunk_key_encoding" object.
  static ChunkKeyEncoding FromV3Json(const nlohmann::json& json);
  // The key of a chunk relative to the array's own prefix.
  std::string Key(std::span<const uint64_t> grid_coords) const;
  nlohmann::json ToJson() const;
};

}  // namespace geobatch
