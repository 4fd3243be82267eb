// End-to-end reads through ZarrArray over a memory store: every box of a
// small array, chunked plainly and sharded, against the source values.
#include "geobatch/format/zarr/zarr_array.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "geobatch/format/zarr/small_array_json.h"
#include "geobatch/store/memory_store.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

using json = nlohmann::json;

// A 2-D uint16 array of shape 13x10 whose element (i, j) is i*100 + j.
struct Fixture {
  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
  std::vector<uint64_t> shape = {13, 10};
  std::vector<uint16_t> values;

  Fixture() {
    for (uint16_t i = 0; i < shape[0]; ++i) {
      for (uint16_t j = 0; j < shape[1]; ++j) values.push_back(static_cast<uint16_t>(i * 100 + j));
    }
  }

  // Writes every chunk of `meta` except those in `skip` (left missing).
  ZarrArray Write(const json& zarr_json, const std::vector<std::vector<uint64_t>>& skip = {}) {
    ArrayMetadata meta = ParseArrayMetadataV3(zarr_json);
    ZarrArray array(store, "arr", meta);
    const auto grid = meta.grid_shape();
    const auto& cs = meta.chunk_shape;
    for (uint64_t ci = 0; ci < grid[0]; ++ci) {
      for (uint64_t cj = 0; cj < grid[1]; ++cj) {
        if (std::find(skip.begin(), skip.end(), std::vector<uint64_t>{ci, cj}) != skip.end()) continue;
        std::vector<uint16_t> chunk(cs[0] * cs[1], 7);  // padding beyond the edge
        for (uint64_t i = 0; i < cs[0]; ++i) {
          for (uint64_t j = 0; j < cs[1]; ++j) {
            const uint64_t gi = ci * cs[0] + i, gj = cj * cs[1] + j;
            if (gi < shape[0] && gj < shape[1]) chunk[i * cs[1] + j] = values[gi * shape[1] + gj];
          }
        }
        Buffer encoded = meta.codecs->Encode(std::as_bytes(std::span(chunk)));
        const std::vector<uint64_t> coords = {ci, cj};
        store->Set(array.ChunkKey(coords), encoded.span());
      }
    }
    return array;
  }

  std::vector<uint16_t> Expected(const std::vector<uint64_t>& origin, const std::vector<uint64_t>& extent,
                                 uint16_t fill, const std::vector<std::vector<uint64_t>>& missing_chunks = {},
                                 const std::vector<uint64_t>& chunk_shape = {}) const {
    std::vector<uint16_t> out;
    for (uint64_t i = origin[0]; i < origin[0] + extent[0]; ++i) {
      for (uint64_t j = origin[1]; j < origin[1] + extent[1]; ++j) {
        bool missing = false;
        for (const auto& c : missing_chunks) {
          missing |= i / chunk_shape[0] == c[0] && j / chunk_shape[1] == c[1];
        }
        out.push_back(missing ? fill : values[i * shape[1] + j]);
      }
    }
    return out;
  }
};

json Metadata(json codecs, json chunk_shape = {4, 3}) {
  return testing::SmallArrayJson(std::move(codecs), std::move(chunk_shape));
}

std::vector<uint16_t> ReadBox(const ZarrArray& array, std::vector<uint64_t> origin, std::vector<uint64_t> extent) {
  std::vector<uint16_t> out(extent[0] * extent[1]);
  array.Read(origin, extent, std::as_writable_bytes(std::span(out)));
  return out;
}

const json kLittle = {{"name", "bytes"}, {"configuration", {{"endian", "little"}}}};
const json kBig = {{"name", "bytes"}, {"configuration", {{"endian", "big"}}}};

class EveryBox : public ::testing::TestWithParam<json> {};

TEST_P(EveryBox, MatchesSource) {
  Fixture f;
  const ZarrArray array = f.Write(GetParam());
  for (uint64_t i0 = 0; i0 < 13; i0 += 2) {
    for (uint64_t j0 = 0; j0 < 10; j0 += 3) {
      for (uint64_t h = 0; i0 + h <= 13; h += 3) {
        for (uint64_t w = 0; j0 + w <= 10; w += 2) {
          ASSERT_EQ(ReadBox(array, {i0, j0}, {h, w}), f.Expected({i0, j0}, {h, w}, 0))
              << "box at " << i0 << "," << j0 << " size " << h << "x" << w;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, EveryBox,
    ::testing::Values(
        Metadata({kLittle}), Metadata({kBig}),
        Metadata({{{"name", "transpose"}, {"configuration", {{"order", {1, 0}}}}}, kBig}),
        Metadata({{{"name", "sharding_indexed"},
                   {"configuration",
                    {{"chunk_shape", {2, 3}},
                     {"codecs", {kLittle}},
                     {"index_codecs", {kLittle, {{"name", "crc32c"}}}},
                     {"index_location", "end"}}}}},
                 {4, 6}),
        Metadata({{{"name", "sharding_indexed"},
                   {"configuration",
                    {{"chunk_shape", {4, 6}},
                     {"codecs",
                      {{{"name", "sharding_indexed"},
                        {"configuration",
                         {{"chunk_shape", {2, 3}}, {"codecs", {kBig}}, {"index_codecs", {kLittle}},
                          {"index_location", "start"}}}}}},
                     {"index_codecs", {kLittle}},
                     {"index_location", "start"}}}}},
                 {8, 6})));

TEST(ZarrArrayRead, MissingChunksReadAsFillValue) {
  Fixture f;
  const ZarrArray array = f.Write(Metadata({kLittle}), {{1, 1}, {3, 3}});
  EXPECT_EQ(ReadBox(array, {0, 0}, {13, 10}), f.Expected({0, 0}, {13, 10}, 65535, {{1, 1}, {3, 3}}, {4, 3}));
}

TEST(ZarrArrayRead, ErrorsNameTheArrayAndChunkKey) {
  Fixture f;
  const ZarrArray array = f.Write(Metadata({kLittle}));
  const std::byte truncated[3] = {};
  f.store->Set("arr/c/1/2", truncated);
  try {
    ReadBox(array, {0, 0}, {13, 10});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("array 'arr' chunk 'arr/c/1/2'"), std::string::npos) << e.what();
  }
}

TEST(ZarrArrayRead, RefusesBoxesOutsideTheArray) {
  Fixture f;
  const ZarrArray array = f.Write(Metadata({kLittle}));
  std::vector<uint16_t> out(4);
  EXPECT_THROW(array.Read(std::vector<uint64_t>{12, 0}, std::vector<uint64_t>{2, 2},
                          std::as_writable_bytes(std::span(out))),
               Error);
  EXPECT_THROW(array.Read(std::vector<uint64_t>{0, 0}, std::vector<uint64_t>{1, 3},
                          std::as_writable_bytes(std::span(out))),
               Error);  // wrong output size
}

TEST(ZarrArrayRead, CorruptShardIndexIsReported) {
  Fixture f;
  const json meta = Metadata({{{"name", "sharding_indexed"},
                               {"configuration",
                                {{"chunk_shape", {2, 3}},
                                 {"codecs", {kLittle}},
                                 {"index_codecs", {kLittle, {{"name", "crc32c"}}}}}}}},
                             {4, 6});
  const ZarrArray array = f.Write(meta);
  auto shard = *f.store->Get("arr/c/0/0", ByteRange::All());
  shard.data()[shard.size() - 10] ^= std::byte{0xff};  // inside the index
  f.store->Set("arr/c/0/0", shard.span());
  EXPECT_THROW(ReadBox(array, {0, 0}, {2, 2}), Error);
}

}  // namespace
}  // namespace geobatch
