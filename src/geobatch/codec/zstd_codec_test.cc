#include "geobatch/codec/zstd_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::Bytes;
using testing::FromHex;

// numcodecs.Zstd(level=3, checksum=True).encode(KnownAnswerPayload as <u4).
constexpr const char* kChecksummedFrame =
    "28b52ffd6400034d0200e403000000000100000002000000030000000400000005000000060000000700000008"
    "000000090000000a0000000b0000000c0000000d0000000e0000000f000200b98750810f000a165fc3a3";
// `zstd -3 --no-check` reading the same payload from a pipe: a frame that
// does not record its content size.
constexpr const char* kUnsizedFrame =
    "28b52ffd00584d0200e403000000000100000002000000030000000400000005000000060000000700000008"
    "000000090000000a0000000b0000000c0000000d0000000e0000000f000200b98750810f000a";

std::shared_ptr<const BytesToBytesCodec> Zstd() {
  return testing::MakeV3(
      {{"name", "zstd"}, {"configuration", {{"level", 1}, {"checksum", false}}}});
}

ErrorKind DecodeError(const Bytes& encoded, size_t bound) {
  return testing::ErrorKindOf([&] { Zstd()->Decode(encoded, bound); });
}

TEST(ZstdCodecTest, DecodesNumcodecsFrames) {
  const Bytes expected = testing::KnownAnswerPayload();
  // numcodecs.Zstd(level=1).encode(...)
  const Bytes plain = FromHex(
      "28b52ffd6000034d0200e403000000000100000002000000030000000400000005000000060000000700000008"
      "000000090000000a0000000b0000000c0000000d0000000e0000000f000200b98750810f000a");
  EXPECT_EQ(testing::ToBytes(Zstd()->Decode(plain, expected.size())), expected);
  EXPECT_EQ(testing::ToBytes(Zstd()->Decode(FromHex(kChecksummedFrame), expected.size())),
            expected);
}

TEST(ZstdCodecTest, VerifiesTheContentChecksum) {
  Bytes encoded = FromHex(kChecksummedFrame);
  encoded.back() ^= std::byte{1};
  EXPECT_EQ(DecodeError(encoded, 1 << 20), ErrorKind::kCorrupt);
}

TEST(ZstdCodecTest, DecodesFramesWithoutContentSize) {
  const Bytes expected = testing::KnownAnswerPayload();
  const Bytes encoded = FromHex(kUnsizedFrame);
  EXPECT_EQ(testing::ToBytes(Zstd()->Decode(encoded, 1 << 20)), expected);
  Bytes out(expected.size());
  Zstd()->DecodeInto(encoded, out);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(DecodeError(encoded, expected.size() - 1), ErrorKind::kCorrupt);
  Bytes small(expected.size() - 1);
  EXPECT_EQ(testing::ErrorKindOf([&] { Zstd()->DecodeInto(encoded, small); }), ErrorKind::kCorrupt);
}

TEST(ZstdCodecTest, DecodesConcatenatedAndSkippableFrames) {
  const auto codec = Zstd();
  const Bytes a = testing::SmoothFloats(300), b = testing::RandomBytes(77, 1);
  // A skippable frame: magic 0x184D2A50, 4-byte length, payload "abc".
  Bytes encoded = FromHex("502a4d1803000000616263");
  for (const Bytes* part : {&a, &b}) {
    const Buffer frame = codec->Encode(*part);
    encoded.insert(encoded.end(), frame.data(), frame.data() + frame.size());
  }
  const Bytes unsized = FromHex(kUnsizedFrame);
  encoded.insert(encoded.end(), unsized.begin(), unsized.end());

  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  const Bytes known = testing::KnownAnswerPayload();
  expected.insert(expected.end(), known.begin(), known.end());
  EXPECT_EQ(testing::ToBytes(codec->Decode(encoded, 1 << 20)), expected);
  Bytes out(expected.size());
  codec->DecodeInto(encoded, out);
  EXPECT_EQ(out, expected);
}

TEST(ZstdCodecTest, RejectsAContentSizeBeyondTheBound) {
  // Declares 1024 bytes; the bound is checked before anything is allocated.
  EXPECT_EQ(DecodeError(FromHex(kChecksummedFrame), 1000), ErrorKind::kCorrupt);
}

TEST(ZstdCodecTest, Configuration) {
  EXPECT_EQ(testing::MakeNumcodecs({{"id", "zstd"}})->ToJson(),
            nlohmann::json::parse(R"({"name": "zstd", "configuration":
                {"level": 0, "checksum": false}})"));
  EXPECT_EQ(testing::MakeV3({{"name", "zstd"}, {"configuration", {{"level", -5}}}})->ToJson(),
            nlohmann::json::parse(R"({"name": "zstd", "configuration":
                {"level": -5, "checksum": false}})"));
  const auto invalid = ErrorKind::kInvalidArgument;
  EXPECT_EQ(testing::ErrorKindOf([] { testing::MakeV3({{"name", "zstd"}}); }), invalid);
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeV3({{"name", "zstd"}, {"configuration", {{"level", 23}}}});
            }),
            invalid);
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "zstd"}, {"checksum", "yes"}});
            }),
            invalid);
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "zstd"}, {"level", 1.5}});
            }),
            invalid);
}

}  // namespace
}  // namespace geobatch
