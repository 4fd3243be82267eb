// Reads many same-sized windows ("samples") of one array in a single call,
// for batch generation. Every read-chunk (inner chunk when sharded) that the
// windows touch is fetched and decoded once through a DecodedChunkCache —
// however many windows overlap it, and across calls while it stays cached —
// and each window's part of it is copied once into the output.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "geobatch/batch/chunk_cache.h"
#include "geobatch/codec/sharding_codec.h"
#include "geobatch/format/zarr/zarr_array.h"

namespace geobatch {

// Create with std::make_shared: loads in flight keep the reader alive.
class WindowReader : public std::enable_shared_from_this<WindowReader> {
 public:
  WindowReader(std::shared_ptr<const ZarrArray> array, std::shared_ptr<DecodedChunkCache> cache);

  // Reads window i, the box [origins[i], origins[i] + extent), into
  // out[i * window_bytes, ...). `origins` holds num_windows * rank values.
  void Read(std::span<const uint64_t> origins, std::span<const uint64_t> extent,
            std::span<std::byte> out);

  const ZarrArray& array() const { return *array_; }
  const std::shared_ptr<DecodedChunkCache>& cache() const { return cache_; }

 private:
  using ShardIndexPtr = std::shared_ptr<const std::vector<InnerChunkLocation>>;

  // Starts fetching and decoding the read-chunk at `coords` into `promise`.
  void StartLoad(const std::vector<uint64_t>& coords, ChunkPromise promise);
  void StartLoadFromShard(const std::vector<uint64_t>& coords, ChunkPromise promise);
  // Decodes a fetched chunk on the CPU pool into `promise`.
  void DecodeFetched(const std::string& key, ReadResult result, ChunkPromise promise);
  // The decoded index of the shard at `shard_coords`, null when the shard
  // is absent. Fetched once; blocking (runs on IO threads).
  ShardIndexPtr LoadShardIndex(const std::vector<uint64_t>& shard_coords);
  std::string CacheKey(const std::vector<uint64_t>& coords) const;

  std::shared_ptr<const ZarrArray> array_;
  std::shared_ptr<DecodedChunkCache> cache_;
  const CodecChain* chunk_codecs_;   // decodes one read-chunk
  const ShardingCodec* sharding_;    // null when not sharded
  std::string cache_prefix_;
  std::mutex shard_index_mutex_;
  std::map<std::vector<uint64_t>, std::shared_future<ShardIndexPtr>> shard_indexes_;
};

}  // namespace geobatch
