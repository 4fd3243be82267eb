#include "geobatch/store/cache/memory_cache.h"

#include <map>

namespace geobatch {
namespace {

// Bookkeeping per entry besides the bytes: list and map nodes, the key.
constexpr uint64_t kEntryOverhead = 128;

}  // namespace

std::shared_ptr<MemoryCache> MemoryCache::Shared(uint64_t budget_bytes) {
  if (budget_bytes == 0) return nullptr;
  static std::mutex mutex;
  static auto* caches = new std::map<uint64_t, std::shared_ptr<MemoryCache>>();  // lives until exit
  std::lock_guard lock(mutex);
  auto& cache = (*caches)[budget_bytes];
  if (!cache) cache = std::make_shared<MemoryCache>(budget_bytes);
  return cache;
}

std::shared_ptr<const CachedValue> MemoryCache::Get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->value;
}

void MemoryCache::Put(const std::string& key, std::shared_ptr<const CachedValue> value) {
  const uint64_t charge = value->bytes.size() + value->etag.size() + key.size() + kEntryOverhead;
  if (charge > budget_ / 8) return;
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    used_ -= it->second->charge;
    entries_.erase(it->second);
    index_.erase(it);
  }
  EvictTo(budget_ - charge);
  entries_.push_front({key, std::move(value), charge});
  index_[key] = entries_.begin();
  used_ += charge;
}

uint64_t MemoryCache::used_bytes() const {
  std::lock_guard lock(mutex_);
  return used_;
}

void MemoryCache::EvictTo(uint64_t limit) {
  while (used_ > limit && !entries_.empty()) {
    used_ -= entries_.back().charge;
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
}

}  // namespace geobatch
