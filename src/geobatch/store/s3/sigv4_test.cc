// AWS Signature Version 4 against AWS's published examples: the S3 GET
// Object and ListObjects examples of "Signature Calculations for the
// Authorization Header" (Amazon S3 API reference, sig-v4-header-based-auth)
// and the get-vanilla case of the SigV4 test suite. The expected values are
// the ones printed in those documents.
#include "geobatch/store/s3/sigv4.h"

#include <gtest/gtest.h>

namespace geobatch {
namespace {

constexpr char kS3ExampleKeyId[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kS3ExampleSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

TEST(SigV4, S3GetObjectExample) {
  SigV4Request request{"GET", "/test.txt", "",
                       {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"Range", "bytes=0-9"},
                        {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
                        {"x-amz-date", "20130524T000000Z"}},
                       std::string(kEmptyPayloadHash)};
  EXPECT_EQ(CanonicalRequest(request),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string scope = CredentialScope("20130524T000000Z", "us-east-1", "s3");
  EXPECT_EQ(scope, "20130524/us-east-1/s3/aws4_request");
  EXPECT_EQ(StringToSign("20130524T000000Z", scope, CanonicalRequest(request)),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(AuthorizationHeader(request, {kS3ExampleKeyId, kS3ExampleSecret, ""}, "20130524T000000Z", "us-east-1",
                                "s3"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3ListObjectsExampleSortsTheQuery) {
  SigV4Request request{"GET", "/", "prefix=J&max-keys=2",
                       {{"host", "examplebucket.s3.amazonaws.com"},
                        {"x-amz-date", "20130524T000000Z"},
                        {"x-amz-content-sha256", std::string(kEmptyPayloadHash)}},
                       std::string(kEmptyPayloadHash)};
  const std::string canonical = CanonicalRequest(request);
  EXPECT_NE(canonical.find("\nmax-keys=2&prefix=J\n"), std::string::npos) << canonical;
  const std::string to_sign =
      StringToSign("20130524T000000Z", CredentialScope("20130524T000000Z", "us-east-1", "s3"), canonical);
  EXPECT_TRUE(to_sign.ends_with("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7")) << to_sign;
  EXPECT_EQ(Signature(kS3ExampleSecret, "20130524T000000Z", "us-east-1", "s3", to_sign),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, TestSuiteGetVanilla) {
  SigV4Request request{"GET", "/", "", {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
                       std::string(kEmptyPayloadHash)};
  EXPECT_EQ(AuthorizationHeader(request, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""},
                                "20150830T123600Z", "us-east-1", "service"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
            "SignedHeaders=host;x-amz-date,"
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, CanonicalHeaderValuesAreTrimmedAndCollapsed) {
  SigV4Request request{"GET", "/", "", {{"My-Header", "  a   b  c "}}, "x"};
  EXPECT_NE(CanonicalRequest(request).find("\nmy-header:a b c\n"), std::string::npos);
}

TEST(SigV4, AmzDateIsUtc) {
  EXPECT_EQ(AmzDate(std::chrono::system_clock::from_time_t(1369353600)), "20130524T000000Z");
}

}  // namespace
}  // namespace geobatch
