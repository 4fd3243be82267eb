#include <gtest/gtest.h>

#include "geobatch/store/s3/s3_store.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

TEST(S3Location, AwsIsVirtualHosted) {
  const auto location = ParseS3Location("s3://era5/reanalysis/t2m.zarr/", "", "eu-west-1", "");
  EXPECT_EQ(location.bucket, "era5");
  EXPECT_EQ(location.prefix, "reanalysis/t2m.zarr/");
  EXPECT_EQ(location.bucket_url, "https://era5.s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(location.path_style);
}

TEST(S3Location, DottedBucketsAndPathStyleOnAws) {
  EXPECT_EQ(ParseS3Location("s3://my.bucket", "", "us-east-1", "").bucket_url,
            "https://s3.us-east-1.amazonaws.com/my.bucket");
  EXPECT_EQ(ParseS3Location("s3://b/x", "", "us-east-1", "path").bucket_url,
            "https://s3.us-east-1.amazonaws.com/b");
}

TEST(S3Location, CustomEndpoints) {
  auto location = ParseS3Location("s3://b", "http://127.0.0.1:9000/", "us-east-1", "");
  EXPECT_EQ(location.bucket_url, "http://127.0.0.1:9000/b");
  EXPECT_TRUE(location.path_style);
  EXPECT_EQ(location.prefix, "");
  location = ParseS3Location("s3://b/p", "http://localhost:9000", "us-east-1", "virtual");
  EXPECT_EQ(location.bucket_url, "http://b.localhost:9000");
  EXPECT_FALSE(location.path_style);
}

TEST(S3Location, RefusesBadUrls) {
  EXPECT_THROW(ParseS3Location("s3://", "", "us-east-1", ""), Error);
  EXPECT_THROW(ParseS3Location("s3:///key", "", "us-east-1", ""), Error);
  EXPECT_THROW(ParseS3Location("s3://b/../x", "", "us-east-1", ""), Error);
}

TEST(S3Location, OpensGcsUnsignedOnItsEndpoint) {
  RemoteOptions options;
  auto store = S3Store::OpenGcs("gs://public-bucket/cube.zarr", options);
  EXPECT_EQ(store->url(), "gs://public-bucket/cube.zarr");
  EXPECT_EQ(store->location().bucket_url, "https://storage.googleapis.com/public-bucket");
}

}  // namespace
}  // namespace geobatch
