#include "geobatch/store/s3/sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "geobatch/store/http/digest.h"

namespace geobatch {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Header values are trimmed and runs of spaces collapse to one.
std::string CanonicalValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    const bool space = c == ' ' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::pair<std::string, std::string>> SortedHeaders(const SigV4Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) headers.emplace_back(Lower(name), CanonicalValue(value));
  std::sort(headers.begin(), headers.end());
  return headers;
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc;
  gmtime_r(&seconds, &utc);
  char text[17];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!query.empty()) {
    const size_t amp = std::min(query.find('&'), query.size());
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      pairs.emplace_back(std::string(pair.substr(0, eq)),
                         eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    }
    query.remove_prefix(std::min(amp + 1, query.size()));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string SignedHeaders(const SigV4Request& request) {
  std::string out;
  for (const auto& [name, value] : SortedHeaders(request)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string CanonicalRequest(const SigV4Request& request) {
  std::string out = request.method + "\n" + (request.path.empty() ? "/" : request.path) + "\n" +
                    CanonicalQuery(request.query) + "\n";
  for (const auto& [name, value] : SortedHeaders(request)) out += name + ":" + value + "\n";
  return out + "\n" + SignedHeaders(request) + "\n" + request.payload_hash;
}

std::string CredentialScope(std::string_view amz_date, std::string_view region, std::string_view service) {
  return std::string(amz_date.substr(0, 8)) + "/" + std::string(region) + "/" + std::string(service) +
         "/aws4_request";
}

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         Hex(Sha256(canonical_request));
}

std::string Signature(std::string_view secret_access_key, std::string_view amz_date, std::string_view region,
                      std::string_view service, std::string_view string_to_sign) {
  const Sha256Digest date_key = HmacSha256("AWS4" + std::string(secret_access_key), amz_date.substr(0, 8));
  const Sha256Digest region_key = HmacSha256(AsText(date_key), region);
  const Sha256Digest service_key = HmacSha256(AsText(region_key), service);
  const Sha256Digest signing_key = HmacSha256(AsText(service_key), "aws4_request");
  return Hex(HmacSha256(AsText(signing_key), string_to_sign));
}

std::string AuthorizationHeader(const SigV4Request& request, const AwsCredentials& credentials,
                                std::string_view amz_date, std::string_view region, std::string_view service) {
  const std::string scope = CredentialScope(amz_date, region, service);
  const std::string to_sign = StringToSign(amz_date, scope, CanonicalRequest(request));
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
         ",SignedHeaders=" + SignedHeaders(request) +
         ",Signature=" + Signature(credentials.secret_access_key, amz_date, region, service, to_sign);
}

}  // namespace geobatch
