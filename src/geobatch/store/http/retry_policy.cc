#include "geobatch/store/http/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace geobatch {

RetryPolicy RetryPolicy::From(const RemoteOptions& options) {
  return {options.max_retries, options.retry_base_delay_s, options.retry_max_delay_s, options.retry_budget_s};
}

std::optional<std::chrono::nanoseconds> RetryPolicy::Delay(int retry, std::chrono::steady_clock::duration elapsed,
                                                           std::optional<double> retry_after_s,
                                                           std::mt19937_64& random) const {
  if (retry > max_retries) return std::nullopt;
  const double cap = std::min(max_delay_s, base_delay_s * std::ldexp(1.0, std::min(retry - 1, 30)));
  double delay = cap / 2 + std::uniform_real_distribution<double>(0, cap / 2)(random);
  if (retry_after_s) delay = std::max(delay, std::min(*retry_after_s, max_delay_s));
  const double spent = std::chrono::duration<double>(elapsed).count();
  if (spent + delay > budget_s) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(delay));
}

bool IsRetryableStatus(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

std::optional<std::string> RetryReason(const HttpResult& result) {
  if (result.error) {
    if (result.error->kind() == ErrorKind::kTransient) return result.error->what();
    return std::nullopt;
  }
  if (IsRetryableStatus(result.response.status)) return result.response.StatusText();
  return std::nullopt;
}

std::optional<double> RetryAfterSeconds(const HttpResponse& response) {
  const std::string value = response.Header("retry-after");
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(value.c_str(), &end);
  if (end != value.c_str() + value.size() || !(seconds >= 0)) return std::nullopt;
  return seconds;
}

}  // namespace geobatch
