// Parsing of v3 and v2 array metadata, including hostile documents.
#include "geobatch/format/zarr/array_metadata.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "geobatch/codec/numpy_cast.h"
#include "geobatch/format/zarr/fill_value.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

using json = nlohmann::json;

json V3(json overrides = json::object()) {
  json meta = {{"zarr_format", 3},
               {"node_type", "array"},
               {"shape", {100, 50}},
               {"data_type", "float32"},
               {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", {10, 10}}}}}},
               {"chunk_key_encoding", {{"name", "default"}, {"configuration", {{"separator", "."}}}}},
               {"fill_value", "NaN"},
               {"codecs", {{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}}},
               {"dimension_names", {"y", nullptr}}};
  meta.merge_patch(overrides);
  return meta;
}

ErrorKind KindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::kInternal;
}

TEST(ArrayMetadataV3, ParsesTheCoreFields) {
  const ArrayMetadata meta = ParseArrayMetadataV3(V3());
  EXPECT_EQ(meta.shape, (std::vector<uint64_t>{100, 50}));
  EXPECT_EQ(meta.chunk_shape, (std::vector<uint64_t>{10, 10}));
  EXPECT_EQ(meta.dtype.id, DataTypeId::kFloat32);
  float fill;
  std::memcpy(&fill, meta.fill_value.data(), 4);
  EXPECT_TRUE(std::isnan(fill));
  EXPECT_EQ(meta.chunk_key_encoding.Key(std::vector<uint64_t>{3, 4}), "c.3.4");
  ASSERT_TRUE(meta.dimension_names.has_value());
  EXPECT_EQ((*meta.dimension_names)[0], "y");
  EXPECT_FALSE((*meta.dimension_names)[1].has_value());
  EXPECT_EQ(meta.grid_shape(), (std::vector<uint64_t>{10, 5}));
}

TEST(ArrayMetadataV3, RefusesHostileShapes) {
  EXPECT_EQ(KindOf([] { ParseArrayMetadataV3(V3({{"shape", {uint64_t{1} << 40, uint64_t{1} << 40}}})); }),
            ErrorKind::kInvalidArgument);  // byte size overflows
  EXPECT_EQ(KindOf([] {
              ParseArrayMetadataV3(V3({{"chunk_grid", {{"configuration", {{"chunk_shape", {0, 10}}}}}}}));
            }),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(KindOf([] {
              ParseArrayMetadataV3(V3({{"chunk_grid", {{"configuration", {{"chunk_shape", {-1, 10}}}}}}}));
            }),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(KindOf([] {
              ParseArrayMetadataV3(
                  V3({{"chunk_grid", {{"configuration", {{"chunk_shape", {1 << 20, 1 << 20}}}}}}}));
            }),
            ErrorKind::kInvalidArgument);  // absurd chunk
  EXPECT_EQ(KindOf([] { ParseArrayMetadataV3(V3({{"shape", {100}}})); }), ErrorKind::kInvalidArgument);
}

TEST(ArrayMetadataV3, RefusesUnknownThings) {
  EXPECT_EQ(KindOf([] { ParseArrayMetadataV3(V3({{"data_type", "string"}})); }), ErrorKind::kUnsupported);
  EXPECT_EQ(KindOf([] { ParseArrayMetadataV3(V3({{"codecs", {{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}, {{"name", "snappy9"}}}}})); }),
            ErrorKind::kUnsupported);
  EXPECT_EQ(KindOf([] { ParseArrayMetadataV3(V3({{"my_extension", {{"must_understand", true}}}})); }),
            ErrorKind::kUnsupported);
  EXPECT_NO_THROW(ParseArrayMetadataV3(V3({{"my_extension", {{"must_understand", false}}}})));
  EXPECT_EQ(KindOf([] { ParseArrayMetadataV3(std::string_view("{\"zarr_format\": 3,")); }),
            ErrorKind::kCorrupt);
}

TEST(ArrayMetadataV2, MapsOrderDtypeAndFilters) {
  const json zarray = {{"zarr_format", 2},       {"shape", {4, 6}},          {"chunks", {2, 3}},
                       {"dtype", ">i4"},         {"fill_value", 0},          {"order", "F"},
                       {"compressor", nullptr},  {"filters", nullptr},       {"dimension_separator", "/"}};
  const ArrayMetadata meta = ParseArrayMetadataV2(zarray, json{{"_ARRAY_DIMENSIONS", {"x", "y"}}});
  EXPECT_EQ(meta.dtype.id, DataTypeId::kInt32);
  EXPECT_EQ(meta.chunk_key_encoding.Key(std::vector<uint64_t>{1, 0}), "1/0");
  EXPECT_EQ(meta.codecs->ToJson()[0]["name"], "transpose");
  EXPECT_EQ(meta.codecs->ToJson()[1]["configuration"]["endian"], "big");
  EXPECT_EQ((*meta.dimension_names)[1], "y");
}

TEST(ArrayMetadataV2, ReadsDatetimeUnits) {
  const json zarray = {{"zarr_format", 2}, {"shape", {4}}, {"chunks", {2}}, {"dtype", "<M8[ns]"},
                       {"fill_value", nullptr}, {"order", "C"}, {"compressor", nullptr}, {"filters", nullptr}};
  const ArrayMetadata meta = ParseArrayMetadataV2(zarray, json());
  EXPECT_EQ(meta.dtype.numpy_str(), "<M8[ns]");
  EXPECT_EQ(meta.dtype.size(), 8u);
}

TEST(FillValue, EncodingsOfTheSpec) {
  auto bits32 = [](const json& v) {
    uint32_t out;
    std::memcpy(&out, ParseFillValue(v, DataType{DataTypeId::kFloat32}).data(), 4);
    return out;
  };
  EXPECT_EQ(bits32("0x7fc00001"), 0x7fc00001u);
  EXPECT_EQ(bits32("Infinity"), 0x7f800000u);
  EXPECT_EQ(bits32("-Infinity"), 0xff800000u);
  EXPECT_EQ(bits32(1.5), 0x3fc00000u);
  EXPECT_EQ(ParseFillValue(true, DataType{DataTypeId::kBool})[0], std::byte{1});
  EXPECT_THROW(ParseFillValue(300, DataType{DataTypeId::kUInt8}), Error);
  EXPECT_THROW(ParseFillValue(-1, DataType{DataTypeId::kUInt16}), Error);
  EXPECT_THROW(ParseFillValue("banana", DataType{DataTypeId::kFloat64}), Error);
  const auto complex = ParseFillValue(json{1.0, "NaN"}, DataType{DataTypeId::kComplex64});
  float parts[2];
  std::memcpy(parts, complex.data(), 8);
  EXPECT_EQ(parts[0], 1.0f);
  EXPECT_TRUE(std::isnan(parts[1]));
}

TEST(FillValue, HalfPrecisionFillValues) {
  auto bits16 = [](const json& v) {
    uint16_t out;
    std::memcpy(&out, ParseFillValue(v, DataType{DataTypeId::kFloat16}).data(), 2);
    return out;
  };
  EXPECT_EQ(bits16(1.0), 0x3c00);
  EXPECT_EQ(bits16(-2.0), 0xc000);
  EXPECT_EQ(bits16(65504.0), 0x7bff);
  EXPECT_EQ(bits16(1e6), 0x7c00);
  EXPECT_EQ(bits16(1.0 + 1.0 / 2048), 0x3c00);  // a tie rounds to even
  EXPECT_EQ(bits16("0x7e01"), 0x7e01);
}

}  // namespace
}  // namespace geobatch
