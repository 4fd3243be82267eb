#include "geobatch/codec/deflate_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::Bytes;
using testing::FromHex;
using testing::FromString;

// numcodecs.GZip(level=1) and numcodecs.Zlib(level=1) of KnownAnswerPayload.
constexpr const char* kGzip =
    "1f8b0800822d066b04ffedd3c90d00200c034173dfd07fb72c652025d23cfdb11c4972f0088848c828a868e818"
    "9858d838786779ebcff6f3e7ff5c39b9503900040000";
constexpr const char* kZlib =
    "7801edd3c90d00200c034173dfd07fb72c652025d23cfdb11c4972f0088848c828a868e8189858d838786779eb"
    "cff6f3e7ff5cbed20781";
// gzip.compress(b"hello ", mtime=0) + gzip.compress(b"world", mtime=0)
constexpr const char* kTwoMembers =
    "1f8b0800000000000203cb48cdc9c9570000f6f981ed06000000"
    "1f8b08000000000002032bcf2fca4901004311773a05000000";

std::shared_ptr<const BytesToBytesCodec> Gzip() {
  return testing::MakeV3({{"name", "gzip"}, {"configuration", {{"level", 5}}}});
}
std::shared_ptr<const BytesToBytesCodec> Zlib() {
  return testing::MakeNumcodecs({{"id", "zlib"}, {"level", 1}});
}

Bytes DecodeInto(const BytesToBytesCodec& codec, const Bytes& encoded, size_t size) {
  Bytes out(size);
  codec.DecodeInto(encoded, out);
  return out;
}

TEST(DeflateCodecTest, DecodesNumcodecsStreams) {
  const Bytes expected = testing::KnownAnswerPayload();
  EXPECT_EQ(testing::ToBytes(Gzip()->Decode(FromHex(kGzip), 1 << 20)), expected);
  EXPECT_EQ(DecodeInto(*Gzip(), FromHex(kGzip), expected.size()), expected);
  EXPECT_EQ(testing::ToBytes(Zlib()->Decode(FromHex(kZlib), 1 << 20)), expected);
  EXPECT_EQ(DecodeInto(*Zlib(), FromHex(kZlib), expected.size()), expected);
}

TEST(DeflateCodecTest, DecodesMultiMemberGzip) {
  const Bytes encoded = FromHex(kTwoMembers);
  EXPECT_EQ(testing::ToBytes(Gzip()->Decode(encoded, 100)), FromString("hello world"));
  EXPECT_EQ(DecodeInto(*Gzip(), encoded, 11), FromString("hello world"));
  EXPECT_EQ(testing::ErrorKindOf([&] { Gzip()->Decode(encoded, 10); }), ErrorKind::kCorrupt);
}

TEST(DeflateCodecTest, ChecksTheGzipTrailer) {
  Bytes wrong_size = FromHex(kGzip);
  wrong_size[wrong_size.size() - 4] ^= std::byte{1};  // ISIZE
  Bytes wrong_crc = FromHex(kGzip);
  wrong_crc[wrong_crc.size() - 8] ^= std::byte{1};  // CRC32
  for (const Bytes& encoded : {wrong_size, wrong_crc}) {
    EXPECT_EQ(testing::ErrorKindOf([&] { Gzip()->Decode(encoded, 1 << 20); }), ErrorKind::kCorrupt);
    EXPECT_EQ(testing::ErrorKindOf([&] { DecodeInto(*Gzip(), encoded, 1024); }),
              ErrorKind::kCorrupt);
  }
}

TEST(DeflateCodecTest, TrailingBytesFollowPython) {
  // zlib.decompress ignores bytes after the stream; gzip rejects them.
  Bytes zlib = FromHex(kZlib);
  zlib.push_back(std::byte{'x'});
  EXPECT_EQ(testing::ToBytes(Zlib()->Decode(zlib, 1 << 20)), testing::KnownAnswerPayload());
  Bytes gzip = FromHex(kGzip);
  gzip.push_back(std::byte{'x'});
  EXPECT_EQ(testing::ErrorKindOf([&] { Gzip()->Decode(gzip, 1 << 20); }), ErrorKind::kCorrupt);
}

TEST(DeflateCodecTest, StopsADecompressionBomb) {
  const Buffer bomb = Zlib()->Encode(Bytes(10 << 20, std::byte{0}));
  EXPECT_LT(bomb.size(), 20000u);
  EXPECT_EQ(testing::ErrorKindOf([&] { Zlib()->Decode(bomb, 1 << 20); }), ErrorKind::kCorrupt);
}

TEST(DeflateCodecTest, EncodesStandardStreams) {
  const Buffer gzip = Gzip()->Encode(FromString("geobatch"));
  EXPECT_EQ(gzip.data()[0], std::byte{0x1F});
  EXPECT_EQ(gzip.data()[1], std::byte{0x8B});
  const Buffer zlib = Zlib()->Encode(FromString("geobatch"));
  EXPECT_EQ(zlib.data()[0], std::byte{0x78});
}

TEST(DeflateCodecTest, Configuration) {
  EXPECT_EQ(Zlib()->ToJson(),
            nlohmann::json::parse(R"({"name": "numcodecs.zlib", "configuration": {"level": 1}})"));
  EXPECT_EQ(testing::MakeNumcodecs({{"id", "gzip"}})->ToJson(),
            nlohmann::json::parse(R"({"name": "gzip", "configuration": {"level": 1}})"));
  EXPECT_NO_THROW(testing::MakeNumcodecs({{"id", "zlib"}, {"level", -1}})->Encode(Bytes(10)));
  EXPECT_NO_THROW(testing::MakeV3({{"name", "numcodecs.zlib"}}));
  const auto invalid = ErrorKind::kInvalidArgument;
  EXPECT_EQ(testing::ErrorKindOf([] { testing::MakeV3({{"name", "gzip"}}); }), invalid);
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeV3({{"name", "gzip"}, {"configuration", {{"level", 10}}}});
            }),
            invalid);
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "zlib"}, {"level", -2}});
            }),
            invalid);
}

}  // namespace
}  // namespace geobatch
