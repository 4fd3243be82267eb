#include "geobatch/batch/chunk_cache.h"

namespace geobatch {

std::shared_future<DecodedChunk> DecodedChunkCache::GetOrLoad(
    const std::string& key, uint64_t bytes, const std::function<void(ChunkPromise)>& start_load) {
  ChunkPromise promise;
  std::shared_future<DecodedChunk> future;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      ++stats_.hits;
      return it->second.chunk;
    }
    ++stats_.misses;
    promise = std::make_shared<std::promise<DecodedChunk>>();
    future = promise->get_future().share();
    lru_.push_front(key);
    entries_.emplace(key, Entry{future, bytes, lru_.begin()});
    stats_.bytes += bytes;
    EvictOverBudget();
  }
  start_load(std::move(promise));
  return future;
}

void DecodedChunkCache::EvictOverBudget() {
  auto it = lru_.end();
  while (stats_.bytes > max_bytes_ && it != lru_.begin()) {
    --it;
    auto entry = entries_.find(*it);
    const bool loaded =
        entry->second.chunk.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    if (!loaded) continue;
    stats_.bytes -= entry->second.bytes;
    ++stats_.evictions;
    entries_.erase(entry);
    it = lru_.erase(it);
  }
}

void DecodedChunkCache::Forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  stats_.bytes -= it->second.bytes;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

ChunkCacheStats DecodedChunkCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace geobatch
