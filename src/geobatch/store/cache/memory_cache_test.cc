#include "geobatch/store/cache/memory_cache.h"

#include <gtest/gtest.h>

namespace geobatch {
namespace {

std::shared_ptr<const CachedValue> Value(size_t size) {
  auto value = std::make_shared<CachedValue>();
  value->bytes = Buffer(size);
  return value;
}

TEST(MemoryCache, EvictsLeastRecentlyUsedWithinTheBudget) {
  MemoryCache cache(8 * 1000);
  cache.Put("a", Value(500));
  cache.Put("b", Value(500));
  cache.Put("c", Value(500));
  ASSERT_TRUE(cache.Get("a"));  // a is now the most recent
  for (int i = 0; i < 12; ++i) cache.Put("fill" + std::to_string(i), Value(500));
  EXPECT_LE(cache.used_bytes(), 8000u);
  EXPECT_FALSE(cache.Get("b"));
  EXPECT_FALSE(cache.Get("c"));
}

TEST(MemoryCache, SkipsValuesTooLargeForTheBudget) {
  MemoryCache cache(8000);
  cache.Put("big", Value(2000));
  EXPECT_FALSE(cache.Get("big"));
  cache.Put("small", Value(100));
  EXPECT_EQ(cache.Get("small")->bytes.size(), 100u);
}

TEST(MemoryCache, ReplacesAndShares) {
  MemoryCache cache(100000);
  cache.Put("k", Value(10));
  cache.Put("k", Value(20));
  EXPECT_EQ(cache.Get("k")->bytes.size(), 20u);
  EXPECT_EQ(MemoryCache::Shared(12345), MemoryCache::Shared(12345));
  EXPECT_EQ(MemoryCache::Shared(0), nullptr);
}

}  // namespace
}  // namespace geobatch
