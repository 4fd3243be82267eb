#include "geobatch/gpu/gpu_codec_plan.h"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <lz4.h>

#include <numeric>
#include <vector>

#include "geobatch/format/zarr/array_metadata.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

ArrayMetadata V2(const std::string& dtype, const std::string& compressor, const std::string& filters = "null") {
  return ParseArrayMetadataV2(std::string_view(R"({"zarr_format": 2, "shape": [64], "chunks": [64], "dtype": ")" + dtype +
                                  R"(", "compressor": )" + compressor + R"(, "fill_value": 0, "order": "C",
                                  "filters": )" + filters + "}"),
                              std::string_view());
}

ArrayMetadata V3(const std::string& dtype, const std::string& codecs) {
  return ParseArrayMetadataV3(std::string_view(R"({"zarr_format": 3, "node_type": "array", "shape": [64], "data_type": ")" + dtype +
                              R"(", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [64]}},
                              "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": )" + codecs +
                              "}"));
}

TEST(GpuCodecPlanTest, CompressorsNvcompReads) {
  auto zstd = PlanGpuDecode(*V3("float32", R"([{"name": "bytes", "configuration": {"endian": "little"}},
                                                {"name": "zstd", "configuration": {"level": 3}}])").codecs);
  ASSERT_TRUE(zstd);
  EXPECT_TRUE(zstd->compressed);
  EXPECT_EQ(zstd->codec, NvcompCodec::kZstd);
  auto gzip = PlanGpuDecode(*V3("int16", R"([{"name": "bytes", "configuration": {"endian": "little"}},
                                              {"name": "gzip", "configuration": {"level": 5}}])").codecs);
  ASSERT_TRUE(gzip);
  EXPECT_EQ(gzip->codec, NvcompCodec::kGzip);
  auto zlib = PlanGpuDecode(*V2("<f8", R"({"id": "zlib", "level": 1})").codecs);
  ASSERT_TRUE(zlib);
  EXPECT_EQ(zlib->codec, NvcompCodec::kDeflate);
  EXPECT_EQ(zlib->framing, GpuDecodePlan::Framing::kZlib);
  auto lz4 = PlanGpuDecode(*V2("<u2", R"({"id": "lz4", "acceleration": 1})").codecs);
  ASSERT_TRUE(lz4);
  EXPECT_EQ(lz4->codec, NvcompCodec::kLz4);
  EXPECT_EQ(lz4->framing, GpuDecodePlan::Framing::kNumcodecsLz4);
  auto v2_zstd = PlanGpuDecode(*V2("<i4", R"({"id": "zstd", "level": 1})").codecs);
  ASSERT_TRUE(v2_zstd);
  EXPECT_EQ(v2_zstd->codec, NvcompCodec::kZstd);
}

TEST(GpuCodecPlanTest, UncompressedChunksAreCopied) {
  auto plan = PlanGpuDecode(*V2("<f4", "null").codecs);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->compressed);
  // Byte order does not matter for one-byte elements.
  EXPECT_TRUE(PlanGpuDecode(*V2(">u1", "null").codecs));
}

TEST(GpuCodecPlanTest, EverythingElseNeedsTheCpu) {
  std::string why;
  EXPECT_FALSE(PlanGpuDecode(*V2("<f4", R"({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1})").codecs,
                             &why));
  EXPECT_NE(why.find("blosc"), std::string::npos) << why;
  EXPECT_FALSE(PlanGpuDecode(*V2(">f4", R"({"id": "zstd", "level": 1})").codecs, &why));
  EXPECT_NE(why.find("big-endian"), std::string::npos) << why;
  EXPECT_FALSE(PlanGpuDecode(*V2("<f4", R"({"id": "zstd", "level": 1})", R"([{"id": "delta", "dtype": "<f4"}])")
                                  .codecs));
  EXPECT_FALSE(PlanGpuDecode(*V3("float32", R"([{"name": "bytes", "configuration": {"endian": "little"}},
                                                 {"name": "zstd", "configuration": {"level": 3}},
                                                 {"name": "crc32c"}])").codecs));
  EXPECT_FALSE(PlanGpuDecode(*V3("float32", R"([{"name": "transpose", "configuration": {"order": [0]}},
                                                 {"name": "bytes", "configuration": {"endian": "little"}}])").codecs));
}

std::vector<std::byte> Data(size_t n) {
  std::vector<std::byte> data(n);
  for (size_t i = 0; i < n; ++i) data[i] = std::byte(static_cast<uint8_t>(i * 7 % 13));
  return data;
}

TEST(GpuCodecPlanTest, ZlibPayloadIsTheRawDeflateStream) {
  const ArrayMetadata meta = V2("<u1", R"({"id": "zlib", "level": 6})");
  const auto data = Data(64);
  const Buffer encoded = meta.codecs->Encode(data);
  const auto payload = NvcompPayload(*PlanGpuDecode(*meta.codecs), encoded.span(), 64);
  EXPECT_EQ(payload.size(), encoded.size() - 6);
  std::vector<std::byte> decoded(64);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  size_t got = 0;
  EXPECT_EQ(libdeflate_deflate_decompress(d, payload.data(), payload.size(), decoded.data(), 64, &got),
            LIBDEFLATE_SUCCESS);
  libdeflate_free_decompressor(d);
  EXPECT_EQ(got, 64u);
  EXPECT_EQ(decoded, data);
}

TEST(GpuCodecPlanTest, Lz4PayloadIsTheBlockAfterTheSize) {
  const ArrayMetadata meta = V2("<u1", R"({"id": "lz4", "acceleration": 1})");
  const auto data = Data(64);
  const Buffer encoded = meta.codecs->Encode(data);
  const GpuDecodePlan plan = *PlanGpuDecode(*meta.codecs);
  const auto payload = NvcompPayload(plan, encoded.span(), 64);
  std::vector<std::byte> decoded(64);
  EXPECT_EQ(LZ4_decompress_safe(reinterpret_cast<const char*>(payload.data()), reinterpret_cast<char*>(decoded.data()),
                                static_cast<int>(payload.size()), 64),
            64);
  EXPECT_EQ(decoded, data);
  EXPECT_THROW(NvcompPayload(plan, encoded.span(), 65), Error);  // declares another size
  EXPECT_THROW(NvcompPayload(plan, encoded.span().first(3), 64), Error);
}

TEST(GpuCodecPlanTest, MalformedZlibHeaderIsCorrupt) {
  GpuDecodePlan plan;
  plan.codec = NvcompCodec::kDeflate;
  plan.framing = GpuDecodePlan::Framing::kZlib;
  const std::vector<std::byte> bad = {std::byte(0x78), std::byte(0x9d), std::byte(0), std::byte(0), std::byte(0),
                                      std::byte(0), std::byte(0)};
  try {
    NvcompPayload(plan, bad, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorrupt);
  }
}

}  // namespace
}  // namespace geobatch::gpu
