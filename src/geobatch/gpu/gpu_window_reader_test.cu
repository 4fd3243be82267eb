// GPU window reads against the CPU WindowReader, bit for bit, for every
// codec nvCOMP decodes and for the CPU fallbacks (blosc, sharding).
#include "geobatch/gpu/gpu_window_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "geobatch/gpu/gpu_test_util.h"
#include "geobatch/gpu/nvcomp_library.h"
#include "geobatch/store/memory_store.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

using json = nlohmann::json;

// A 3-D float32 array 20x17x9 in 6x5x4 chunks (edge chunks partial), some
// chunks missing, written with `codecs`.
std::shared_ptr<const ZarrArray> MakeArray(const json& codecs, std::vector<uint64_t> chunk_shape = {6, 5, 4}) {
  const json metadata = {{"zarr_format", 3},
                         {"node_type", "array"},
                         {"shape", {20, 17, 9}},
                         {"data_type", "float32"},
                         {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", chunk_shape}}}}},
                         {"chunk_key_encoding", {{"name", "default"}}},
                         {"fill_value", -7.5},
                         {"codecs", codecs}};
  auto store = std::make_shared<MemoryStore>();
  ArrayMetadata meta = ParseArrayMetadataV3(metadata);
  auto array = std::make_shared<const ZarrArray>(store, "a", meta);
  const auto grid = meta.grid_shape();
  const auto& cs = meta.chunk_shape;
  std::mt19937 random(42);
  for (uint64_t a = 0; a < grid[0]; ++a) {
    for (uint64_t b = 0; b < grid[1]; ++b) {
      for (uint64_t c = 0; c < grid[2]; ++c) {
        if ((a + 2 * b + 3 * c) % 7 == 3) continue;  // missing: fill value
        std::vector<float> chunk(cs[0] * cs[1] * cs[2]);
        for (float& v : chunk) v = static_cast<float>(random() % 1000) / 8.0f;
        const Buffer encoded = meta.codecs->Encode(std::as_bytes(std::span(chunk)));
        const std::vector<uint64_t> coords = {a, b, c};
        store->Set(array->ChunkKey(coords), encoded.span());
      }
    }
  }
  return array;
}

json Compressed(json compressor) {
  return json::array({{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}, compressor});
}

void ExpectSameAsCpu(const std::shared_ptr<const ZarrArray>& array, DecodeMode mode) {
  auto cache = std::make_shared<DecodedChunkCache>(1 << 20);
  GpuWindowReader gpu_reader(array, cache, 0, mode);
  auto cpu_reader = std::make_shared<WindowReader>(array, std::make_shared<DecodedChunkCache>(1 << 20));
  const std::vector<uint64_t> extent = {7, 6, 5};
  std::vector<uint64_t> origins;
  std::mt19937 random(7);
  for (int i = 0; i < 24; ++i) {
    origins.push_back(random() % (20 - 7 + 1));
    origins.push_back(random() % (17 - 6 + 1));
    origins.push_back(random() % (9 - 5 + 1));
  }
  std::vector<std::byte> expected(24 * 7 * 6 * 5 * sizeof(float));
  cpu_reader->Read(origins, extent, expected);
  auto out = gpu_reader.Read(origins, extent);
  ASSERT_EQ(out->bytes(), expected.size());
  EXPECT_EQ(CopyToHost(out->data(), out->bytes()), expected);
}

#define GEOBATCH_REQUIRE_NVCOMP()                                                     \
  do {                                                                                \
    if (!NvcompLibrary::Get()) GTEST_SKIP() << NvcompLibrary::LoadError();            \
  } while (0)

TEST(GpuWindowReaderTest, ZstdDecodesOnTheGpu) {
  GEOBATCH_REQUIRE_GPU();
  GEOBATCH_REQUIRE_NVCOMP();
  ExpectSameAsCpu(MakeArray(Compressed({{"name", "zstd"}, {"configuration", {{"level", 3}}}})), DecodeMode::kGpu);
}

TEST(GpuWindowReaderTest, GzipDecodesOnTheGpu) {
  GEOBATCH_REQUIRE_GPU();
  GEOBATCH_REQUIRE_NVCOMP();
  ExpectSameAsCpu(MakeArray(Compressed({{"name", "gzip"}, {"configuration", {{"level", 5}}}})), DecodeMode::kGpu);
}

TEST(GpuWindowReaderTest, ZlibDecodesOnTheGpu) {
  GEOBATCH_REQUIRE_GPU();
  GEOBATCH_REQUIRE_NVCOMP();
  ExpectSameAsCpu(MakeArray(Compressed({{"name", "numcodecs.zlib"}, {"configuration", {{"level", 1}}}})),
                  DecodeMode::kGpu);
}

TEST(GpuWindowReaderTest, Lz4DecodesOnTheGpu) {
  GEOBATCH_REQUIRE_GPU();
  GEOBATCH_REQUIRE_NVCOMP();
  ExpectSameAsCpu(MakeArray(Compressed({{"name", "numcodecs.lz4"}, {"configuration", {{"acceleration", 1}}}})),
                  DecodeMode::kGpu);
}

TEST(GpuWindowReaderTest, UncompressedChunksAreGatheredOnTheGpu) {
  GEOBATCH_REQUIRE_GPU();
  ExpectSameAsCpu(MakeArray(json::array({{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}})),
                  DecodeMode::kGpu);
}

TEST(GpuWindowReaderTest, ShardedZstdDecodesInnerChunksOnTheGpu) {
  GEOBATCH_REQUIRE_GPU();
  GEOBATCH_REQUIRE_NVCOMP();
  const json sharding = {{"name", "sharding_indexed"},
                         {"configuration",
                          {{"chunk_shape", {3, 5, 2}},
                           {"codecs", Compressed({{"name", "zstd"}, {"configuration", {{"level", 1}}}})},
                           {"index_codecs", json::array({{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}})}}}};
  ExpectSameAsCpu(MakeArray(json::array({sharding})), DecodeMode::kGpu);
}

TEST(GpuWindowReaderTest, BloscFallsBackToTheCpuInAutoMode) {
  GEOBATCH_REQUIRE_GPU();
  const auto array = MakeArray(Compressed(
      {{"name", "blosc"},
       {"configuration", {{"cname", "lz4"}, {"clevel", 5}, {"shuffle", "shuffle"}, {"typesize", 4}, {"blocksize", 0}}}}));
  GpuWindowReader reader(array, std::make_shared<DecodedChunkCache>(1 << 20), 0, DecodeMode::kAuto);
  EXPECT_FALSE(reader.decodes_on_gpu());
  EXPECT_NE(reader.cpu_reason().find("blosc"), std::string::npos) << reader.cpu_reason();
  ExpectSameAsCpu(array, DecodeMode::kAuto);
  EXPECT_THROW(GpuWindowReader(array, std::make_shared<DecodedChunkCache>(1), 0, DecodeMode::kGpu), Error);
}

TEST(GpuWindowReaderTest, CpuModeGivesTheSameBytes) {
  GEOBATCH_REQUIRE_GPU();
  ExpectSameAsCpu(MakeArray(Compressed({{"name", "zstd"}, {"configuration", {{"level", 3}}}})), DecodeMode::kCpu);
}

TEST(GpuWindowReaderTest, CorruptChunkIsACorruptErrorNamingIt) {
  GEOBATCH_REQUIRE_GPU();
  GEOBATCH_REQUIRE_NVCOMP();
  const auto array = MakeArray(Compressed({{"name", "numcodecs.lz4"}, {"configuration", {{"acceleration", 1}}}}));
  auto* store = dynamic_cast<MemoryStore*>(array->store().get());
  const std::vector<uint64_t> first = {0, 0, 0};
  const std::vector<std::byte> garbage(40, std::byte(0xff));
  store->Set(array->ChunkKey(first), garbage);
  GpuWindowReader reader(array, std::make_shared<DecodedChunkCache>(1 << 20), 0, DecodeMode::kGpu);
  const std::vector<uint64_t> origin = {0, 0, 0}, extent = {2, 2, 2};
  try {
    reader.Read(origin, extent);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("read-chunk (0,0,0)"), std::string::npos) << e.what();
  }
}

TEST(GpuWindowReaderTest, ParsesDecodeModes) {
  EXPECT_EQ(ParseDecodeMode("auto"), DecodeMode::kAuto);
  EXPECT_EQ(ParseDecodeMode("gpu"), DecodeMode::kGpu);
  EXPECT_EQ(ParseDecodeMode("cpu"), DecodeMode::kCpu);
  EXPECT_THROW(ParseDecodeMode("GPU"), Error);
}

}  // namespace
}  // namespace geobatch::gpu
