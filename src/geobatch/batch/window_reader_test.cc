// WindowReader::ReadMany over a memory store: many reads (several batches of
// one array, several readers) sharing chunks, each chunk decoded once, and
// the errors: bad reads refused before any load, a corrupt chunk named and
// retried on the next call.
#include "geobatch/batch/window_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "geobatch/format/zarr/array_metadata.h"
#include "geobatch/format/zarr/small_array_json.h"
#include "geobatch/store/memory_store.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

using json = nlohmann::json;

const json kLittle = {{"name", "bytes"}, {"configuration", {{"endian", "little"}}}};

// The 13x10 uint16 test array (fill value 65535) in chunks of `chunk_shape`.
ArrayMetadata Metadata(std::vector<uint64_t> chunk_shape, json codecs) {
  return ParseArrayMetadataV3(testing::SmallArrayJson(std::move(codecs), std::move(chunk_shape)));
}

// A 13x10 uint16 array, element (i, j) = i * 100 + j, in zstd chunks of 4x3;
// chunk (1, 1) is never written (reads as the fill value 65535).
struct Fixture {
  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
  std::shared_ptr<ZarrArray> array;
  std::shared_ptr<DecodedChunkCache> cache = std::make_shared<DecodedChunkCache>(1 << 20);

  Fixture() {
    array = std::make_shared<ZarrArray>(
        store, "arr",
        Metadata({4, 3}, {kLittle, {{"name", "zstd"}, {"configuration", {{"level", 1}, {"checksum", false}}}}}));
    for (uint64_t ci = 0; ci < 4; ++ci) {
      for (uint64_t cj = 0; cj < 4; ++cj) {
        if (ci == 1 && cj == 1) continue;
        WriteChunk(ci, cj);
      }
    }
  }

  void WriteChunk(uint64_t ci, uint64_t cj) {
    std::vector<uint16_t> chunk(12, 7);
    for (uint64_t i = 0; i < 4; ++i) {
      for (uint64_t j = 0; j < 3; ++j) chunk[i * 3 + j] = static_cast<uint16_t>((ci * 4 + i) * 100 + cj * 3 + j);
    }
    const std::vector<uint64_t> coords = {ci, cj};
    store->Set(array->ChunkKey(coords),
               array->metadata().codecs->Encode(std::as_bytes(std::span(chunk))).span());
  }

  std::shared_ptr<WindowReader> Reader() { return std::make_shared<WindowReader>(array, cache); }

  static uint16_t Expected(uint64_t i, uint64_t j) {
    return i / 4 == 1 && j / 3 == 1 ? 65535 : static_cast<uint16_t>(i * 100 + j);
  }
};

// Windows of 3x4 at `origins` (flat pairs), with their output.
struct Windows {
  std::vector<uint64_t> origins;
  std::vector<uint64_t> extent = {3, 4};
  std::vector<uint16_t> out;

  explicit Windows(std::vector<uint64_t> at) : origins(std::move(at)), out(origins.size() / 2 * 12, 0) {}
  WindowRead For(WindowReader& reader) { return {&reader, origins, extent, std::as_writable_bytes(std::span(out))}; }

  void ExpectValues() const {
    for (size_t w = 0; w < origins.size() / 2; ++w) {
      for (uint64_t i = 0; i < 3; ++i) {
        for (uint64_t j = 0; j < 4; ++j) {
          ASSERT_EQ(out[w * 12 + i * 4 + j], Fixture::Expected(origins[2 * w] + i, origins[2 * w + 1] + j))
              << "window " << w << " element " << i << "," << j;
        }
      }
    }
  }
};

TEST(WindowReaderReadMany, ReadsOverlappingBatchesDecodingEachChunkOnce) {
  Fixture f;
  auto reader = f.Reader();
  auto other = f.Reader();  // another reader of the same array shares the chunks
  Windows first({0, 0, 2, 2, 5, 3, 10, 6}), second({1, 1, 4, 2, 10, 6}), third({3, 5, 8, 0});
  const WindowRead reads[] = {first.For(*reader), second.For(*reader), third.For(*other)};
  WindowReader::ReadMany(reads);
  first.ExpectValues();
  second.ExpectValues();
  third.ExpectValues();
  // Chunks the windows touch (rows 0-12 / 4, columns 0-9 / 3), missing (1, 1) included: each loaded once.
  std::set<std::pair<uint64_t, uint64_t>> touched;
  for (const Windows* w : {&first, &second, &third}) {
    for (size_t k = 0; k < w->origins.size(); k += 2) {
      for (uint64_t i = w->origins[k]; i < w->origins[k] + 3; ++i) {
        for (uint64_t j = w->origins[k + 1]; j < w->origins[k + 1] + 4; ++j) touched.insert({i / 4, j / 3});
      }
    }
  }
  EXPECT_EQ(f.cache->stats().misses, touched.size());
  // Again, from the cache: the same values, no new load.
  Windows again({0, 0, 2, 2, 5, 3, 10, 6});
  reader->Read(again.origins, again.extent, std::as_writable_bytes(std::span(again.out)));
  again.ExpectValues();
  EXPECT_EQ(f.cache->stats().misses, touched.size());
}

TEST(WindowReaderReadMany, RefusesBadReadsBeforeLoadingAnything) {
  Fixture f;
  auto reader = f.Reader();
  Windows fits({0, 0}), outside({11, 0});
  const WindowRead reads[] = {fits.For(*reader), outside.For(*reader)};
  EXPECT_THROW(WindowReader::ReadMany(reads), Error);
  std::vector<uint16_t> small(5);
  const WindowRead short_output{reader.get(), fits.origins, fits.extent, std::as_writable_bytes(std::span(small))};
  EXPECT_THROW(WindowReader::ReadMany({&short_output, 1}), Error);
  EXPECT_EQ(f.cache->stats().misses, 0u);
}

TEST(WindowReaderReadMany, NamesACorruptChunkAndRetriesItNextCall) {
  Fixture f;
  auto reader = f.Reader();
  const std::byte garbage[5] = {};
  f.store->Set("arr/c/2/1", garbage);
  Windows batch({0, 0, 8, 3}), other({8, 3});
  const WindowRead reads[] = {batch.For(*reader), other.For(*reader)};
  try {
    WindowReader::ReadMany(reads);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("array 'arr' chunk 'arr/c/2/1'"), std::string::npos) << e.what();
  }
  f.WriteChunk(2, 1);  // mended: the failed load was not kept
  WindowReader::ReadMany(reads);
  batch.ExpectValues();
  other.ExpectValues();
}

// A memory store that counts the reads of shard indexes (suffix ranges).
class IndexCountingStore final : public Store {
 public:
  std::optional<Buffer> Get(std::string_view key, ByteRange range) override {
    if (range.kind == ByteRange::Kind::kSuffix) ++index_reads;
    return values.Get(key, range);
  }
  bool Exists(std::string_view key) override { return values.Exists(key); }
  std::vector<std::string> List(std::string_view prefix) override { return values.List(prefix); }
  std::string url() const override { return "counting://"; }

  MemoryStore values;
  std::atomic<int> index_reads = 0;
};

TEST(WindowReaderReadMany, ReadsEachShardIndexOnceAcrossCalls) {
  auto store = std::make_shared<IndexCountingStore>();
  const json sharding = {{"name", "sharding_indexed"},
                         {"configuration",
                          {{"chunk_shape", {4, 3}}, {"codecs", {kLittle}}, {"index_codecs", {kLittle}},
                           {"index_location", "end"}}}};
  auto array = std::make_shared<ZarrArray>(store, "arr", Metadata({8, 6}, {sharding}));
  std::vector<uint16_t> shard(8 * 6);
  for (uint64_t i = 0; i < 8; ++i) {
    for (uint64_t j = 0; j < 6; ++j) shard[i * 6 + j] = static_cast<uint16_t>(i * 100 + j);
  }
  const std::vector<uint64_t> first_shard = {0, 0};
  store->values.Set(array->ChunkKey(first_shard), array->metadata().codecs->Encode(std::as_bytes(std::span(shard))).span());
  // Each call reads other inner chunks of the same shard (the cache is too small to keep any).
  auto reader = std::make_shared<WindowReader>(array, std::make_shared<DecodedChunkCache>(0));
  for (const std::vector<uint64_t>& at : {std::vector<uint64_t>{0, 0}, {4, 2}, {1, 1}}) {
    Windows window(at);
    reader->Read(window.origins, window.extent, std::as_writable_bytes(std::span(window.out)));
    for (uint64_t i = 0; i < 3; ++i) {
      for (uint64_t j = 0; j < 4; ++j) ASSERT_EQ(window.out[i * 4 + j], (at[0] + i) * 100 + at[1] + j);
    }
  }
  EXPECT_EQ(store->index_reads, 1);
}

}  // namespace
}  // namespace geobatch
