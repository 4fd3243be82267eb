// NumPy scalar semantics: expected values were produced with NumPy 2.4.
#include "geobatch/codec/numpy_cast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace geobatch {
namespace {

constexpr DataTypeId kNumericIds[] = {
    DataTypeId::kInt8,    DataTypeId::kInt16,   DataTypeId::kInt32,  DataTypeId::kInt64,
    DataTypeId::kUInt8,   DataTypeId::kUInt16,  DataTypeId::kUInt32, DataTypeId::kUInt64,
    DataTypeId::kFloat16, DataTypeId::kFloat32, DataTypeId::kFloat64};

TEST(NumpyCastTest, PromoteTypesMatchesResultType) {
  // " ".join(np.result_type(a, b).str[1:] for a in names for b in names)
  const std::string expected =
      "i1 i2 i4 i8 i2 i4 i8 f8 f2 f4 f8 i2 i2 i4 i8 i2 i4 i8 f8 f4 f4 f8 i4 i4 i4 i8 i4 i4 i8 f8 "
      "f8 f8 f8 i8 i8 i8 i8 i8 i8 i8 f8 f8 f8 f8 i2 i2 i4 i8 u1 u2 u4 u8 f2 f4 f8 i4 i4 i4 i8 u2 "
      "u2 u4 u8 f4 f4 f8 i8 i8 i8 i8 u4 u4 u4 u8 f8 f8 f8 f8 f8 f8 f8 u8 u8 u8 u8 f8 f8 f8 f2 f4 "
      "f8 f8 f2 f4 f8 f8 f2 f4 f8 f4 f4 f8 f8 f4 f4 f8 f8 f4 f4 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8 f8 "
      "f8 f8";
  std::istringstream in(expected);
  for (DataTypeId a : kNumericIds) {
    for (DataTypeId b : kNumericIds) {
      std::string want;
      in >> want;
      EXPECT_EQ(DataType{PromoteTypes(a, b)}.numpy_str().substr(1), want)
          << DataType{a}.name() << " + " << DataType{b}.name();
    }
  }
}

TEST(NumpyCastTest, TypeMappingIsConsistent) {
  static_assert(std::is_same_v<NumericTypeOf<DataTypeId::kFloat16>, Half>);
  static_assert(std::is_same_v<NumericTypeOf<DataTypeId::kUInt32>, uint32_t>);
  static_assert(kNumericTypeId<int16_t> == DataTypeId::kInt16);
  static_assert(kNumericTypeId<double> == DataTypeId::kFloat64);
  static_assert(std::is_same_v<Promoted<uint8_t, int8_t>, int16_t>);
  for (DataTypeId id : kNumericIds) {
    VisitNumeric(id, [&]<typename T>(std::type_identity<T>) {
      EXPECT_EQ(kNumericTypeId<T>, id);
      EXPECT_EQ(sizeof(T), DataType{id}.size());
    });
  }
  EXPECT_THROW(VisitNumeric(DataTypeId::kBool, [](auto) {}), Error);
}

TEST(NumpyCastTest, DoubleToHalfRoundsLikeNumpy) {
  const double values[] = {0.0,
                           -0.0,
                           1.0,
                           65504.0,
                           65519.99,
                           65520.0,
                           1e6,
                           -1e6,
                           std::ldexp(1.0, -24),
                           std::ldexp(1.0, -25),
                           std::ldexp(1.0000001, -25),
                           std::ldexp(1.5, -24),
                           std::ldexp(2.5, -24),
                           std::ldexp(1.0, -14),
                           std::ldexp(1 - std::ldexp(1.0, -11), -14),
                           0.1,
                           1.0 / 3,
                           2049.0,
                           2051.0,
                           1.0009765625,
                           1.00048828125,
                           1.00146484375,
                           INFINITY,
                           -INFINITY,
                           NAN,
                           1e-300,
                           6.1e-5};
  // np.array(values, "<f8").astype("<f2").view("<u2")
  const uint16_t expected[] = {0,     32768, 15360, 31743, 31743, 31744, 31744, 64512, 1,
                               0,     1,     2,     2,     1024,  1024,  11878, 13653, 26624,
                               26626, 15361, 15360, 15362, 31744, 64512, 32256, 0,     1023};
  for (size_t i = 0; i < std::size(values); ++i) {
    EXPECT_EQ(DoubleToHalf(values[i]).bits, expected[i]) << values[i];
  }
}

TEST(NumpyCastTest, EveryHalfSurvivesTheRoundTripThroughFloat) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const uint16_t round_trip = DoubleToHalf(HalfToFloat(Half{static_cast<uint16_t>(bits)})).bits;
    // The hardware float->double conversion quiets signalling NaNs (bit 9).
    const bool is_nan = (bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0;
    EXPECT_EQ(is_nan ? round_trip | 0x200 : round_trip, is_nan ? bits | 0x200 : bits) << bits;
  }
  EXPECT_EQ(HalfToFloat(Half{0x0001}), std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(Half{0xC000}), -2.0f);
  EXPECT_TRUE(std::isinf(HalfToFloat(Half{0x7C00})));
}

TEST(NumpyCastTest, IntegerCastsWrap) {
  EXPECT_EQ((NumpyCast<int8_t>(int32_t{300})), 44);
  EXPECT_EQ((NumpyCast<uint64_t>(int8_t{-1})), UINT64_MAX);
  EXPECT_EQ((NumpyCast<int16_t>(uint64_t{40000})), -25536);
}

TEST(NumpyCastTest, FloatToIntegerTruncatesLikeNumpyOnX86) {
  // np.array(v, "<f8").astype(t)
  EXPECT_EQ((NumpyCast<int16_t>(-1.5)), -1);
  EXPECT_EQ((NumpyCast<int16_t>(70000.5)), 4464);
  EXPECT_EQ((NumpyCast<int16_t>(3e9)), 0);
  EXPECT_EQ((NumpyCast<int16_t>(NAN)), 0);
  EXPECT_EQ((NumpyCast<uint8_t>(-300.7)), 212);
  EXPECT_EQ((NumpyCast<int32_t>(3e9)), INT32_MIN);
  EXPECT_EQ((NumpyCast<int64_t>(NAN)), INT64_MIN);
  EXPECT_EQ((NumpyCast<uint32_t>(-1.5)), UINT32_MAX);
  EXPECT_EQ((NumpyCast<uint32_t>(3e9)), 3000000000u);
  EXPECT_EQ((NumpyCast<uint32_t>(5e9)), 0u);
  EXPECT_EQ((NumpyCast<uint32_t>(NAN)), 2147483648u);
  EXPECT_EQ((NumpyCast<uint64_t>(1.8e19)), 18000000000000000000u);
  EXPECT_EQ((NumpyCast<uint64_t>(-3e9)), UINT64_MAX - 3000000000u + 1);
  EXPECT_EQ((NumpyCast<uint64_t>(1e20)), 0u);
  EXPECT_EQ((NumpyCast<uint64_t>(NAN)), uint64_t{1} << 63);
  EXPECT_EQ((NumpyCast<int8_t>(Half{0x4248})), 3);  // float16 3.140625
}

TEST(NumpyCastTest, ArithmeticFollowsTheLoopType) {
  EXPECT_EQ(NumpyAdd<int8_t>(100, 100), -56);
  EXPECT_EQ(NumpyMul<uint16_t>(65535, 65535), 1);
  EXPECT_EQ(NumpySub<int64_t>(INT64_MIN, 1), INT64_MAX);
  // float16: 2048 + 1 rounds back to 2048.
  EXPECT_EQ(NumpyAdd(DoubleToHalf(2048), DoubleToHalf(1)).bits, DoubleToHalf(2048).bits);
  EXPECT_EQ(NumpyRint(2.5), 2.0);
  EXPECT_EQ(NumpyRint(-3.5f), -4.0f);
  EXPECT_EQ(NumpyRint(DoubleToHalf(0.5)).bits, DoubleToHalf(0).bits);
}

}  // namespace
}  // namespace geobatch
