// URL pieces the remote stores need: percent-encoding of keys (RFC 3986
// section 2, with the unreserved set that AWS SigV4 also uses), decoding,
// splitting an absolute URL, and the form of a URL that may appear in
// messages (no user information, no query string: either may hold secrets).
#pragma once

#include <string>
#include <string_view>

namespace geobatch {

// Percent-encodes every byte outside A-Z a-z 0-9 - . _ ~ (and '/' when
// `keep_slash`), with upper-case hex digits.
std::string UriEncode(std::string_view text, bool keep_slash);

// Decodes %XX escapes; a malformed escape is kept as it is.
std::string PercentDecode(std::string_view text);

struct UrlParts {
  std::string scheme;     // "http"
  std::string authority;  // "host:port", without user information
  std::string path;       // "/a/b", or "" for none
};

// Splits "scheme://[user@]authority[/path]"; throws InvalidArgumentError
// when there is no scheme or no host.
UrlParts SplitUrl(std::string_view url);

// `url` without user information and without query or fragment.
std::string RedactUrl(std::string_view url);

}  // namespace geobatch
