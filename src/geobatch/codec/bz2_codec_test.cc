#include "geobatch/codec/bz2_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::Bytes;
using testing::FromHex;
using testing::FromString;

// numcodecs.BZ2(level=1).encode(KnownAnswerPayload as <u4).
constexpr const char* kNumcodecsBz2 =
    "425a68313141592653591c7671c5000001c0007fffa00070530004d02a49003d4699a2a49580d03124d4360dc3"
    "80e43a0ec3c0b0f43e0c858249724a0927e2ee48a70a12038ece38a0";

std::shared_ptr<const BytesToBytesCodec> Bz2() {
  return testing::MakeNumcodecs({{"id", "bz2"}, {"level", 1}});
}

TEST(Bz2CodecTest, DecodesNumcodecsStreams) {
  const Bytes expected = testing::KnownAnswerPayload();
  const Bytes encoded = FromHex(kNumcodecsBz2);
  EXPECT_EQ(testing::ToBytes(Bz2()->Decode(encoded, 1 << 20)), expected);
  Bytes out(expected.size());
  Bz2()->DecodeInto(encoded, out);
  EXPECT_EQ(out, expected);
  // The same bytes as Python's bz2 module writes.
  EXPECT_EQ(testing::ToBytes(Bz2()->Encode(expected)), encoded);
}

TEST(Bz2CodecTest, DecodesConcatenatedStreams) {
  // bz2.compress(b"hello ") + bz2.compress(b"world")
  const Bytes encoded = FromHex(
      "425a68393141592653597669e0d4000001110040000244a00030cd00c34629971772453850907669e0d4"
      "425a683931415926535959ce7bcb000002018004049080200030cd00c1a4c0717724538509059ce7bcb0");
  EXPECT_EQ(testing::ToBytes(Bz2()->Decode(encoded, 100)), FromString("hello world"));
  Bytes trailing = encoded;
  trailing.push_back(std::byte{'x'});
  EXPECT_EQ(testing::ErrorKindOf([&] { Bz2()->Decode(trailing, 100); }), ErrorKind::kCorrupt);
}

TEST(Bz2CodecTest, StopsADecompressionBomb) {
  const Buffer bomb = Bz2()->Encode(Bytes(4 << 20, std::byte{0}));
  EXPECT_LT(bomb.size(), 1000u);
  EXPECT_EQ(testing::ErrorKindOf([&] { Bz2()->Decode(bomb, 1 << 20); }), ErrorKind::kCorrupt);
}

TEST(Bz2CodecTest, Configuration) {
  EXPECT_EQ(testing::MakeNumcodecs({{"id", "bz2"}})->ToJson(),
            nlohmann::json::parse(R"({"name": "numcodecs.bz2", "configuration": {"level": 1}})"));
  for (int level : {0, 10}) {
    EXPECT_EQ(testing::ErrorKindOf([&] {
                testing::MakeNumcodecs({{"id", "bz2"}, {"level", level}});
              }),
              ErrorKind::kInvalidArgument);
  }
}

}  // namespace
}  // namespace geobatch
