// An in-memory cache of remote reads with a byte budget: least recently used
// entries are dropped first, and a value larger than an eighth of the budget
// is not kept (it would push out too much). Thread-safe. Stores opened with
// the same budget share one cache, so a second epoch over the same data,
// through whichever store object, is served from memory.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "geobatch/store/cache/cached_value.h"

namespace geobatch {

class MemoryCache {
 public:
  explicit MemoryCache(uint64_t budget_bytes) : budget_(budget_bytes) {}

  // The process-wide cache with this budget; null for a budget of 0.
  static std::shared_ptr<MemoryCache> Shared(uint64_t budget_bytes);

  std::shared_ptr<const CachedValue> Get(const std::string& key);
  void Put(const std::string& key, std::shared_ptr<const CachedValue> value);

  uint64_t used_bytes() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const CachedValue> value;
    uint64_t charge;
  };
  void EvictTo(uint64_t limit);  // mutex_ held

  const uint64_t budget_;
  mutable std::mutex mutex_;
  uint64_t used_ = 0;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace geobatch
