// AWS Signature Version 4 for requests sent in the Authorization header:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// and, for S3, https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
// The steps are exposed one by one (canonical request, string to sign,
// signature) so that tests can check each against AWS's published examples.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace geobatch {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" unless temporary credentials
};

struct SigV4Request {
  std::string method;
  std::string path;   // the URL's path exactly as sent (already percent-encoded), "/" at least
  std::string query;  // the URL's query exactly as sent, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // every header to sign, "host" included
  std::string payload_hash;  // lower-case hex SHA-256 of the body
};

// The hex SHA-256 of an empty body.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// "20130524T000000Z" for `time`, in UTC.
std::string AmzDate(std::chrono::system_clock::time_point time);

// The query's name=value pairs sorted by name, then value.
std::string CanonicalQuery(std::string_view query);

// "host;range;x-amz-date": the lower-case names of the signed headers, sorted.
std::string SignedHeaders(const SigV4Request& request);

std::string CanonicalRequest(const SigV4Request& request);

// "20130524/us-east-1/s3/aws4_request".
std::string CredentialScope(std::string_view amz_date, std::string_view region, std::string_view service);

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

// The lower-case hex signature: HMAC-SHA256 with the key derived from the
// secret, the date, the region and the service.
std::string Signature(std::string_view secret_access_key, std::string_view amz_date, std::string_view region,
                      std::string_view service, std::string_view string_to_sign);

// The value of the Authorization header for `request`, signed at `amz_date`
// (which must also be the request's x-amz-date header).
std::string AuthorizationHeader(const SigV4Request& request, const AwsCredentials& credentials,
                                std::string_view amz_date, std::string_view region, std::string_view service);

}  // namespace geobatch
