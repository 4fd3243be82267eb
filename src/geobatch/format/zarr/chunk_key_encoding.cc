#include "geobatch/format/zarr/chunk_key_encoding.h"

#include "geobatch/util/error.h"

namespace geobatch {

ChunkKeyEncoding ChunkKeyEncoding::FromV3Json(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("name") || !json["name"].is_string()) {
    throw InvalidArgumentError("malformed chunk_key_encoding " + json.dump());
  }
  ChunkKeyEncoding encoding;
  const std::string name = json["name"].get<std::string>();
  if (name == "default") {
    encoding = {Kind::kDefault, '/'};
  } else if (name == "v2") {
    encoding = {Kind::kV2, '.'};
  } else {
    throw UnsupportedError("unsupported chunk_key_encoding '" + name + "'");
  }
  if (json.contains("configuration") && json["configuration"].contains("separator")) {
    const auto& separator = json["configuration"]["separator"];
    if (separator != "/" && separator != ".") {
      throw InvalidArgumentError("chunk_key_encoding separator must be '/' or '.', got " +
                                 separator.dump());
    }
    encoding.separator = separator.get<std::string>()[0];
  }
  return encoding;
}

std::string ChunkKeyEncoding::Key(std::span<const uint64_t> grid_coords) const {
  std::string key = kind == Kind::kDefault ? "c" : "";
  if (kind == Kind::kV2 && grid_coords.empty()) return "0";
  for (size_t i = 0; i < grid_coords.size(); ++i) {
    if (kind == Kind::kDefault || i > 0) key += separator;
    key += std::to_string(grid_coords[i]);
  }
  return key;
}

nlohmann::json ChunkKeyEncoding::ToJson() const {
  return {{"name", kind == Kind::kDefault ? "default" : "v2"},
          {"configuration", {{"separator", std::string(1, separator)}}}};
}

}  // namespace geobatch
