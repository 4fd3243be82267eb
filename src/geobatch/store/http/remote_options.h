// Settings shared by the remote stores (http(s)://, s3://, gs://): how many
// requests are in flight, retries, timeouts, TLS, caching, and the S3
// endpoint and credential choices. They come from the environment (the AWS
// CLI's variables where one exists, GEOBATCH_* otherwise) or from key/value
// pairs (a Python `storage_options=` dict), applied on top of each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace geobatch {

struct RemoteOptions {
  // Transport.
  size_t max_requests = 64;              // requests in flight per client (GEOBATCH_MAX_REQUESTS)
  long connect_timeout_ms = 10'000;      // GEOBATCH_CONNECT_TIMEOUT_MS
  long stall_timeout_s = 30;             // abort an attempt that moves no byte this long (GEOBATCH_STALL_TIMEOUT_S)
  bool verify_tls = true;                // GEOBATCH_VERIFY_TLS=0 turns it off
  std::string ca_bundle;                 // GEOBATCH_CA_BUNDLE, AWS_CA_BUNDLE, CURL_CA_BUNDLE

  // Retries: attempts after the first, the first backoff, its cap, and the
  // longest time one read may spend retrying.
  int max_retries = 10;                  // GEOBATCH_MAX_RETRIES
  double retry_base_delay_s = 0.05;      // GEOBATCH_RETRY_BASE_DELAY_S
  double retry_max_delay_s = 5.0;        // GEOBATCH_RETRY_MAX_DELAY_S
  double retry_budget_s = 120.0;         // GEOBATCH_RETRY_BUDGET_S

  // Caching: an in-memory cache shared by every store with the same budget
  // (0 turns it off) and an optional on-disk cache directory with its own
  // budget (least recently used entries are deleted beyond it).
  uint64_t cache_bytes = uint64_t{512} << 20;     // GEOBATCH_CACHE_BYTES
  std::string cache_dir;                          // GEOBATCH_CACHE_DIR
  uint64_t cache_dir_bytes = uint64_t{64} << 30;  // GEOBATCH_CACHE_DIR_BYTES

  // S3 (and gs://, which speaks the same XML API).
  std::optional<bool> anonymous;  // AWS_NO_SIGN_REQUEST, GEOBATCH_ANONYMOUS; unset: sign when credentials exist
  std::string endpoint;           // GEOBATCH_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
  std::string region;             // AWS_REGION, AWS_DEFAULT_REGION, the profile's region
  std::string profile;            // AWS_PROFILE, AWS_DEFAULT_PROFILE
  std::string addressing_style;   // "path", "virtual" or "" (virtual on AWS, path on custom endpoints); GEOBATCH_S3_ADDRESSING_STYLE
  std::string gcs_endpoint;       // GEOBATCH_GCS_ENDPOINT, STORAGE_EMULATOR_HOST; default https://storage.googleapis.com

  // The defaults overridden by the environment.
  static RemoteOptions FromEnvironment();

  // Sets one option by its `storage_options` name (the field names above:
  // "max_requests", "cache_dir", "anonymous", "endpoint", ...). Throws
  // InvalidArgumentError for an unknown name or a malformed value.
  void Set(std::string_view name, std::string_view value);
};

}  // namespace geobatch
