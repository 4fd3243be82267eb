#include "geobatch/codec/fixed_scale_offset_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::ExpectFilterVector;

nlohmann::json FixedScaleOffset(nlohmann::json offset, nlohmann::json scale, std::string dtype,
                                std::string astype) {
  return {{"id", "fixedscaleoffset"},
          {"offset", offset},
          {"scale", scale},
          {"dtype", dtype},
          {"astype", astype}};
}

// numcodecs.FixedScaleOffset(offset, scale, dtype, astype).encode(...) and decode.
TEST(FixedScaleOffsetCodecTest, MatchesNumcodecs) {
  // The numcodecs docstring example: np.linspace(1000, 1001, 10).
  ExpectFilterVector(
      {FixedScaleOffset(1000, 10, "<f8", "|u1"),
       "0000000000408f408ee3388ee3408f401cc7711cc7418f40abaaaaaaaa428f40398ee3388e438f40c7711cc771"
       "448f405555555555458f40e4388ee338468f40721cc7711c478f400000000000488f40",
       "0001020304060708090a",
       "0000000000408f40cdcccccccc408f409a99999999418f406666666666428f403333333333438f40cdcccccccc"
       "448f409a99999999458f406666666666468f403333333333478f400000000000488f40"});
  // Big-endian float32 computes in float32.
  ExpectFilterVector({FixedScaleOffset(1000.5, 100, ">f4", ">i2"),
                      "447a2000447a4efa4479ff5c447a4052447a00f6", "00000049ffcd0033ffd0",
                      "447a2000447a4eb84479ff5c447a40a4447a0148"});
  // Integer offset and scale keep int32 arithmetic; 20000 overflows int16.
  ExpectFilterVector({FixedScaleOffset(5, 3, "<i4", "<i2"),
                      "05000000060000009cffffff204e000007000000", "00000300c5fe51ea0600",
                      "05000000060000009cffffffcbf8ffff07000000"});
  // float16 computes in float16.
  ExpectFilterVector({FixedScaleOffset(0.5, 10, "<f2", "|u1"), "00386638003d48423339", "0000081a01",
                      "00380038333d3342cd38"});
  // A float scale with integer data rounds half to even.
  ExpectFilterVector({FixedScaleOffset(10, 0.5, "<i2", "<i2"), "0a000b000d000f00f9ff",
                      "0000000002000200f8ff", "0a000a000e000e00faff"});
}

TEST(FixedScaleOffsetCodecTest, Configuration) {
  const nlohmann::json object = {
      {"id", "fixedscaleoffset"}, {"offset", 273.15}, {"scale", 100}, {"dtype", "<f4"}};
  EXPECT_EQ(testing::MakeNumcodecs(object)->ToJson(),
            nlohmann::json::parse(R"({"name": "numcodecs.fixedscaleoffset", "configuration":
                {"offset": 273.15, "scale": 100, "dtype": "<f4", "astype": "<f4"}})"));
  for (const char* missing : {"offset", "scale", "dtype"}) {
    nlohmann::json bad = object;
    bad.erase(missing);
    EXPECT_EQ(testing::ErrorKindOf([&] { testing::MakeNumcodecs(bad); }),
              ErrorKind::kInvalidArgument)
        << missing;
  }
  nlohmann::json bad = object;
  bad["scale"] = "100";
  EXPECT_EQ(testing::ErrorKindOf([&] { testing::MakeNumcodecs(bad); }),
            ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace geobatch
