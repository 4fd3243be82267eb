// One HTTP exchange on a libcurl easy handle
// (https://curl.se/libcurl/c/libcurl-easy.html): sets the handle up from an
// HttpRequest and the transport options, collects the status line, headers
// and body as they arrive, and turns curl's result code into an HttpResult
// whose errors carry geobatch's categories (transient failures are retried
// by the caller; TLS verification failures are not).
#pragma once

#include <curl/curl.h>

#include <functional>
#include <vector>

#include "geobatch/store/http/http_message.h"
#include "geobatch/store/http/remote_options.h"

namespace geobatch {

class CurlTransfer {
 public:
  using Callback = std::function<void(HttpResult)>;

  // Configures `easy` (a fresh or reset handle) to send `request`.
  CurlTransfer(CURL* easy, HttpRequest request, Callback done, const RemoteOptions& options);
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  // The outcome, once curl reports `code` for the handle.
  HttpResult Finish(CURLcode code);
  Callback TakeCallback() { return std::move(done_); }

 private:
  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  size_t AppendBody(const char* data, size_t size);
  Error TransportError(CURLcode code) const;

  CURL* easy_;
  HttpRequest request_;
  Callback done_;
  curl_slist* header_list_ = nullptr;
  char error_text_[CURL_ERROR_SIZE] = {};
  HttpResponse response_;
  std::optional<uint64_t> content_length_;
  uint64_t received_ = 0;
  std::vector<std::byte> unsized_body_;  // bodies without Content-Length (chunked)
};

}  // namespace geobatch
