// The two S3 XML documents geobatch reads: a ListObjectsV2 result page
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html),
// which Google Cloud Storage's XML API answers too, and an error response
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
// Both are flat enough that finding elements by name is all it takes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geobatch {

struct ListObjectsPage {
  std::vector<std::string> keys;             // <Contents><Key>
  std::vector<std::string> common_prefixes;  // <CommonPrefixes><Prefix>, with their trailing '/'
  std::string next_continuation_token;       // "" on the last page
};

// Throws CorruptError for a document that is not a ListBucketResult.
ListObjectsPage ParseListObjectsV2(std::string_view xml);

struct S3ErrorDocument {
  std::string code;     // "NoSuchKey", "AccessDenied", ...
  std::string message;
};

std::optional<S3ErrorDocument> ParseS3Error(std::string_view xml);

}  // namespace geobatch
