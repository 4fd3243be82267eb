// The HTTP/1.1 messages the remote stores exchange (RFC 9110): a request
// (method, URL, header lines) and what came back for it (status, the headers
// geobatch looks at, the body), or the transport error that stopped it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geobatch/util/buffer.h"
#include "geobatch/util/error.h"

namespace geobatch {

struct HttpRequest {
  std::string method = "GET";        // GET or HEAD
  std::string url;                   // absolute http:// or https:// URL, already percent-encoded
  std::vector<std::string> headers;  // "Name: value"
};

struct HttpResponse {
  long status = 0;
  std::string reason;                          // the status line's reason phrase (none in HTTP/2)
  std::map<std::string, std::string> headers;  // lower-case names; the last value of a repeated header
  Buffer body;

  // The header's value, or "" when it is absent.
  std::string Header(std::string_view lower_case_name) const {
    auto it = headers.find(std::string(lower_case_name));
    return it == headers.end() ? std::string() : it->second;
  }
  // "404 Not Found", or "404" when the reason phrase is missing.
  std::string StatusText() const { return std::to_string(status) + (reason.empty() ? "" : " " + reason); }
};

// One exchange: a complete response, or the error that prevented one (a
// transport failure, a truncated body, or a retry budget spent).
struct HttpResult {
  HttpResponse response;
  std::optional<Error> error;
};

}  // namespace geobatch
