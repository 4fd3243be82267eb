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
#include "geobatch/format/zarr/read_plan.h"
#include "geobatch/format/zarr/zarr_array.h"
#include "geobatch/util/task_group.h"

namespace geobatch {

class WindowReader;

// Windows of one array to read: window i, the box [origins[i], origins[i] +
// extent), goes to out[i * window_bytes, ...). `origins` holds
// num_windows * rank values.
struct WindowRead {
  WindowReader* reader;
  std::span<const uint64_t> origins;
  std::span<const uint64_t> extent;
  std::span<std::byte> out;
};

// Create with std::make_shared: loads in flight keep the reader alive.
class WindowReader : public std::enable_shared_from_this<WindowReader> {
 public:
  WindowReader(std::shared_ptr<const ZarrArray> array, std::shared_ptr<DecodedChunkCache> cache);

  // Reads this array's windows as described by WindowRead.
  void Read(std::span<const uint64_t> origins, std::span<const uint64_t> extent,
            std::span<std::byte> out);

  // Several reads (of several arrays: a batch's variables) at once: every
  // chunk load of every read starts before any is waited for, so that the
  // arrays' chunks decode together rather than one array after another;
  // each read's copies start as soon as its own chunks are in.
  static void ReadMany(std::span<const WindowRead> reads);

  const ZarrArray& array() const { return *array_; }
  const std::shared_ptr<DecodedChunkCache>& cache() const { return cache_; }

 private:
  using ShardIndexPtr = std::shared_ptr<const std::vector<InnerChunkLocation>>;
  // A read whose chunk loads have started.
  struct PendingRead {
    std::vector<std::vector<CellOverlap>> plan;  // each window's chunk overlaps
    std::map<std::vector<uint64_t>, std::shared_future<DecodedChunk>> chunks;
    uint64_t window_bytes = 0;
  };

  // Checks the read, plans it and starts loading every chunk it needs.
  PendingRead Start(const WindowRead& read);
  // Waits for the read's chunks; rethrows the first failure (forgotten by
  // the cache, so that the next request retries).
  void AwaitChunks(PendingRead& pending);
  // Queues the copies of the read's windows from their chunks.
  void SubmitCopies(const WindowRead& read, const PendingRead& pending, TaskGroup& copies) const;

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
