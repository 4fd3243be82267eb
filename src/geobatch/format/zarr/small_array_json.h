// For tests: zarr.json of the small array that the Zarr and batch tests read
// through a memory store — 13x10 uint16, fill value 65535, regular chunks of
// `chunk_shape`, `codecs` as given.
#pragma once

#include <nlohmann/json.hpp>

namespace geobatch::testing {

inline nlohmann::json SmallArrayJson(nlohmann::json codecs, nlohmann::json chunk_shape) {
  return {{"zarr_format", 3},
          {"node_type", "array"},
          {"shape", {13, 10}},
          {"data_type", "uint16"},
          {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", std::move(chunk_shape)}}}}},
          {"chunk_key_encoding", {{"name", "default"}}},
          {"fill_value", 65535},
          {"codecs", std::move(codecs)}};
}

}  // namespace geobatch::testing
