#include "geobatch/store/http/http_range.h"

#include <charconv>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

std::optional<uint64_t> ParseNumber(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Buffer Slice(Buffer whole, uint64_t offset, uint64_t length) {
  if (offset == 0 && length == whole.size()) return whole;
  return Buffer::CopyOf(whole.span().subspan(offset, length));
}

}  // namespace

bool IsEmptyRange(ByteRange range) {
  return range.kind != ByteRange::Kind::kAll && range.length == 0;
}

std::optional<std::string> RangeHeaderValue(ByteRange range) {
  switch (range.kind) {
    case ByteRange::Kind::kAll: return std::nullopt;
    case ByteRange::Kind::kSuffix: return "bytes=-" + std::to_string(range.length);
    case ByteRange::Kind::kOffsetLength:
      return "bytes=" + std::to_string(range.offset) + "-" + std::to_string(range.offset + range.length - 1);
  }
  return std::nullopt;
}

std::optional<ContentRange> ParseContentRange(std::string_view value) {
  if (!value.starts_with("bytes ")) return std::nullopt;
  value.remove_prefix(6);
  const size_t slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  ContentRange out;
  const std::string_view length = value.substr(slash + 1);
  if (length != "*") {
    out.complete_length = ParseNumber(length);
    if (!out.complete_length) return std::nullopt;
  }
  const std::string_view span = value.substr(0, slash);
  if (span == "*") {
    if (!out.complete_length) return std::nullopt;
    out.satisfied = false;
    return out;
  }
  const size_t dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto first = ParseNumber(span.substr(0, dash));
  const auto last = ParseNumber(span.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  if (out.complete_length && *last >= *out.complete_length) return std::nullopt;
  out.first = *first;
  out.last = *last;
  return out;
}

std::optional<std::string> CheckBodyLength(const HttpResponse& response) {
  if (response.status != 206) return std::nullopt;
  const auto range = ParseContentRange(response.Header("content-range"));
  if (!range || !range->satisfied) return "206 response with a missing or malformed Content-Range";
  const uint64_t want = range->last - range->first + 1;
  if (response.body.size() != want) {
    return "truncated body: " + std::to_string(response.body.size()) + " of " + std::to_string(want) +
           " bytes";
  }
  return std::nullopt;
}

Buffer TakeRequestedBytes(ByteRange range, HttpResponse& response, std::string_view what) {
  if (response.status == 200) {
    const auto [offset, length] = ResolveRange(range, response.body.size(), what);
    return Slice(std::move(response.body), offset, length);
  }
  const auto content_range = ParseContentRange(response.Header("content-range"));
  if (response.status == 416) {
    if (content_range && content_range->complete_length) {
      ResolveRange(range, *content_range->complete_length, what);  // throws
    }
    throw CorruptError("'" + std::string(what) + "': cannot read " + range.ToString() +
                       " (416 Range Not Satisfiable)");
  }
  if (response.status != 206 || !content_range || !content_range->satisfied) {
    throw InternalError("'" + std::string(what) + "': unexpected " + response.StatusText() +
                        " for a range request");
  }
  // A server shortens a range that runs past the end; with the length known,
  // that is the caller's "past the end" error.
  if (content_range->complete_length) {
    const auto [offset, length] = ResolveRange(range, *content_range->complete_length, what);
    if (content_range->first == offset && content_range->last + 1 == offset + length) {
      return std::move(response.body);
    }
  } else if (range.kind == ByteRange::Kind::kOffsetLength && content_range->first == range.offset &&
             content_range->last + 1 == range.offset + range.length) {
    return std::move(response.body);
  }
  throw CorruptError("'" + std::string(what) + "': asked for " + range.ToString() + ", the server sent " +
                     response.Header("content-range"));
}

}  // namespace geobatch
