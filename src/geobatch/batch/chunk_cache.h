// A byte-budgeted cache of decoded chunks shared by every reader that is
// handed it, so that windows overlapping one chunk decode it once. Loads of
// the same key that race are merged: the first caller starts the load and
// every caller gets the same future.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "geobatch/util/buffer.h"

namespace geobatch {

// A decoded chunk; null when the chunk is absent (it reads as fill value).
using DecodedChunk = std::shared_ptr<const Buffer>;
using ChunkPromise = std::shared_ptr<std::promise<DecodedChunk>>;

struct ChunkCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;       // loads started
  uint64_t bytes = 0;        // bytes held now
  uint64_t evictions = 0;
};

class DecodedChunkCache {
 public:
  explicit DecodedChunkCache(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // The chunk under `key` (`bytes` is its decoded size). When absent, calls
  // `start_load` with the promise to fulfil — it must not block — and
  // returns that promise's future.
  std::shared_future<DecodedChunk> GetOrLoad(const std::string& key, uint64_t bytes,
                                             const std::function<void(ChunkPromise)>& start_load);

  // Drops `key` (used after a failed load, so that the next request retries).
  void Forget(const std::string& key);

  ChunkCacheStats stats() const;
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    std::shared_future<DecodedChunk> chunk;
    uint64_t bytes;
    std::list<std::string>::iterator lru;  // position in lru_ (front = newest)
  };
  // Drops the least recently used loaded entries until within budget;
  // loads still in flight are kept. Caller holds mutex_.
  void EvictOverBudget();

  const uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;
  ChunkCacheStats stats_;
};

}  // namespace geobatch
