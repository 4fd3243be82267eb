// Reads many same-sized windows ("samples") of arrays in a single call, for
// batch generation. Every read-chunk (inner chunk when sharded) that the
// windows touch is fetched and decoded once through a DecodedChunkCache —
// however many windows overlap it, and across calls while it stays cached —
// and each window's part of it is copied once into the output: by the thread
// that decoded the chunk, right after decoding it, while the chunk is still
// in that core's cache (chunks found in the cache are copied from by pool
// tasks).
#pragma once

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "geobatch/batch/chunk_cache.h"
#include "geobatch/codec/sharding_codec.h"
#include "geobatch/format/zarr/zarr_array.h"
#include "geobatch/store/store.h"

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

  // Several reads at once — of several arrays (a batch's variables) or of
  // one array (several batches): every chunk any of them needs is loaded
  // once, all loads start before any copy waits, and each chunk's windows
  // are copied as soon as it is decoded. Every read is checked before any
  // is started. Returns when every window is in place; throws the first
  // failure, naming the array and chunk (a failed chunk is not cached: the
  // next call retries it).
  static void ReadMany(std::span<const WindowRead> reads);

  const ZarrArray& array() const { return *array_; }
  const std::shared_ptr<DecodedChunkCache>& cache() const { return cache_; }

 private:
  using ShardIndexPtr = std::shared_ptr<const std::vector<InnerChunkLocation>>;

  // Throws InvalidArgumentError unless `read` fits this array; returns the
  // bytes of one window.
  uint64_t CheckRead(const WindowRead& read) const;
  // The load of the read-chunk at `coords`, started if it is not cached.
  ChunkLoadPtr Load(const std::vector<uint64_t>& coords);
  // Starts fetching and decoding the read-chunk at `coords` into `load`.
  void StartLoad(const std::vector<uint64_t>& coords, ChunkLoadPtr load);
  void StartLoadFromShard(const std::vector<uint64_t>& coords, ChunkLoadPtr load);
  // Reads `range` of `key` and decodes it on the CPU pool into `load`.
  void LoadAndDecode(std::string key, ByteRange range, ChunkLoadPtr load);
  // Decodes a read chunk (on the calling CPU pool thread) into `load`.
  void Decode(const std::string& key, ReadResult result, const ChunkLoadPtr& load);
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
