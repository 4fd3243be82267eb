#include "geobatch/codec/shuffle_codec.h"

#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::ExpectFilterVector;

// numcodecs.Shuffle(elementsize).encode(...)
TEST(ShuffleCodecTest, MatchesNumcodecs) {
  ExpectFilterVector({{{"id", "shuffle"}, {"elementsize", 4}},
                      "000102030405060708090a0b0c0d0e0f",
                      "0004080c0105090d02060a0e03070b0f",
                      "000102030405060708090a0b0c0d0e0f"});
  // np.array([1.0, 2.0], "<f8")
  ExpectFilterVector({{{"id", "shuffle"}, {"elementsize", 8}},
                      "000000000000f03f0000000000000040",
                      "000000000000000000000000f0003f40",
                      "000000000000f03f0000000000000040"});
}

TEST(ShuffleCodecTest, ElementSizeOneOrZeroCopies) {
  for (int size : {0, 1}) {
    ExpectFilterVector(
        {{{"id", "shuffle"}, {"elementsize", size}}, "0102030405", "0102030405", "0102030405"});
  }
}

TEST(ShuffleCodecTest, Configuration) {
  EXPECT_EQ(testing::MakeNumcodecs({{"id", "shuffle"}})->ToJson(),
            nlohmann::json::parse(
                R"({"name": "numcodecs.shuffle", "configuration": {"elementsize": 4}})"));
  EXPECT_EQ(testing::ErrorKindOf([] {
              testing::MakeNumcodecs({{"id", "shuffle"}, {"elementsize", -1}});
            }),
            ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace geobatch
