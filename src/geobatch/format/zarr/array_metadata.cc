#include "geobatch/format/zarr/array_metadata.h"

#include <algorithm>
#include <limits>

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

namespace {

// Python's json module (and so zarr-python) writes non-finite floats as the
// bare tokens NaN, Infinity and -Infinity, which strict JSON parsers refuse.
// They are swapped for marker strings before parsing and back afterwards.
constexpr std::string_view kNonFiniteMarker = "\x01geobatch-nonfinite:";

// The non-finite token starting at text[i] outside any string, or "".
std::string_view NonFiniteTokenAt(std::string_view text, size_t i) {
  for (std::string_view token : {"NaN", "Infinity", "-Infinity"}) {
    if (text.substr(i, token.size()) == token) return token;
  }
  return {};
}

std::string MarkNonFiniteTokens(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\' && i + 1 < text.size()) {
        out += c;
        out += text[++i];
        continue;
      }
      in_string = c != '"';
    } else if (c == '"') {
      in_string = true;
    } else if (const std::string_view token = NonFiniteTokenAt(text, i); !token.empty()) {
      out += "\"\\u0001geobatch-nonfinite:" + std::string(token) + "\"";
      i += token.size() - 1;
      continue;
    }
    out += c;
  }
  return out;
}

void RestoreNonFinite(nlohmann::json& json) {
  if (json.is_string()) {
    const std::string& text = json.get_ref<const std::string&>();
    if (!text.starts_with(kNonFiniteMarker)) return;
    const std::string_view token = std::string_view(text).substr(kNonFiniteMarker.size());
    json = token == "NaN" ? std::numeric_limits<double>::quiet_NaN()
                          : (token == "Infinity" ? 1.0 : -1.0) * std::numeric_limits<double>::infinity();
  } else if (json.is_structured()) {
    for (auto& child : json) RestoreNonFinite(child);
  }
}

}  // namespace

nlohmann::json ParseJson(std::string_view text, std::string_view what) {
  const bool non_finite =
      text.find("NaN") != std::string_view::npos || text.find("Infinity") != std::string_view::npos;
  const std::string marked = non_finite ? MarkNonFiniteTokens(text) : std::string();
  nlohmann::json json = nlohmann::json::parse(non_finite ? std::string_view(marked) : text, nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_discarded()) throw CorruptError(std::string(what) + " is not valid JSON");
  if (non_finite) RestoreNonFinite(json);
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

void RefuseUnknownExtensions(const nlohmann::json& json, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : json.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (value.is_object() && value.contains("must_understand") && value["must_understand"] == false) {
      continue;
    }
    throw UnsupportedError("zarr.json has extension '" + key +
                           "' that must be understood and is not supported");
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
