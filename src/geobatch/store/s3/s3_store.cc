#include "geobatch/store/s3/s3_store.h"

#include <algorithm>
#include <set>

#include "geobatch/store/http/url.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

constexpr std::string_view kGcsEndpoint = "https://storage.googleapis.com";

// The Host header curl sends: the authority without the scheme's default port.
std::string HostHeader(const UrlParts& parts) {
  const std::string_view default_port = parts.scheme == "https" ? ":443" : ":80";
  std::string host = parts.authority;
  if (host.ends_with(default_port)) host.resize(host.size() - default_port.size());
  return host;
}

std::string BodyText(const HttpResponse& response) {
  return {reinterpret_cast<const char*>(response.body.data()), response.body.size()};
}

}  // namespace

S3Store::Location ParseS3Location(std::string_view url, std::string_view endpoint, std::string_view region,
                                  std::string_view addressing_style) {
  S3Store::Location location;
  const size_t colon = url.find("://");
  location.scheme = std::string(url.substr(0, colon));
  std::string_view rest = url.substr(colon == std::string_view::npos ? 0 : colon + 3);
  const size_t slash = std::min(rest.find('/'), rest.size());
  location.bucket = std::string(rest.substr(0, slash));
  if (location.bucket.empty() || location.bucket.find_first_of("?#@:") != std::string::npos) {
    throw InvalidArgumentError(std::string("'").append(RedactUrl(url)).append("' names no valid bucket"));
  }
  std::string prefix(rest.substr(std::min(slash + 1, rest.size())));
  while (prefix.ends_with('/')) prefix.pop_back();
  if (!prefix.empty()) {
    ValidateKey(prefix);
    location.prefix = prefix + "/";
  }
  if (endpoint.empty()) {
    // Buckets with dots do not match the wildcard certificate: path style.
    location.path_style = addressing_style == "path" || location.bucket.find('.') != std::string::npos;
    const std::string host = std::string("s3.").append(region).append(".amazonaws.com");
    location.bucket_url = location.path_style ? "https://" + host + "/" + location.bucket
                                              : "https://" + location.bucket + "." + host;
    return location;
  }
  std::string base(endpoint);
  while (base.ends_with('/')) base.pop_back();
  const UrlParts parts = SplitUrl(base);
  location.path_style = addressing_style != "virtual";
  location.bucket_url = location.path_style
                            ? base + "/" + location.bucket
                            : parts.scheme + "://" + location.bucket + "." + parts.authority + parts.path;
  return location;
}

std::shared_ptr<S3Store> S3Store::OpenS3(std::string_view url, const RemoteOptions& options) {
  AwsSettings settings = ResolveAwsSettings(options);
  Location location = ParseS3Location(url, settings.endpoint, settings.region, options.addressing_style);
  return std::make_shared<S3Store>(std::move(location), std::move(settings), options);
}

std::shared_ptr<S3Store> S3Store::OpenGcs(std::string_view url, const RemoteOptions& options) {
  AwsSettings settings;  // no credentials: public buckets, unsigned requests
  settings.region = "auto";
  settings.credential_source = "gs:// requests are unsigned (public buckets only)";
  const std::string endpoint = options.gcs_endpoint.empty() ? std::string(kGcsEndpoint) : options.gcs_endpoint;
  Location location = ParseS3Location(url, endpoint, settings.region, "path");
  return std::make_shared<S3Store>(std::move(location), std::move(settings), options);
}

S3Store::S3Store(Location location, AwsSettings settings, const RemoteOptions& options)
    : RemoteStore(location.scheme + "://" + location.bucket +
                      (location.prefix.empty() ? "" : "/" + location.prefix.substr(0, location.prefix.size() - 1)),
                  options),
      location_(std::move(location)),
      settings_(std::move(settings)) {}

std::string S3Store::ObjectUrl(std::string_view key) const {
  return location_.bucket_url + "/" + UriEncode(location_.prefix + std::string(key), true);
}

HttpRequest S3Store::Prepare(std::string method, std::string url, std::vector<std::string> headers) const {
  HttpRequest request{std::move(method), std::move(url), std::move(headers)};
  if (!settings_.credentials) return request;
  const AwsCredentials& credentials = *settings_.credentials;
  const std::string amz_date = AmzDate(std::chrono::system_clock::now());
  request.headers.push_back("x-amz-content-sha256: " + std::string(kEmptyPayloadHash));
  request.headers.push_back("x-amz-date: " + amz_date);
  if (!credentials.session_token.empty()) {
    request.headers.push_back("x-amz-security-token: " + credentials.session_token);
  }
  const UrlParts parts = SplitUrl(request.url);
  const size_t question = request.url.find('?');
  SigV4Request signing{request.method, parts.path.empty() ? "/" : parts.path,
                       question == std::string::npos ? "" : request.url.substr(question + 1),
                       {{"host", HostHeader(parts)}}, std::string(kEmptyPayloadHash)};
  for (const std::string& header : request.headers) {
    const size_t colon = header.find(':');
    signing.headers.emplace_back(header.substr(0, colon), header.substr(colon + 1));
  }
  request.headers.push_back("Authorization: " +
                            AuthorizationHeader(signing, credentials, amz_date, settings_.region, "s3"));
  return request;
}

bool S3Store::IsAbsentKey(const HttpResponse& response) const {
  const auto error = ParseS3Error(BodyText(response));
  return !error || error->code != "NoSuchBucket";
}

Error S3Store::StatusError(const HttpRequest& request, const HttpResponse& response) const {
  std::string message = request.method + " " + RedactUrl(request.url) + ": " + response.StatusText();
  const auto error = ParseS3Error(BodyText(response));
  if (error) message += " (" + error->code + (error->message.empty() ? "" : ": " + error->message) + ")";
  const std::string region = response.Header("x-amz-bucket-region");
  if (!region.empty() && region != settings_.region) {
    message += "; bucket '" + location_.bucket + "' is in region " + region + ", set AWS_REGION=" + region;
  }
  switch (response.status) {
    case 401:
    case 403: return PermissionError(message + "; " + settings_.credential_source);
    case 404:
      if (error && error->code == "NoSuchBucket") {
        return NotFoundError("bucket '" + location_.bucket + "' does not exist: " + message);
      }
      return NotFoundError(message);
    default: return RemoteStore::StatusError(request, response);
  }
}

ListObjectsPage S3Store::ListObjects(std::string_view prefix, std::string_view delimiter) {
  ListObjectsPage all;
  std::string token;
  const std::string full_prefix = location_.prefix + std::string(prefix);
  do {
    // Parameters in canonical (sorted) order.
    std::string query;
    if (!token.empty()) query += "continuation-token=" + UriEncode(token, false) + "&";
    if (!delimiter.empty()) query += "delimiter=" + UriEncode(delimiter, false) + "&";
    query += "list-type=2&prefix=" + UriEncode(full_prefix, false);
    HttpRequest request =
        Prepare("GET", location_.bucket_url + (location_.path_style ? "?" : "/?") + query, {});
    HttpResponse response = Fetch(request);
    if (response.status != 200) throw StatusError(request, response);
    ListObjectsPage page = ParseListObjectsV2(BodyText(response));
    for (std::string& key : page.keys) all.keys.push_back(std::move(key));
    for (std::string& common : page.common_prefixes) all.common_prefixes.push_back(std::move(common));
    token = std::move(page.next_continuation_token);
  } while (!token.empty());
  // Relative to the store's root.
  for (auto* list : {&all.keys, &all.common_prefixes}) {
    std::erase_if(*list, [&](const std::string& key) { return !key.starts_with(location_.prefix); });
    for (std::string& key : *list) key.erase(0, location_.prefix.size());
  }
  return all;
}

std::vector<std::string> S3Store::List(std::string_view prefix) {
  std::vector<std::string> keys = ListObjects(prefix, "").keys;
  std::erase_if(keys, [](const std::string& key) { return key.empty() || key.ends_with('/'); });
  return keys;
}

std::vector<std::string> S3Store::ListDir(std::string_view prefix) {
  ListObjectsPage page = ListObjects(prefix, "/");
  std::set<std::string> names;
  for (const std::string& key : page.keys) {
    if (key.size() > prefix.size()) names.insert(key.substr(prefix.size()));
  }
  for (const std::string& common : page.common_prefixes) {
    std::string name = common.substr(prefix.size());
    while (name.ends_with('/')) name.pop_back();
    if (!name.empty()) names.insert(std::move(name));
  }
  return {names.begin(), names.end()};
}

}  // namespace geobatch
