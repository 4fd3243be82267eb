// A byte-budgeted cache of decoded chunks shared by every reader that is
// handed it, so that windows overlapping one chunk decode it once. Loads of
// the same key that race are merged: the first caller starts the load and
// every caller gets the same ChunkLoad. Work waiting for a load is a
// continuation run by the thread that ends it (the decoding thread, while the
// chunk is still in its cache), never a thread blocked on it.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "geobatch/util/buffer.h"

namespace geobatch {

// A decoded chunk; null when the chunk is absent (it reads as fill value).
using DecodedChunk = std::shared_ptr<const Buffer>;

// One chunk's load: ended once by its loader (a decoded chunk, or a
// failure), and the work waiting for it.
class ChunkLoad {
 public:
  // Ends the load (once) and runs every continuation on this thread.
  void Fulfil(DecodedChunk chunk);
  void Fail(std::exception_ptr error);

  // Runs `then` once the load has ended: at once, on this thread, when it
  // has; otherwise on the thread that ends it. `then` must not block.
  void Then(std::function<void()> then);

  bool done() const;
  bool failed() const;
  // The chunk of an ended load; rethrows its failure.
  const DecodedChunk& get() const;

 private:
  void End(DecodedChunk chunk, std::exception_ptr error);

  mutable std::mutex mutex_;
  bool done_ = false;
  DecodedChunk chunk_;
  std::exception_ptr error_;
  std::vector<std::function<void()>> waiting_;
};
using ChunkLoadPtr = std::shared_ptr<ChunkLoad>;

struct ChunkCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;       // loads started
  uint64_t bytes = 0;        // bytes held now
  uint64_t evictions = 0;
};

class DecodedChunkCache {
 public:
  // Freed chunk buffers the cache keeps for the next decodes, as a fraction
  // of its budget: a batch's loads evict about as many chunks as they
  // decode, and the evicted buffers serve them without fresh pages.
  static constexpr uint64_t kIdleFraction = 4;

  explicit DecodedChunkCache(uint64_t max_bytes)
      : max_bytes_(max_bytes), buffers_(std::make_shared<BufferPool>(max_bytes / kIdleFraction)) {}

  // The pool decoded chunks of this cache are allocated from (evicted ones
  // go back to it rather than to the process-wide pool, which they would
  // flood).
  const std::shared_ptr<BufferPool>& buffers() const { return buffers_; }

  // The load of the chunk under `key` (`bytes` is its decoded size). When
  // there is none, calls `start_load` with a new one to end — it must not
  // block — and returns it. A failed load is dropped from the cache as it
  // fails, so that the next request retries.
  ChunkLoadPtr GetOrLoad(const std::string& key, uint64_t bytes, const std::function<void(ChunkLoadPtr)>& start_load);

  ChunkCacheStats stats() const;
  uint64_t max_bytes() const;
  // A new budget (for a user that knows its working set needs less, or more):
  // evicts down to it at once, and keeps kIdleFraction of it in idle buffers.
  void SetMaxBytes(uint64_t max_bytes);

 private:
  struct Entry {
    ChunkLoadPtr load;
    uint64_t bytes;
    std::list<std::string>::iterator lru;  // position in lru_ (front = newest)
  };
  // Drops the least recently used ended entries until within budget;
  // loads still in flight are kept. Caller holds mutex_.
  void EvictOverBudget();
  // Drops `key` if it still holds `load`.
  void Drop(const std::string& key, const ChunkLoad* load);

  uint64_t max_bytes_;  // guarded by mutex_
  const std::shared_ptr<BufferPool> buffers_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;
  ChunkCacheStats stats_;
};

}  // namespace geobatch
