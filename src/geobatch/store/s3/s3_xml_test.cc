#include "geobatch/store/s3/s3_xml.h"

#include <gtest/gtest.h>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Shaped like the ListObjectsV2 response example of the S3 API reference.
constexpr char kPage[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>data/</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>
  <Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
  <Contents><Key>data/zarr.json</Key><ETag>&quot;abc&quot;</ETag><Size>10</Size></Contents>
  <Contents><Key>data/a&amp;b &#x4E2D;</Key><Size>1</Size></Contents>
  <CommonPrefixes><Prefix>data/t2m/</Prefix></CommonPrefixes>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";

TEST(S3Xml, ParsesAListObjectsV2Page) {
  const ListObjectsPage page = ParseListObjectsV2(kPage);
  EXPECT_EQ(page.keys, (std::vector<std::string>{"data/zarr.json", "data/a&b \xE4\xB8\xAD"}));
  EXPECT_EQ(page.common_prefixes, (std::vector<std::string>{"data/t2m/"}));
  EXPECT_EQ(page.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Xml, LastPageHasNoToken) {
  const ListObjectsPage page = ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>");
  EXPECT_TRUE(page.keys.empty());
  EXPECT_TRUE(page.next_continuation_token.empty());
}

TEST(S3Xml, RefusesOtherDocuments) {
  EXPECT_THROW(ParseListObjectsV2("<html>nope</html>"), Error);
  EXPECT_THROW(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"), Error);
}

TEST(S3Xml, ParsesErrors) {
  const auto error = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The resource &lt;x&gt; does not exist."
      "</Message><Resource>/b/k</Resource></Error>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "NoSuchKey");
  EXPECT_EQ(error->message, "The resource <x> does not exist.");
  EXPECT_FALSE(ParseS3Error("<html>404</html>"));
}

TEST(S3Xml, ElementsAreMatchedByTheirWholeName) {
  const ListObjectsPage page = ParseListObjectsV2(
      "<ListBucketResult><KeyCount>3</KeyCount><Contents><KeyCount>9</KeyCount><Key>a</Key></Contents>"
      "<Contents><Key/></Contents><Contents><Key x=\"1\">b</Key></Contents></ListBucketResult>");
  EXPECT_EQ(page.keys, (std::vector<std::string>{"a", "", "b"}));
}

}  // namespace
}  // namespace geobatch
