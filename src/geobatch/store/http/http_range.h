// Byte-range requests over HTTP (RFC 7233, now RFC 9110 section 14): the
// Range header for a ByteRange, the Content-Range of a 206 or 416 response,
// and the requested bytes taken out of whatever the server answered (a 206
// with exactly that range, or a 200 with the whole value when the server
// ignores Range, as the RFC allows).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "geobatch/store/http/http_message.h"
#include "geobatch/store/store.h"

namespace geobatch {

// True for ranges that select no byte (offset/length 0, suffix 0): HTTP has
// no way to ask for them, so stores answer them from the value's size.
bool IsEmptyRange(ByteRange range);

// "bytes=FIRST-LAST" or "bytes=-N"; nullopt for ByteRange::All(). The range
// must not be empty.
std::optional<std::string> RangeHeaderValue(ByteRange range);

struct ContentRange {
  uint64_t first = 0;  // for an unsatisfied range ("bytes */N"): 0 and 0
  uint64_t last = 0;
  std::optional<uint64_t> complete_length;  // nullopt for "/*"
  bool satisfied = true;
};

// Parses "bytes FIRST-LAST/LENGTH", "bytes FIRST-LAST/*" and "bytes */LENGTH".
std::optional<ContentRange> ParseContentRange(std::string_view value);

// Checks that a 2xx body is complete: a 206's body must be as long as its
// Content-Range says. Returns the problem, or nullopt when complete.
std::optional<std::string> CheckBodyLength(const HttpResponse& response);

// The bytes `range` asked for, out of a 200, 206 or 416 response for `what`
// (a key or URL, for messages). A range past the end of the value is a
// CorruptError, as Store::Get requires; a 206 for other bytes than asked is
// a CorruptError too.
Buffer TakeRequestedBytes(ByteRange range, HttpResponse& response, std::string_view what);

}  // namespace geobatch
