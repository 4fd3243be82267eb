#include "geobatch/codec/delta_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::ExpectFilterVector;

nlohmann::json Delta(std::string dtype, std::string astype) {
  return {{"id", "delta"}, {"dtype", dtype}, {"astype", astype}};
}

// numcodecs.Delta(dtype, astype).encode(np.array(values, dtype)) and decode.
TEST(DeltaCodecTest, MatchesNumcodecs) {
  // [100, 102, 99, 1000, -5, 40000]: the last difference overflows int16.
  ExpectFilterVector({Delta("<i4", "<i2"), "640000006600000063000000e8030000fbffffff409c0000",
                      "64000200fdff850313fc459c",
                      "640000006600000063000000e8030000fbffffff409cffff"});
  // Big-endian, with wrap-around at the int16 limits.
  ExpectFilterVector({Delta(">i2", ">i2"), "00640066006303e8fffb7fff8000",
                      "00640002fffd0385fc1380040001", "00640066006303e8fffb7fff8000"});
  // [0.1, 0.25, 1e10, -3.5]
  ExpectFilterVector({Delta("<f8", "<f8"),
                      "9a9999999999b93f000000000000d03f000000205fa002420000000000000cc0",
                      "9a9999999999b93f333333333333c33f0000fe1f5fa0024200001c205fa002c2",
                      "9a9999999999b93f000000000000d03f000000205fa002420000000000000cc0"});
  // uint8 [200, 10, 255, 0] widened to big-endian int16.
  ExpectFilterVector({Delta("|u1", ">i2"), "c80aff00", "00c8004200f50001", "c80aff00"});
  // float16 [1, 2049, 0.1, 65504, -3]: every step rounds to float16.
  ExpectFilterVector({Delta("<f2", "<f2"), "003c0068662eff7b00c2", "003cff6700e8ff7bfffb",
                      "003c00680000ff7b0000"});
}

TEST(DeltaCodecTest, AccumulatesInTheResultType) {
  // int8 deltas into int16 sum in int16: [100, 200, 300, 172].
  ExpectFilterVector({Delta("<i2", "|i1"), "", "64646480", "6400c8002c01ac00"});
  // int32 deltas into float32 sum in float64, then round to float32.
  ExpectFilterVector({Delta("<f4", "<i4"), "", "00000001010000000100000001000000",
                      "0000804b0000804b0100804b0200804b"});
  // uint64 with int64 sums in float64; 2^63 does not fit int64.
  ExpectFilterVector({Delta("<i8", "<u8"), "", "000000000000004000000000000000400000000000000040",
                      "000000000000004000000000000000800000000000000080"});
}

TEST(DeltaCodecTest, Configuration) {
  EXPECT_EQ(testing::MakeNumcodecs({{"id", "delta"}, {"dtype", "<i4"}})->ToJson(),
            nlohmann::json::parse(R"({"name": "numcodecs.delta",
                "configuration": {"dtype": "<i4", "astype": "<i4"}})"));
  // zarr-python writes v3 numcodecs filters without "astype".
  EXPECT_NO_THROW(
      testing::MakeV3({{"name", "numcodecs.delta"}, {"configuration", {{"dtype", ">u2"}}}}));
  for (const char* bad : {"<c8", "|b1", "<M8[ns]", "float32", "<i3", "|O"}) {
    EXPECT_EQ(testing::ErrorKindOf([&] {
                testing::MakeNumcodecs({{"id", "delta"}, {"dtype", bad}});
              }),
              ErrorKind::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "delta"}});
            }),
            ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace geobatch
