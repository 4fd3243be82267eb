#include "geobatch/codec/lz4_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::Bytes;
using testing::FromHex;

// numcodecs.LZ4().encode(KnownAnswerPayload as <u4).
constexpr const char* kNumcodecsLz4 =
    "00040000f02e000000000100000002000000030000000400000005000000060000000700000008000000090000"
    "000a0000000b0000000c0000000d0000000e0000000f3d000f4000ffffffaa50000f000000";

std::shared_ptr<const BytesToBytesCodec> Lz4() { return testing::MakeNumcodecs({{"id", "lz4"}}); }

TEST(Lz4CodecTest, DecodesNumcodecsFraming) {
  const Bytes expected = testing::KnownAnswerPayload();
  EXPECT_EQ(testing::ToBytes(Lz4()->Decode(FromHex(kNumcodecsLz4), 1 << 20)), expected);
}

TEST(Lz4CodecTest, PrefixesTheLittleEndianSize) {
  const Buffer encoded = Lz4()->Encode(Bytes(0x010203, std::byte{7}));
  EXPECT_EQ(testing::ToBytes(encoded.span().first(4)), FromHex("03020100"));
}

TEST(Lz4CodecTest, ChecksTheDeclaredSize) {
  Bytes encoded = FromHex(kNumcodecsLz4);
  // Bound checked before allocating.
  EXPECT_EQ(testing::ErrorKindOf([&] { Lz4()->Decode(encoded, 1023); }), ErrorKind::kCorrupt);
  // A header that lies about the size: the block decodes to 1024 bytes.
  encoded[0] = std::byte{0x01};
  EXPECT_EQ(testing::ErrorKindOf([&] { Lz4()->Decode(encoded, 1 << 20); }), ErrorKind::kCorrupt);
  // Beyond what an LZ4 block can hold.
  EXPECT_EQ(testing::ErrorKindOf([&] { Lz4()->Decode(FromHex("ffffffff00"), SIZE_MAX); }),
            ErrorKind::kCorrupt);
}

TEST(Lz4CodecTest, Configuration) {
  EXPECT_EQ(
      Lz4()->ToJson(),
      nlohmann::json::parse(R"({"name": "numcodecs.lz4", "configuration": {"acceleration": 1}})"));
  const auto fast =
      testing::MakeV3({{"name", "numcodecs.lz4"}, {"configuration", {{"acceleration", 50}}}});
  const Bytes payload = testing::SmoothFloats(5000);
  EXPECT_EQ(testing::ToBytes(fast->Decode(fast->Encode(payload), payload.size())), payload);
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "lz4"}, {"acceleration", "max"}});
            }),
            ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace geobatch
