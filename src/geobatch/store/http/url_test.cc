#include "geobatch/store/http/url.h"

#include <gtest/gtest.h>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

TEST(Url, EncodesAllButUnreserved) {
  EXPECT_EQ(UriEncode("a/b c~d_e.f-g", true), "a/b%20c~d_e.f-g");
  EXPECT_EQ(UriEncode("a/b+c=d&é", false), "a%2Fb%2Bc%3Dd%26%C3%A9");
}

TEST(Url, DecodesEscapesAndKeepsMalformedOnes) {
  EXPECT_EQ(PercentDecode("with%20space%2F%zz%4"), "with space/%zz%4");
}

TEST(Url, Splits) {
  const UrlParts parts = SplitUrl("https://user:pw@host.example:8443/a/b?x=1#f");
  EXPECT_EQ(parts.scheme, "https");
  EXPECT_EQ(parts.authority, "host.example:8443");
  EXPECT_EQ(parts.path, "/a/b");
  EXPECT_EQ(SplitUrl("http://h").path, "");
  EXPECT_THROW(SplitUrl("no-scheme"), Error);
  EXPECT_THROW(SplitUrl("http:///path"), Error);
}

TEST(Url, RedactsUserInformationAndQueries) {
  EXPECT_EQ(RedactUrl("https://user:secret@host/a?token=secret#x"), "https://host/a");
  EXPECT_EQ(RedactUrl("http://host/a@b/c"), "http://host/a@b/c");
}

}  // namespace
}  // namespace geobatch
