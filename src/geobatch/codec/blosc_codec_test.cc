#include "geobatch/codec/blosc_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::Bytes;
using testing::FromHex;

nlohmann::json BloscV3(std::string cname, std::string shuffle, int typesize = 4) {
  return {{"name", "blosc"},
          {"configuration",
           {{"cname", cname},
            {"clevel", 5},
            {"shuffle", shuffle},
            {"typesize", typesize},
            {"blocksize", 0}}}};
}

ErrorKind CreateError(const nlohmann::json& json) {
  return testing::ErrorKindOf(
      [&] { json.contains("id") ? testing::MakeNumcodecs(json) : testing::MakeV3(json); });
}

TEST(BloscCodecTest, DecodesNumcodecsFrames) {
  // numcodecs.Blosc(cname, clevel, shuffle).encode(KnownAnswerPayload viewed as <u4).
  const char* frames[] = {
      // lz4, 5, SHUFFLE
      "02012104000400000004000060000000140000001b000000ff01000102030405060708090a0b0c0d0e0f1000d8"
      "500b0c0d0e0f0b0000001f000100e75000000000000b0000001f000100e75000000000000b0000001f000100e7"
      "500000000000",
      // zstd, 3, BITSHUFFLE
      "02019404000400000004000036000000140000001e00000028b52ffd600003a5000028aaccf000ff05007c4105"
      "720d8286814668dc15",
      // blosclz, 9, SHUFFLE
      "0201010400040000000400005f00000014000000170000002f000102030405060708090a0b0c0d0e0fe0e50f01"
      "0e0f0c0000002300000000e0f003020000000c0000002300000000e0f003020000000c0000002300000000e0f0"
      "0302000000",
      // zlib, 1, NOSHUFFLE
      "020160040004000000040000e400000014000000300000007801d5cbc91180201000c145944350f2cfd6260ca7"
      "aa9f13119138c89c5c142a8dcecd60f2f0b2d8fdf9ff00df8001e1300000007801d5cbc91180201000c1459443"
      "50f2cfd6260ca7aa9f13119138c89c5c142a8dcecd60f2f0b2d8fdf9ff00df8001e1300000007801d5cbc91180"
      "201000c145944350f2cfd6260ca7aa9f13119138c89c5c142a8dcecd60f2f0b2d8fdf9ff00df8001e130000000"
      "7801d5cbc91180201000c145944350f2cfd6260ca7aa9f13119138c89c5c142a8dcecd60f2f0b2d8fdf9ff00df"
      "8001e1",
  };
  const auto codec = testing::MakeNumcodecs({{"id", "blosc"}});
  const Bytes expected = testing::KnownAnswerPayload();
  for (const char* hex : frames) {
    EXPECT_EQ(testing::ToBytes(codec->Decode(FromHex(hex), expected.size())), expected);
  }
}

TEST(BloscCodecTest, RoundTripsEveryCompressorAndShuffle) {
  // Floats with a run of zeros: compressible with and without shuffling.
  Bytes payload = testing::SmoothFloats(10000);
  payload.resize(payload.size() * 2, std::byte{0});
  for (std::string cname : {"blosclz", "lz4", "lz4hc", "zlib", "zstd", "snappy"}) {
    for (std::string shuffle : {"noshuffle", "shuffle", "bitshuffle"}) {
      SCOPED_TRACE(cname + "/" + shuffle);
      std::shared_ptr<const BytesToBytesCodec> codec;
      try {
        codec = testing::MakeV3(BloscV3(cname, shuffle));
      } catch (const Error& e) {
        ASSERT_EQ(cname, "snappy") << e.what();  // optional in c-blosc builds
        continue;
      }
      const Buffer encoded = codec->Encode(payload);
      EXPECT_LT(encoded.size(), payload.size());
      EXPECT_EQ(testing::ToBytes(codec->Decode(encoded, payload.size())), payload);
    }
  }
}

TEST(BloscCodecTest, HeaderRecordsTypesizeAndShuffle) {
  const Bytes payload = testing::SmoothFloats(1000);
  // Header byte 2 holds the flags (bit 0: byte shuffle, bit 2: bit shuffle),
  // byte 3 the typesize.
  const Buffer byte = testing::MakeV3(BloscV3("lz4", "shuffle", 4))->Encode(payload);
  EXPECT_EQ(static_cast<int>(byte.data()[2]) & 0x5, 0x1);
  EXPECT_EQ(static_cast<int>(byte.data()[3]), 4);
  const Buffer bit = testing::MakeV3(BloscV3("lz4", "bitshuffle", 8))->Encode(payload);
  EXPECT_EQ(static_cast<int>(bit.data()[2]) & 0x5, 0x4);
  EXPECT_EQ(static_cast<int>(bit.data()[3]), 8);
}

TEST(BloscCodecTest, TypesizeDefaultsToTheChunkElementSize) {
  const nlohmann::json config = {{"cname", "zstd"}, {"clevel", 1}, {"shuffle", "shuffle"}};
  const auto codec = testing::MakeV3({{"name", "blosc"}, {"configuration", config}},
                                     testing::ContextFor(DataTypeId::kFloat64));
  EXPECT_EQ(codec->ToJson()["configuration"]["typesize"], 8);
}

TEST(BloscCodecTest, NumcodecsAutoshuffleDependsOnTheElementSize) {
  const nlohmann::json object = {{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", -1}};
  const auto bytes = testing::MakeNumcodecs(object, testing::ContextFor(DataTypeId::kUInt8));
  EXPECT_EQ(bytes->ToJson()["configuration"]["shuffle"], "bitshuffle");
  const auto floats = testing::MakeNumcodecs(object, testing::ContextFor(DataTypeId::kFloat32));
  EXPECT_EQ(floats->ToJson(),
            nlohmann::json::parse(R"({"name": "blosc", "configuration": {"cname": "lz4",
                "clevel": 5, "shuffle": "shuffle", "typesize": 4, "blocksize": 0}})"));
  // numcodecs defaults: lz4, clevel 5, byte shuffle.
  EXPECT_EQ(testing::MakeNumcodecs({{"id", "blosc"}})->ToJson()["configuration"]["shuffle"],
            "shuffle");
}

TEST(BloscCodecTest, RejectsMalformedConfiguration) {
  const auto invalid = ErrorKind::kInvalidArgument;
  EXPECT_EQ(CreateError(BloscV3("brotli", "shuffle")), invalid);
  EXPECT_EQ(CreateError(BloscV3("lz4", "byteshuffle")), invalid);
  EXPECT_EQ(CreateError(BloscV3("lz4", "shuffle", 0)), invalid);
  nlohmann::json level = BloscV3("lz4", "shuffle");
  level["configuration"]["clevel"] = 10;
  EXPECT_EQ(CreateError(level), invalid);
  nlohmann::json missing = BloscV3("lz4", "shuffle");
  missing["configuration"].erase("cname");
  EXPECT_EQ(CreateError(missing), invalid);
  EXPECT_EQ(CreateError({{"id", "blosc"}, {"shuffle", 3}}), invalid);
  EXPECT_EQ(CreateError({{"id", "blosc"}, {"cname", 5}}), invalid);
  EXPECT_EQ(CreateError({{"id", "blosc"}, {"blocksize", -1}}), invalid);
}

TEST(BloscCodecTest, RejectsAHeaderThatClaimsMoreThanTheBuffer) {
  const auto codec = testing::MakeV3(BloscV3("lz4", "shuffle"));
  Bytes encoded = testing::ToBytes(codec->Encode(testing::SmoothFloats(1000)));
  encoded[12] = std::byte{0xFF};  // compressed size, bytes 12..15
  EXPECT_EQ(testing::ErrorKindOf([&] { codec->Decode(encoded, 1 << 20); }), ErrorKind::kCorrupt);
}

}  // namespace
}  // namespace geobatch
