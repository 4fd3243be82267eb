// A store over the S3 REST API: s3://BUCKET/PREFIX, objects read with
// (signed or anonymous) GET and Range requests, listings with ListObjectsV2
// and its continuation tokens. It also serves gs:// (public Google Cloud
// Storage buckets through their XML API at storage.googleapis.com, which
// answers the same requests, unsigned).
//
// Endpoints: AWS itself by default (virtual-hosted style,
// https://BUCKET.s3.REGION.amazonaws.com/KEY), or a custom endpoint
// (MinIO, moto, Ceph, ...) addressed path-style (ENDPOINT/BUCKET/KEY) unless
// virtual-hosted style is asked for.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "geobatch/store/http/remote_store.h"
#include "geobatch/store/s3/aws_config.h"
#include "geobatch/store/s3/s3_xml.h"

namespace geobatch {

class S3Store final : public RemoteStore {
 public:
  struct Location {
    std::string scheme;           // "s3" or "gs", for url()
    std::string bucket;
    std::string prefix;           // "" or ending in '/'
    std::string bucket_url;       // https://BUCKET.s3.REGION.amazonaws.com or ENDPOINT/BUCKET
    bool path_style = false;
  };

  // s3://BUCKET[/PREFIX], configured from `options` and the AWS settings.
  static std::shared_ptr<S3Store> OpenS3(std::string_view url, const RemoteOptions& options);
  // gs://BUCKET[/PREFIX]: unsigned requests to options.gcs_endpoint.
  static std::shared_ptr<S3Store> OpenGcs(std::string_view url, const RemoteOptions& options);

  S3Store(Location location, AwsSettings settings, const RemoteOptions& options);  // use Open*

  std::vector<std::string> List(std::string_view prefix) override;
  std::vector<std::string> ListDir(std::string_view prefix) override;

  const Location& location() const { return location_; }

 protected:
  std::string ObjectUrl(std::string_view key) const override;
  HttpRequest Prepare(std::string method, std::string url, std::vector<std::string> headers) const override;
  bool IsAbsentKey(const HttpResponse& response) const override;
  Error StatusError(const HttpRequest& request, const HttpResponse& response) const override;

 private:
  // Every page of a ListObjectsV2 request below `prefix` (relative to the
  // store), with `delimiter` "/" or "".
  ListObjectsPage ListObjects(std::string_view prefix, std::string_view delimiter);

  Location location_;
  AwsSettings settings_;
};

// Splits "s3://bucket/some/prefix" into bucket and prefix; the bucket URL
// for `endpoint` ("" for AWS in `region`) and `addressing_style`.
S3Store::Location ParseS3Location(std::string_view url, std::string_view endpoint, std::string_view region,
                                  std::string_view addressing_style);

}  // namespace geobatch
