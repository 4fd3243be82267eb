// Typed access to a codec's JSON configuration: the v3 "configuration" object
// or the numcodecs object of Zarr v2. Every error is an InvalidArgumentError
// that names the codec and the offending field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace geobatch {

class CodecConfig {
 public:
  // `configuration` may be null (no "configuration" in the metadata); anything
  // else but an object is an error.
  CodecConfig(std::string_view codec, const nlohmann::json& configuration);

  // A key whose value is null counts as absent, as numcodecs treats None.
  bool Has(std::string_view key) const;

  // An integer in [min, max]; the second form returns `fallback` when absent.
  int64_t Int(std::string_view key, int64_t min, int64_t max) const;
  int64_t Int(std::string_view key, int64_t min, int64_t max, int64_t fallback) const;

  bool Bool(std::string_view key, bool fallback) const;

  std::string String(std::string_view key) const;
  std::string String(std::string_view key, std::string_view fallback) const;

  // A required number, integer or floating point.
  const nlohmann::json& Number(std::string_view key) const;

  [[noreturn]] void Fail(std::string_view message) const;
  // "'<key>' must be <expected>, got <value>".
  [[noreturn]] void FailField(std::string_view key, std::string_view expected,
                              const nlohmann::json& value) const;

 private:
  const nlohmann::json& Get(std::string_view key) const;

  std::string codec_;
  const nlohmann::json& config_;
};

}  // namespace geobatch
