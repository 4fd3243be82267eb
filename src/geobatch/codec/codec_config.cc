#include "geobatch/codec/codec_config.h"

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

const nlohmann::json& EmptyObject() {
  static const nlohmann::json* empty = new nlohmann::json(nlohmann::json::object());
  return *empty;
}

}  // namespace

CodecConfig::CodecConfig(std::string_view codec, const nlohmann::json& configuration)
    : codec_(codec), config_(configuration.is_null() ? EmptyObject() : configuration) {
  if (!config_.is_object()) Fail("configuration must be an object, got " + config_.dump());
}

bool CodecConfig::Has(std::string_view key) const {
  auto it = config_.find(key);
  return it != config_.end() && !it->is_null();
}

const nlohmann::json& CodecConfig::Get(std::string_view key) const {
  if (!Has(key)) Fail(std::string("missing '").append(key).append("'"));
  return *config_.find(key);
}

int64_t CodecConfig::Int(std::string_view key, int64_t min, int64_t max) const {
  const nlohmann::json& value = Get(key);
  // Unsigned values above INT64_MAX are out of every range we accept.
  const bool in_range = value.is_number_integer() &&
                        !(value.is_number_unsigned() && value.get<uint64_t>() > INT64_MAX) &&
                        value.get<int64_t>() >= min && value.get<int64_t>() <= max;
  if (!in_range) {
    FailField(key, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
              value);
  }
  return value.get<int64_t>();
}

int64_t CodecConfig::Int(std::string_view key, int64_t min, int64_t max, int64_t fallback) const {
  return Has(key) ? Int(key, min, max) : fallback;
}

bool CodecConfig::Bool(std::string_view key, bool fallback) const {
  if (!Has(key)) return fallback;
  const nlohmann::json& value = Get(key);
  if (!value.is_boolean()) FailField(key, "a boolean", value);
  return value.get<bool>();
}

std::string CodecConfig::String(std::string_view key) const {
  const nlohmann::json& value = Get(key);
  if (!value.is_string()) FailField(key, "a string", value);
  return value.get<std::string>();
}

std::string CodecConfig::String(std::string_view key, std::string_view fallback) const {
  return Has(key) ? String(key) : std::string(fallback);
}

const nlohmann::json& CodecConfig::Number(std::string_view key) const {
  const nlohmann::json& value = Get(key);
  if (!value.is_number()) FailField(key, "a number", value);
  return value;
}

void CodecConfig::Fail(std::string_view message) const {
  throw InvalidArgumentError(codec_ + " codec: " + std::string(message));
}

void CodecConfig::FailField(std::string_view key, std::string_view expected,
                            const nlohmann::json& value) const {
  std::string message = "'";
  message.append(key).append("' must be ").append(expected).append(", got ").append(value.dump());
  Fail(message);
}

}  // namespace geobatch
