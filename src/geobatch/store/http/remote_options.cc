#include "geobatch/store/http/remote_options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <array>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

[[noreturn]] void Malformed(std::string_view name, std::string_view value, const char* want) {
  throw InvalidArgumentError("storage option '" + std::string(name) + "': '" + std::string(value) +
                             "' is not " + want);
}

bool ParseBool(std::string_view name, std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
  Malformed(name, value, "a boolean (true/false)");
}

template <typename Int>
Int ParseInt(std::string_view name, std::string_view value, Int min) {
  Int out{};
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || out < min) {
    Malformed(name, value, ("an integer >= " + std::to_string(min)).c_str());
  }
  return out;
}

double ParseSeconds(std::string_view name, std::string_view value) {
  const std::string text(value);
  char* end = nullptr;
  const double out = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(out >= 0)) {
    Malformed(name, value, "a non-negative number of seconds");
  }
  return out;
}

// The first of `variables` (up to three, null-terminated) that is set and not empty.
const char* FirstSet(const std::array<const char*, 4>& variables) {
  for (const char* name : variables) {
    if (!name) break;
    const char* value = std::getenv(name);
    if (value && *value) return value;
  }
  return nullptr;
}

struct Source {
  const char* option;
  std::array<const char*, 4> variables;  // most specific first
};

}  // namespace

void RemoteOptions::Set(std::string_view name, std::string_view value) {
  if (name == "max_requests") {
    max_requests = ParseInt<size_t>(name, value, 1);
  } else if (name == "connect_timeout_ms") {
    connect_timeout_ms = ParseInt<long>(name, value, 1);
  } else if (name == "stall_timeout_s") {
    stall_timeout_s = ParseInt<long>(name, value, 1);
  } else if (name == "verify_tls") {
    verify_tls = ParseBool(name, value);
  } else if (name == "ca_bundle") {
    ca_bundle = value;
  } else if (name == "max_retries") {
    max_retries = ParseInt<int>(name, value, 0);
  } else if (name == "retry_base_delay_s") {
    retry_base_delay_s = ParseSeconds(name, value);
  } else if (name == "retry_max_delay_s") {
    retry_max_delay_s = ParseSeconds(name, value);
  } else if (name == "retry_budget_s") {
    retry_budget_s = ParseSeconds(name, value);
  } else if (name == "cache_bytes") {
    cache_bytes = ParseInt<uint64_t>(name, value, 0);
  } else if (name == "cache_dir") {
    cache_dir = value;
  } else if (name == "cache_dir_bytes") {
    cache_dir_bytes = ParseInt<uint64_t>(name, value, 1);
  } else if (name == "anonymous") {
    anonymous = ParseBool(name, value);
  } else if (name == "endpoint") {
    endpoint = value;
  } else if (name == "region") {
    region = value;
  } else if (name == "profile") {
    profile = value;
  } else if (name == "addressing_style") {
    if (value != "path" && value != "virtual" && !value.empty()) Malformed(name, value, "'path' or 'virtual'");
    addressing_style = value;
  } else if (name == "gcs_endpoint") {
    gcs_endpoint = value;
  } else {
    throw InvalidArgumentError("unknown storage option '" + std::string(name) + "'");
  }
}

RemoteOptions RemoteOptions::FromEnvironment() {
  RemoteOptions options;
  static constexpr Source kSources[] = {
      {"max_requests", {"GEOBATCH_MAX_REQUESTS"}},
      {"connect_timeout_ms", {"GEOBATCH_CONNECT_TIMEOUT_MS"}},
      {"stall_timeout_s", {"GEOBATCH_STALL_TIMEOUT_S"}},
      {"verify_tls", {"GEOBATCH_VERIFY_TLS"}},
      {"ca_bundle", {"GEOBATCH_CA_BUNDLE", "AWS_CA_BUNDLE", "CURL_CA_BUNDLE"}},
      {"max_retries", {"GEOBATCH_MAX_RETRIES"}},
      {"retry_base_delay_s", {"GEOBATCH_RETRY_BASE_DELAY_S"}},
      {"retry_max_delay_s", {"GEOBATCH_RETRY_MAX_DELAY_S"}},
      {"retry_budget_s", {"GEOBATCH_RETRY_BUDGET_S"}},
      {"cache_bytes", {"GEOBATCH_CACHE_BYTES"}},
      {"cache_dir", {"GEOBATCH_CACHE_DIR"}},
      {"cache_dir_bytes", {"GEOBATCH_CACHE_DIR_BYTES"}},
      {"anonymous", {"GEOBATCH_ANONYMOUS", "AWS_NO_SIGN_REQUEST"}},
      {"endpoint", {"GEOBATCH_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}},
      {"region", {"AWS_REGION", "AWS_DEFAULT_REGION"}},
      {"profile", {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"}},
      {"addressing_style", {"GEOBATCH_S3_ADDRESSING_STYLE"}},
      {"gcs_endpoint", {"GEOBATCH_GCS_ENDPOINT"}},
  };
  for (const Source& source : kSources) {
    if (const char* value = FirstSet(source.variables)) options.Set(source.option, value);
  }
  // The Google client libraries' emulator variable is a bare host:port.
  if (options.gcs_endpoint.empty()) {
    if (const char* host = FirstSet({"STORAGE_EMULATOR_HOST"})) {
      const std::string_view text(host);
      options.gcs_endpoint = text.find("://") == std::string_view::npos ? "http://" + std::string(text) : std::string(text);
    }
  }
  return options;
}

}  // namespace geobatch
