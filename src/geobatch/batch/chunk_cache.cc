#include "geobatch/batch/chunk_cache.h"

namespace geobatch {

void ChunkLoad::Fulfil(DecodedChunk chunk) { End(std::move(chunk), nullptr); }

void ChunkLoad::Fail(std::exception_ptr error) { End(nullptr, std::move(error)); }

void ChunkLoad::End(DecodedChunk chunk, std::exception_ptr error) {
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard lock(mutex_);
    if (done_) return;  // ended already: the first outcome stands
    done_ = true;
    chunk_ = std::move(chunk);
    error_ = std::move(error);
    waiting.swap(waiting_);
  }
  for (auto& then : waiting) then();
}

void ChunkLoad::Then(std::function<void()> then) {
  {
    std::lock_guard lock(mutex_);
    if (!done_) {
      waiting_.push_back(std::move(then));
      return;
    }
  }
  then();
}

bool ChunkLoad::done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

bool ChunkLoad::failed() const {
  std::lock_guard lock(mutex_);
  return error_ != nullptr;
}

const DecodedChunk& ChunkLoad::get() const {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  return chunk_;
}

ChunkLoadPtr DecodedChunkCache::GetOrLoad(const std::string& key, uint64_t bytes,
                                          const std::function<void(ChunkLoadPtr)>& start_load) {
  ChunkLoadPtr load;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      ++stats_.hits;
      return it->second.load;
    }
    ++stats_.misses;
    load = std::make_shared<ChunkLoad>();
    // Registered before anyone else sees the load, so it runs before their continuations: a
    // reader told of the failure finds the key gone and retries.
    load->Then([this, key, raw = load.get()] {
      if (raw->failed()) Drop(key, raw);
    });
    lru_.push_front(key);
    entries_.emplace(key, Entry{load, bytes, lru_.begin()});
    stats_.bytes += bytes;
    EvictOverBudget();
  }
  start_load(load);
  return load;
}

void DecodedChunkCache::EvictOverBudget() {
  auto it = lru_.end();
  while (stats_.bytes > max_bytes_ && it != lru_.begin()) {
    --it;
    auto entry = entries_.find(*it);
    if (!entry->second.load->done()) continue;
    stats_.bytes -= entry->second.bytes;
    ++stats_.evictions;
    entries_.erase(entry);
    it = lru_.erase(it);
  }
}

void DecodedChunkCache::Drop(const std::string& key, const ChunkLoad* load) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.load.get() != load) return;
  stats_.bytes -= it->second.bytes;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

uint64_t DecodedChunkCache::max_bytes() const {
  std::lock_guard lock(mutex_);
  return max_bytes_;
}

void DecodedChunkCache::SetMaxBytes(uint64_t max_bytes) {
  std::lock_guard lock(mutex_);
  max_bytes_ = max_bytes;
  buffers_->SetMaxIdleBytes(max_bytes / kIdleFraction);
  EvictOverBudget();
}

ChunkCacheStats DecodedChunkCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace geobatch
