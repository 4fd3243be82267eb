#include "geobatch/codec/crc32c_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"
#include "geobatch/codec/crc32c.h"

namespace geobatch {
namespace {

using testing::Bytes;
using testing::FromString;

// Bit-at-a-time CRC-32C, the definition the fast paths must agree with.
uint32_t ReferenceCrc32c(std::span<const std::byte> data) {
  uint32_t crc = 0xFFFFFFFF;
  for (std::byte b : data) {
    crc ^= static_cast<uint32_t>(b);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78 : 0);
  }
  return ~crc;
}

TEST(Crc32cTest, KnownAnswers) {
  EXPECT_EQ(Crc32c(FromString("123456789")), 0xE3069283u);
  EXPECT_EQ(Crc32c({}), 0u);
  // RFC 3720 (iSCSI) B.4 vectors.
  EXPECT_EQ(Crc32c(Bytes(32, std::byte{0})), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(Bytes(32, std::byte{0xFF})), 0x62A8AB43u);
  Bytes ascending(32);
  for (size_t i = 0; i < 32; ++i) ascending[i] = static_cast<std::byte>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32cTest, MatchesTheReferenceAtEveryLengthAndOffset) {
  const Bytes data = testing::RandomBytes(300, 42);
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t length = 0; offset + length <= data.size(); length += 7) {
      const auto part = std::span(data).subspan(offset, length);
      ASSERT_EQ(Crc32c(part), ReferenceCrc32c(part)) << offset << "+" << length;
    }
  }
}

TEST(Crc32cTest, Continues) {
  const Bytes data = testing::RandomBytes(1000, 3);
  const auto all = std::span(data);
  EXPECT_EQ(Crc32c(all.subspan(357), Crc32c(all.first(357))), Crc32c(all));
}

TEST(Crc32cCodecTest, AppendsTheLittleEndianChecksum) {
  const auto codec = testing::MakeV3({{"name", "crc32c"}});
  const Buffer encoded = codec->Encode(FromString("123456789"));
  Bytes expected = FromString("123456789");
  for (uint8_t b : {0x83, 0x92, 0x06, 0xE3}) expected.push_back(std::byte{b});
  EXPECT_EQ(testing::ToBytes(encoded), expected);
  EXPECT_EQ(codec->ToJson(), nlohmann::json({{"name", "crc32c"}}));
}

TEST(Crc32cCodecTest, DetectsEveryFlippedBit) {
  const auto codec = testing::MakeV3({{"name", "crc32c"}});
  const Bytes encoded = testing::ToBytes(codec->Encode(FromString("geobatch")));
  for (size_t bit = 0; bit < encoded.size() * 8; ++bit) {
    Bytes damaged = encoded;
    damaged[bit / 8] ^= std::byte{1} << (bit % 8);
    try {
      codec->Decode(damaged, 100);
      ADD_FAILURE() << "bit " << bit;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorrupt);
      EXPECT_STREQ(e.what(), "crc32c checksum mismatch");
    }
  }
}

TEST(Crc32cCodecTest, NumcodecsCanPutTheChecksumFirst) {
  // numcodecs.CRC32C(location="start").encode(b"123456789")
  const auto codec = testing::MakeNumcodecs({{"id", "crc32c"}, {"location", "start"}});
  const Bytes encoded = testing::FromHex("839206e3313233343536373839");
  EXPECT_EQ(testing::ToBytes(codec->Encode(FromString("123456789"))), encoded);
  EXPECT_EQ(testing::ToBytes(codec->Decode(encoded, 9)), FromString("123456789"));
  EXPECT_EQ(testing::MakeV3(codec->ToJson())->ToJson(), codec->ToJson());
  // The default, "end", is the v3 codec.
  EXPECT_EQ(testing::MakeNumcodecs({{"id", "crc32c"}})->ToJson(),
            nlohmann::json({{"name", "crc32c"}}));
}

TEST(Crc32cCodecTest, Configuration) {
  EXPECT_NO_THROW(
      testing::MakeV3({{"name", "crc32c"}, {"configuration", nlohmann::json::object()}}));
  EXPECT_NO_THROW(testing::MakeNumcodecs({{"id", "crc32c"}}));
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeV3({{"name", "crc32c"}, {"configuration", "fast"}});
            }),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "crc32c"}, {"location", "middle"}});
            }),
            ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace geobatch
