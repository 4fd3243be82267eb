// Where S3 credentials, region and endpoint come from, in the order the AWS
// CLI and SDKs use
// (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html):
// explicit options, then the environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the profile (AWS_PROFILE
// or "default") in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
// ~/.aws/credentials) and the shared config file (AWS_CONFIG_FILE,
// ~/.aws/config). Without credentials, requests go unsigned (anonymous
// access to public buckets). Instance metadata, SSO and web identity are
// not consulted.
#pragma once

#include <optional>
#include <string>

#include "geobatch/store/http/remote_options.h"
#include "geobatch/store/s3/sigv4.h"

namespace geobatch {

struct AwsSettings {
  std::optional<AwsCredentials> credentials;  // nullopt: send unsigned requests
  std::string credential_source;              // for messages: "the environment", "profile 'x'", ...
  std::string region;                         // never empty (us-east-1 by default)
  std::string endpoint;                       // "" for AWS itself
};

// Throws InvalidArgumentError for a profile named explicitly that exists in
// neither file, or one with half a key pair.
AwsSettings ResolveAwsSettings(const RemoteOptions& options);

}  // namespace geobatch
