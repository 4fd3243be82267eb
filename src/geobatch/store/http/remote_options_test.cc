#include "geobatch/store/http/remote_options.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

TEST(RemoteOptions, SetsByName) {
  RemoteOptions options;
  options.Set("max_requests", "16");
  options.Set("cache_bytes", "0");
  options.Set("anonymous", "TRUE");
  options.Set("verify_tls", "no");
  options.Set("retry_budget_s", "2.5");
  options.Set("addressing_style", "virtual");
  options.Set("cache_dir_bytes", "1048576");
  EXPECT_EQ(options.cache_dir_bytes, 1048576u);
  EXPECT_EQ(options.max_requests, 16u);
  EXPECT_EQ(options.cache_bytes, 0u);
  EXPECT_EQ(options.anonymous, true);
  EXPECT_FALSE(options.verify_tls);
  EXPECT_EQ(options.retry_budget_s, 2.5);
  EXPECT_EQ(options.addressing_style, "virtual");
}

TEST(RemoteOptions, RefusesUnknownNamesAndBadValues) {
  RemoteOptions options;
  EXPECT_THROW(options.Set("max_request", "1"), Error);
  EXPECT_THROW(options.Set("max_requests", "0"), Error);
  EXPECT_THROW(options.Set("max_requests", "12x"), Error);
  EXPECT_THROW(options.Set("anonymous", "maybe"), Error);
  EXPECT_THROW(options.Set("retry_budget_s", "-1"), Error);
  EXPECT_THROW(options.Set("addressing_style", "dns"), Error);
  EXPECT_THROW(options.Set("cache_dir_bytes", "0"), Error);
}

TEST(RemoteOptions, ReadsTheEnvironment) {
  ::setenv("GEOBATCH_MAX_REQUESTS", "7", 1);
  ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
  ::setenv("GEOBATCH_S3_ENDPOINT", "http://127.0.0.1:2", 1);
  ::setenv("AWS_NO_SIGN_REQUEST", "yes", 1);
  ::setenv("STORAGE_EMULATOR_HOST", "127.0.0.1:3", 1);
  const RemoteOptions options = RemoteOptions::FromEnvironment();
  for (const char* name : {"GEOBATCH_MAX_REQUESTS", "AWS_ENDPOINT_URL", "GEOBATCH_S3_ENDPOINT", "AWS_NO_SIGN_REQUEST",
                           "STORAGE_EMULATOR_HOST"}) {
    ::unsetenv(name);
  }
  EXPECT_EQ(options.max_requests, 7u);
  EXPECT_EQ(options.endpoint, "http://127.0.0.1:2");  // geobatch's own variable wins
  EXPECT_EQ(options.anonymous, true);
  EXPECT_EQ(options.gcs_endpoint, "http://127.0.0.1:3");
}

}  // namespace
}  // namespace geobatch
