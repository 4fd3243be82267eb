#include "geobatch/codec/astype_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::ExpectFilterVector;

nlohmann::json Astype(std::string encode_dtype, std::string decode_dtype) {
  return {{"id", "astype"}, {"encode_dtype", encode_dtype}, {"decode_dtype", decode_dtype}};
}

// numcodecs.AsType(encode_dtype, decode_dtype).encode(...) and decode.
TEST(AstypeCodecTest, MatchesNumcodecs) {
  // float64 [0.1, 1e30, -2.5, 1e-40] stored as float32 (1e-40 is subnormal).
  ExpectFilterVector({Astype("<f4", "<f8"),
                      "9a9999999999b93fea8ca039593e294600000000000004c09c577727266ca137",
                      "cdcccc3dcaf24971000020c0c2160100",
                      "000000a09999b93f00000040593e294600000000000004c000000000206ca137"});
  ExpectFilterVector(
      {Astype(">i2", "<f8"), "000000000000f03f00000000000000c00000000000c07240000000000000e0c0",
       "0001fffe012c8000", "000000000000f03f00000000000000c00000000000c07240000000000000e0c0"});
  // float32 [2049, 2051, 65519, 65520, 1e-8, 3e-8, 6e-8, -0, inf, nan, 0.1]
  // to float16: ties to even, overflow to inf, subnormals, NaN.
  ExpectFilterVector(
      {Astype("<f2", "<f4"),
       "001000450030004500ef7f4700f07f4777cc2b3259d9003359d98033000000800000807f0000c07fcdcccc3d",
       "00680268ff7b007c0000010001000080007c007e662e",
       "000000450040004500e07f470000807f000000000000803300008033000000800000807f0000c07f00c0cc3d"});
}

TEST(AstypeCodecTest, DecodesWithNumpyCasts) {
  // int8 [1, -1, 127, -128] as uint64 wraps.
  ExpectFilterVector({Astype("|i1", "<u8"), "", "01ff7f80",
                      "0100000000000000ffffffffffffffff7f0000000000000080ffffffffffffff"});
  // float64 [-1.5, 70000.5, 3e9, nan, 2.9, -2.9] as int16: [-1, 4464, 0, 0, 2, -2].
  ExpectFilterVector(
      {Astype("<f8", "<i2"), "",
       "000000000000f8bf000000000817f140000000c00b5ae641000000000000f87f33333333333307"
       "4033333333333307c0",
       "ffff7011000000000200feff"});
}

TEST(AstypeCodecTest, Configuration) {
  EXPECT_EQ(testing::MakeNumcodecs(Astype("<f8", ">f4"))->ToJson(),
            nlohmann::json::parse(R"({"name": "numcodecs.astype", "configuration":
                {"encode_dtype": "<f8", "decode_dtype": ">f4"}})"));
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "astype"}, {"encode_dtype", "<f8"}});
            }),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(testing::ErrorKindOf([] { testing::MakeNumcodecs(Astype("<U4", "<f8")); }),
            ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace geobatch
