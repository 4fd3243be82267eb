#include "geobatch/store/http/http_range.h"

#include <gtest/gtest.h>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

HttpResponse Response(long status, std::string_view body, std::string content_range = "") {
  HttpResponse response;
  response.status = status;
  response.body = Buffer::CopyOf(std::as_bytes(std::span(body.data(), body.size())));
  if (!content_range.empty()) response.headers["content-range"] = content_range;
  return response;
}

std::string Text(const Buffer& buffer) { return {reinterpret_cast<const char*>(buffer.data()), buffer.size()}; }

TEST(HttpRange, RangeHeaders) {
  EXPECT_EQ(RangeHeaderValue(ByteRange::All()), std::nullopt);
  EXPECT_EQ(RangeHeaderValue(ByteRange::Of(0, 10)), "bytes=0-9");
  EXPECT_EQ(RangeHeaderValue(ByteRange::Suffix(16)), "bytes=-16");
  EXPECT_TRUE(IsEmptyRange(ByteRange::Of(5, 0)));
  EXPECT_TRUE(IsEmptyRange(ByteRange::Suffix(0)));
  EXPECT_FALSE(IsEmptyRange(ByteRange::All()));
}

TEST(HttpRange, ParsesContentRange) {
  auto range = ParseContentRange("bytes 0-9/100");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, 0u);
  EXPECT_EQ(range->last, 9u);
  EXPECT_EQ(range->complete_length, 100u);
  EXPECT_FALSE(ParseContentRange("bytes 5-9/*")->complete_length);
  range = ParseContentRange("bytes */42");
  ASSERT_TRUE(range);
  EXPECT_FALSE(range->satisfied);
  EXPECT_EQ(range->complete_length, 42u);
  for (const char* bad : {"", "bytes", "bytes 9-5/10", "bytes 0-10/10", "items 0-1/2", "bytes */*", "bytes a-b/c"}) {
    EXPECT_FALSE(ParseContentRange(bad)) << bad;
  }
}

TEST(HttpRange, DetectsTruncatedPartialBodies) {
  EXPECT_FALSE(CheckBodyLength(Response(206, "0123", "bytes 10-13/100")));
  EXPECT_TRUE(CheckBodyLength(Response(206, "012", "bytes 10-13/100")));
  EXPECT_TRUE(CheckBodyLength(Response(206, "0123")));
  EXPECT_FALSE(CheckBodyLength(Response(200, "anything")));
}

TEST(HttpRange, TakesTheRequestedBytes) {
  auto exact = Response(206, "2345", "bytes 2-5/10");
  EXPECT_EQ(Text(TakeRequestedBytes(ByteRange::Of(2, 4), exact, "k")), "2345");
  auto suffix = Response(206, "89", "bytes 8-9/10");
  EXPECT_EQ(Text(TakeRequestedBytes(ByteRange::Suffix(2), suffix, "k")), "89");
  // A server that ignores Range sends the whole value.
  auto whole = Response(200, "0123456789");
  EXPECT_EQ(Text(TakeRequestedBytes(ByteRange::Of(3, 2), whole, "k")), "34");
}

TEST(HttpRange, PastTheEndIsCorrupt) {
  auto expect_corrupt = [](ByteRange range, HttpResponse response) {
    try {
      TakeRequestedBytes(range, response, "the/key");
      ADD_FAILURE() << "no error for " << range.ToString();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorrupt);
      EXPECT_NE(std::string(e.what()).find("the/key"), std::string::npos);
    }
  };
  expect_corrupt(ByteRange::Of(8, 5), Response(206, "89", "bytes 8-9/10"));  // shortened by the server
  expect_corrupt(ByteRange::Suffix(11), Response(206, "0123456789", "bytes 0-9/10"));
  expect_corrupt(ByteRange::Of(20, 1), Response(416, "", "bytes */10"));
  expect_corrupt(ByteRange::Of(20, 1), Response(416, ""));
  expect_corrupt(ByteRange::Of(8, 5), Response(200, "0123456789"));
  expect_corrupt(ByteRange::Of(2, 2), Response(206, "45", "bytes 4-5/10"));  // other bytes than asked
}

}  // namespace
}  // namespace geobatch
