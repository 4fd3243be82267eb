#include "geobatch/store/http/curl_transfer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "geobatch/store/http/http_range.h"
#include "geobatch/store/http/url.h"

namespace geobatch {
namespace {

// Large reads per callback: fewer calls at hundreds of MB/s.
constexpr long kReceiveBufferBytes = 512 << 10;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

CurlTransfer::CurlTransfer(CURL* easy, HttpRequest request, Callback done, const RemoteOptions& options)
    : easy_(easy), request_(std::move(request)), done_(std::move(done)) {
  for (const std::string& header : request_.headers) {
    header_list_ = curl_slist_append(header_list_, header.c_str());
  }
  curl_easy_setopt(easy_, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, header_list_);
  if (request_.method == "HEAD") curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlTransfer::OnHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlTransfer::OnBody);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_text_);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, "geobatch/0.1");
  // Only HTTP(S), also after redirects: a redirect must not reach file://.
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  // A transfer that moves no byte for stall_timeout_s is aborted (and retried).
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_s);
  curl_easy_setopt(easy_, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_bundle.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, options.ca_bundle.c_str());
}

CurlTransfer::~CurlTransfer() { curl_slist_free_all(header_list_); }

size_t CurlTransfer::OnHeader(char* data, size_t size, size_t count, void* self_ptr) {
  auto* self = static_cast<CurlTransfer*>(self_ptr);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or an interim 1xx) starts over.
    self->response_.headers.clear();
    self->response_.body = Buffer();
    self->content_length_.reset();
    self->received_ = 0;
    self->unsized_body_.clear();
    const size_t space = line.find(' ');
    const std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    std::from_chars(rest.data(), rest.data() + rest.size(), self->response_.status);
    const size_t reason = rest.find(' ');
    self->response_.reason = reason == std::string_view::npos ? "" : std::string(Trim(rest.substr(reason + 1)));
    return line.size();
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string_view value = Trim(line.substr(colon + 1));
  if (name == "content-length") {
    uint64_t length = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), length).ec == std::errc()) {
      self->content_length_ = length;
    }
  }
  self->response_.headers[name] = std::string(value);
  return line.size();
}

size_t CurlTransfer::OnBody(char* data, size_t size, size_t count, void* self) {
  return static_cast<CurlTransfer*>(self)->AppendBody(data, size * count);
}

size_t CurlTransfer::AppendBody(const char* data, size_t size) {
  // Bodies of redirects and error pages are small; only the final body is kept.
  if (content_length_) {
    if (received_ == 0 && response_.body.size() != *content_length_) response_.body = Buffer(*content_length_);
    if (received_ + size > response_.body.size()) return 0;  // more than announced: abort
    std::memcpy(response_.body.data() + received_, data, size);
  } else {
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    unsized_body_.insert(unsized_body_.end(), bytes, bytes + size);
  }
  received_ += size;
  return size;
}

Error CurlTransfer::TransportError(CURLcode code) const {
  const std::string message = request_.method + " " + RedactUrl(request_.url) + ": " +
                              (error_text_[0] ? error_text_ : curl_easy_strerror(code));
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WRITE_ERROR:  // the body ran past its Content-Length
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
      return TransientError(message);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return PermissionError(message + " (TLS verification is on; set GEOBATCH_CA_BUNDLE to trust a private CA)");
    default:
      return InvalidArgumentError(message);
  }
}

HttpResult CurlTransfer::Finish(CURLcode code) {
  HttpResult result;
  if (code != CURLE_OK) {
    result.error = TransportError(code);
    return result;
  }
  if (!content_length_) {
    response_.body = Buffer::CopyOf(unsized_body_);
  } else if (request_.method != "HEAD" && received_ != *content_length_) {
    // curl reports short bodies itself; this catches any it lets through.
    result.error = TransientError(request_.method + " " + RedactUrl(request_.url) + ": truncated body: " +
                                  std::to_string(received_) + " of " + std::to_string(*content_length_) +
                                  " bytes");
    return result;
  }
  if (auto problem = CheckBodyLength(response_)) {
    result.error = TransientError(request_.method + " " + RedactUrl(request_.url) + ": " + *problem);
    return result;
  }
  result.response = std::move(response_);
  return result;
}

}  // namespace geobatch
