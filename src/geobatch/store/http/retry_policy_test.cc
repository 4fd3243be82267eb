#include "geobatch/store/http/retry_policy.h"

#include <gtest/gtest.h>

namespace geobatch {
namespace {

using std::chrono::duration;
using std::chrono::seconds;

TEST(RetryPolicy, RetryableStatuses) {
  for (long status : {408, 429, 500, 502, 503, 504, 599}) EXPECT_TRUE(IsRetryableStatus(status)) << status;
  for (long status : {200, 206, 400, 401, 403, 404, 416, 501, 505}) EXPECT_FALSE(IsRetryableStatus(status)) << status;
}

TEST(RetryPolicy, ReasonsToRetry) {
  HttpResult transient;
  transient.error = TransientError("connection reset");
  EXPECT_EQ(RetryReason(transient), "connection reset");
  HttpResult tls;
  tls.error = PermissionError("certificate");
  EXPECT_FALSE(RetryReason(tls));
  HttpResult busy;
  busy.response.status = 503;
  busy.response.reason = "Service Unavailable";
  EXPECT_EQ(RetryReason(busy), "503 Service Unavailable");
  HttpResult missing;
  missing.response.status = 404;
  EXPECT_FALSE(RetryReason(missing));
}

TEST(RetryPolicy, BackoffGrowsWithJitterUpToTheCap) {
  const RetryPolicy policy{8, 0.1, 1.0, 1000};
  std::mt19937_64 random(7);
  for (int retry = 1; retry <= 8; ++retry) {
    const double cap = std::min(1.0, 0.1 * (1 << (retry - 1)));
    for (int i = 0; i < 50; ++i) {
      const double delay = duration<double>(*policy.Delay(retry, {}, std::nullopt, random)).count();
      EXPECT_GE(delay, cap / 2);
      EXPECT_LE(delay, cap);
    }
  }
  EXPECT_FALSE(policy.Delay(9, {}, std::nullopt, random));
}

TEST(RetryPolicy, StopsAtTheTimeBudget) {
  const RetryPolicy policy{100, 1.0, 1.0, 10};
  std::mt19937_64 random(1);
  EXPECT_TRUE(policy.Delay(1, seconds(5), std::nullopt, random));
  EXPECT_FALSE(policy.Delay(2, seconds(10), std::nullopt, random));
}

TEST(RetryPolicy, HonoursRetryAfterUpToTheCap) {
  const RetryPolicy policy{5, 0.01, 2.0, 100};
  std::mt19937_64 random(1);
  EXPECT_NEAR(duration<double>(*policy.Delay(1, {}, 1.5, random)).count(), 1.5, 1e-9);
  EXPECT_NEAR(duration<double>(*policy.Delay(1, {}, 60.0, random)).count(), 2.0, 1e-9);
  HttpResponse response;
  response.headers["retry-after"] = "3";
  EXPECT_EQ(RetryAfterSeconds(response), 3.0);
  response.headers["retry-after"] = "Wed, 21 Oct 2015 07:28:00 GMT";
  EXPECT_FALSE(RetryAfterSeconds(response));
}

}  // namespace
}  // namespace geobatch
