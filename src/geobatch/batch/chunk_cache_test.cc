// The decoded-chunk cache: merged loads, continuations, failed loads
// dropped for retry, and eviction that spares loads in flight.
#include "geobatch/batch/chunk_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

DecodedChunk ChunkOf(size_t bytes) { return std::make_shared<const Buffer>(bytes); }

TEST(ChunkLoad, RunsContinuationsOnTheThreadThatEndsIt) {
  ChunkLoad load;
  std::thread::id ran_on;
  load.Then([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_FALSE(load.done());
  std::thread::id ender;
  std::thread([&] {
    ender = std::this_thread::get_id();
    load.Fulfil(ChunkOf(8));
  }).join();
  EXPECT_EQ(ran_on, ender);
  // Once ended, a continuation runs at once on the caller's thread.
  bool now = false;
  load.Then([&] { now = true; });
  EXPECT_TRUE(now);
  EXPECT_EQ(load.get()->size(), 8u);
}

TEST(ChunkLoad, FirstOutcomeStands) {
  ChunkLoad load;
  int runs = 0;
  load.Then([&] { ++runs; });
  load.Fail(std::make_exception_ptr(CorruptError("bad chunk")));
  load.Fulfil(ChunkOf(8));
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(load.failed());
  EXPECT_THROW(load.get(), Error);
}

TEST(DecodedChunkCache, MergesLoadsOfOneKey) {
  DecodedChunkCache cache(1 << 20);
  int started = 0;
  ChunkLoadPtr pending;
  auto start = [&](ChunkLoadPtr load) {
    ++started;
    pending = load;
  };
  ChunkLoadPtr a = cache.GetOrLoad("k", 100, start);
  ChunkLoadPtr b = cache.GetOrLoad("k", 100, start);
  EXPECT_EQ(a, b);
  EXPECT_EQ(started, 1);
  pending->Fulfil(ChunkOf(100));
  EXPECT_EQ(cache.GetOrLoad("k", 100, start)->get()->size(), 100u);
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().hits, 2u);
}

TEST(DecodedChunkCache, DropsAFailedLoadBeforeItsReadersHear) {
  DecodedChunkCache cache(1 << 20);
  ChunkLoadPtr pending;
  auto start = [&](ChunkLoadPtr load) { pending = load; };
  ChunkLoadPtr first = cache.GetOrLoad("k", 100, start);
  // A reader told of the failure asks again at once: it must get a new load.
  ChunkLoadPtr retried;
  first->Then([&] { retried = cache.GetOrLoad("k", 100, start); });
  first->Fail(std::make_exception_ptr(TransientError("timeout")));
  ASSERT_NE(retried, nullptr);
  EXPECT_NE(retried, first);
  EXPECT_FALSE(retried->done());
  pending->Fulfil(nullptr);  // an absent chunk
  EXPECT_EQ(retried->get(), nullptr);
  EXPECT_EQ(cache.stats().misses, 2u);
  EXPECT_EQ(cache.stats().bytes, 100u);
}

TEST(DecodedChunkCache, EvictsLeastRecentlyUsedButNeverLoadsInFlight) {
  DecodedChunkCache cache(250);
  std::vector<ChunkLoadPtr> loads;
  auto start = [&](ChunkLoadPtr load) { loads.push_back(load); };
  cache.GetOrLoad("a", 100, start);
  cache.GetOrLoad("b", 100, start);
  cache.GetOrLoad("c", 100, start);  // over budget, but nothing has ended
  EXPECT_EQ(cache.stats().bytes, 300u);
  for (auto& load : loads) load->Fulfil(ChunkOf(100));
  cache.GetOrLoad("a", 100, start);  // a is now the most recent
  cache.GetOrLoad("d", 100, start);  // evicts b, then c
  EXPECT_EQ(cache.stats().evictions, 2u);
  EXPECT_EQ(cache.stats().bytes, 200u);
  const uint64_t misses = cache.stats().misses;
  cache.GetOrLoad("a", 100, start);
  EXPECT_EQ(cache.stats().misses, misses);  // still cached
  cache.GetOrLoad("b", 100, start);
  EXPECT_EQ(cache.stats().misses, misses + 1);  // loaded again
}

TEST(DecodedChunkCache, ANewBudgetEvictsDownToItAtOnce) {
  DecodedChunkCache cache(1000);
  std::vector<ChunkLoadPtr> loads;
  auto start = [&](ChunkLoadPtr load) { loads.push_back(load); };
  for (const char* key : {"a", "b", "c"}) cache.GetOrLoad(key, 100, start);
  loads[0]->Fulfil(ChunkOf(100));
  loads[1]->Fulfil(ChunkOf(100));
  cache.GetOrLoad("a", 100, start);  // b is now the least recently used
  cache.SetMaxBytes(250);
  EXPECT_EQ(cache.max_bytes(), 250u);
  EXPECT_EQ(cache.stats().bytes, 200u);  // b went; c is still loading
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.buffers()->max_idle_bytes(), 250u / DecodedChunkCache::kIdleFraction);
  const uint64_t misses = cache.stats().misses;
  cache.GetOrLoad("a", 100, start);
  EXPECT_EQ(cache.stats().misses, misses);
  cache.GetOrLoad("b", 100, start);
  EXPECT_EQ(cache.stats().misses, misses + 1);
}

}  // namespace
}  // namespace geobatch
