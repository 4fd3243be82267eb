// When and how long to wait before sending a failed request again:
// exponential backoff with jitter ("equal jitter": half the capped
// exponential delay plus a random share of the other half), a Retry-After
// header honoured up to the cap, and a bound on both the number of retries
// and the total time spent. Which outcomes are worth retrying: transport
// failures that may pass (timeouts, resets, truncated bodies) and the
// statuses RFC 9110 marks as temporary (408, 429, 5xx but 501 and 505).
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include "geobatch/store/http/http_message.h"
#include "geobatch/store/http/remote_options.h"

namespace geobatch {

struct RetryPolicy {
  int max_retries = 10;
  double base_delay_s = 0.05;
  double max_delay_s = 5.0;
  double budget_s = 120.0;

  static RetryPolicy From(const RemoteOptions& options);

  // The wait before retry number `retry` (1 for the first), or nullopt when
  // the retries or the time budget (`elapsed` since the first attempt) are
  // spent. `retry_after_s` is the server's own hint, if it gave one.
  std::optional<std::chrono::nanoseconds> Delay(int retry, std::chrono::steady_clock::duration elapsed,
                                                std::optional<double> retry_after_s,
                                                std::mt19937_64& random) const;
};

bool IsRetryableStatus(long status);

// Why `result` deserves another attempt, or nullopt when it is final.
std::optional<std::string> RetryReason(const HttpResult& result);

// The seconds of a Retry-After header given as a number (dates are ignored).
std::optional<double> RetryAfterSeconds(const HttpResponse& response);

}  // namespace geobatch
