// The conformance suite every bytes->bytes codec runs: round trips, decoding
// into an exact-size destination, size mismatches, truncation, garbage input
// and the decoded-size bound. Codec-specific behaviour lives in
// <codec>_test.cc.
#include <gtest/gtest.h>

#include "geobatch/codec/codec_test_util.h"

namespace geobatch {
namespace {

using testing::Bytes;

struct CodecCase {
  std::string label;
  nlohmann::json json;                    // v3 {"name", "configuration"} or a numcodecs {"id", ...}
  DataTypeId dtype = DataTypeId::kUInt8;  // the chunk's data type (CodecContext)
  // > 1 for codecs that only take whole elements of this many bytes.
  size_t element_size = 1;
  // Whether the format detects damage (magic numbers, checksums); codecs
  // without (shuffle, filters, lz4's bare block) need only fail safely.
  bool detects_garbage = true;
};

void PrintTo(const CodecCase& c, std::ostream* os) { *os << c.json.dump(); }

class BytesCodecConformanceTest : public ::testing::TestWithParam<CodecCase> {
 protected:
  std::shared_ptr<const BytesToBytesCodec> MakeCodec() const {
    const CodecCase& c = GetParam();
    const CodecContext context = testing::ContextFor(c.dtype);
    return c.json.contains("id") ? testing::MakeNumcodecs(c.json, context)
                                 : testing::MakeV3(c.json, context);
  }

  std::vector<Bytes> Payloads() const {
    const size_t e = GetParam().element_size;
    return {Bytes(),
            testing::RandomBytes(1 * e, 1),
            testing::RandomBytes(7 * e, 2),
            testing::RandomBytes(1001 * e, 3),
            Bytes(100000 * e, std::byte{0}),
            testing::SmoothFloats(4096)};
  }

  Bytes Sample() const { return testing::SmoothFloats(1024); }
};

void ExpectCorrupt(const auto& f) { EXPECT_EQ(testing::ErrorKindOf(f), ErrorKind::kCorrupt); }

TEST_P(BytesCodecConformanceTest, RoundTrips) {
  const auto codec = MakeCodec();
  for (const Bytes& payload : Payloads()) {
    SCOPED_TRACE(payload.size());
    const Buffer encoded = codec->Encode(payload);
    EXPECT_EQ(testing::ToBytes(codec->Decode(encoded, payload.size())), payload);
    Bytes out(payload.size());
    codec->DecodeInto(encoded, out);
    EXPECT_EQ(out, payload);
  }
}

TEST_P(BytesCodecConformanceTest, JsonRecreatesTheSameCodec) {
  const nlohmann::json json = MakeCodec()->ToJson();
  EXPECT_EQ(testing::MakeV3(json, testing::ContextFor(GetParam().dtype))->ToJson(), json);
}

TEST_P(BytesCodecConformanceTest, DecodeIntoRejectsWrongSizes) {
  const auto codec = MakeCodec();
  const Bytes payload = Sample();
  const Buffer encoded = codec->Encode(payload);
  for (size_t size : {payload.size() - 1, payload.size() + 1, size_t{0}}) {
    Bytes out(size);
    ExpectCorrupt([&] { codec->DecodeInto(encoded, out); });
  }
}

TEST_P(BytesCodecConformanceTest, RejectsTruncatedInput) {
  const auto codec = MakeCodec();
  const Bytes payload = Sample();
  const Buffer encoded = codec->Encode(payload);
  const size_t n = encoded.size();
  for (size_t cut : {size_t{0}, size_t{1}, size_t{3}, n / 2, n - 4, n - 1}) {
    SCOPED_TRACE(cut);
    const auto truncated = encoded.span().first(cut);
    Bytes out(payload.size());
    ExpectCorrupt([&] { codec->DecodeInto(truncated, out); });
    if (GetParam().detects_garbage) ExpectCorrupt([&] { codec->Decode(truncated, 1 << 20); });
  }
}

TEST_P(BytesCodecConformanceTest, SurvivesGarbage) {
  const auto codec = MakeCodec();
  constexpr size_t kBound = 1 << 20;
  for (size_t size : {1, 3, 16, 100, 4096}) {
    SCOPED_TRACE(size);
    const Bytes garbage = testing::RandomBytes(size, static_cast<uint32_t>(size));
    try {
      const Buffer decoded = codec->Decode(garbage, kBound);
      EXPECT_FALSE(GetParam().detects_garbage) << "decoded garbage without complaint";
      EXPECT_LE(decoded.size(), kBound);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorrupt) << e.what();
    }
    Bytes out(1000);
    try {
      codec->DecodeInto(garbage, out);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorrupt) << e.what();
    }
  }
}

TEST_P(BytesCodecConformanceTest, RespectsTheDecodedSizeBound) {
  const auto codec = MakeCodec();
  for (const Bytes& payload : Payloads()) {
    if (payload.empty()) continue;
    SCOPED_TRACE(payload.size());
    const Buffer encoded = codec->Encode(payload);
    ExpectCorrupt([&] { codec->Decode(encoded, payload.size() - 1); });
    ExpectCorrupt([&] { codec->Decode(encoded, 0); });
  }
}

TEST_P(BytesCodecConformanceTest, RejectsPartialElements) {
  const size_t e = GetParam().element_size;
  if (e == 1) return;  // takes any number of bytes
  const auto codec = MakeCodec();
  const Bytes partial = testing::RandomBytes(10 * e + 1, 7);
  EXPECT_EQ(testing::ErrorKindOf([&] { codec->Encode(partial); }), ErrorKind::kInvalidArgument);
  ExpectCorrupt([&] { codec->Decode(partial, 1 << 20); });
}

nlohmann::json V3(std::string_view name, nlohmann::json configuration = nullptr) {
  return CodecJson(name, std::move(configuration));
}

const CodecCase kCases[] = {
    {"blosc_lz4_shuffle",
     V3("blosc", {{"cname", "lz4"},
                  {"clevel", 5},
                  {"shuffle", "shuffle"},
                  {"typesize", 4},
                  {"blocksize", 0}}),
     DataTypeId::kFloat32},
    {"blosc_zstd_bitshuffle",
     V3("blosc",
        {{"cname", "zstd"}, {"clevel", 3}, {"shuffle", "bitshuffle"}, {"blocksize", 4096}}),
     DataTypeId::kFloat64},
    {"numcodecs_blosc_zlib_autoshuffle",
     {{"id", "blosc"}, {"cname", "zlib"}, {"clevel", 1}, {"shuffle", -1}}},
    {"numcodecs_blosc_blosclz_noshuffle",
     {{"id", "blosc"}, {"cname", "blosclz"}, {"clevel", 9}, {"shuffle", 0}},
     DataTypeId::kInt16},
    {"zstd_checksum", V3("zstd", {{"level", 3}, {"checksum", true}})},
    {"numcodecs_zstd", {{"id", "zstd"}}},
    {"gzip", V3("gzip", {{"level", 6}})},
    {"numcodecs_gzip", {{"id", "gzip"}, {"level", 1}}},
    {"numcodecs_zlib", {{"id", "zlib"}, {"level", 9}}},
    {"numcodecs_lz4", {{"id", "lz4"}}, DataTypeId::kUInt8, 1, false},
    {"numcodecs_bz2", {{"id", "bz2"}, {"level", 9}}},
    {"crc32c", V3("crc32c")},
    {"numcodecs_crc32c_start", {{"id", "crc32c"}, {"location", "start"}}},
    {"numcodecs_shuffle", {{"id", "shuffle"}, {"elementsize", 4}}, DataTypeId::kUInt8, 4, false},
    {"numcodecs_delta", {{"id", "delta"}, {"dtype", "<i4"}}, DataTypeId::kUInt8, 4, false},
    {"numcodecs_delta_big_endian_widened",
     {{"id", "delta"}, {"dtype", ">i2"}, {"astype", "<i4"}},
     DataTypeId::kUInt8,
     2,
     false},
    {"numcodecs_fixedscaleoffset",
     {{"id", "fixedscaleoffset"}, {"offset", 0}, {"scale", 1}, {"dtype", "<i4"}},
     DataTypeId::kUInt8,
     4,
     false},
    {"numcodecs_astype",
     {{"id", "astype"}, {"encode_dtype", "<f8"}, {"decode_dtype", "<i4"}},
     DataTypeId::kUInt8,
     4,
     false},
};

INSTANTIATE_TEST_SUITE_P(Codecs, BytesCodecConformanceTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace geobatch
