#include "geobatch/util/buffer_pool.h"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "geobatch/util/buffer.h"

namespace geobatch {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

TEST(BufferPool, ReusesAFreedAllocationOfTheSameSize) {
  BufferPool pool(16 * kMiB);
  size_t capacity = 0;
  std::byte* first = pool.Take(kMiB, capacity);
  EXPECT_EQ(capacity, kMiB);
  pool.Give(first, capacity);
  EXPECT_EQ(pool.idle_bytes(), kMiB);
  std::byte* second = pool.Take(kMiB, capacity);
  EXPECT_EQ(second, first);
  EXPECT_EQ(pool.idle_bytes(), 0u);
  pool.Give(second, capacity);
}

TEST(BufferPool, ReusesOnlyWithinAQuarterAboveTheSize) {
  BufferPool pool(16 * kMiB);
  size_t capacity = 0;
  std::byte* big = pool.Take(kMiB, capacity);
  pool.Give(big, capacity);
  size_t smaller_capacity = 0;
  std::byte* smaller = pool.Take(kMiB - kMiB / 8, smaller_capacity);  // 1 MiB is within +25%
  EXPECT_EQ(smaller, big);
  EXPECT_EQ(smaller_capacity, kMiB);
  pool.Give(smaller, smaller_capacity);
  size_t half_capacity = 0;
  std::byte* half = pool.Take(kMiB / 2, half_capacity);  // 1 MiB would waste half
  EXPECT_NE(half, big);
  EXPECT_EQ(half_capacity, kMiB / 2);
  EXPECT_EQ(pool.idle_bytes(), kMiB);
  pool.Give(half, half_capacity);
}

TEST(BufferPool, KeepsIdleBytesWithinBudgetDroppingTheOldest) {
  BufferPool pool(2 * kMiB);
  size_t capacity = 0;
  std::byte* a = pool.Take(kMiB, capacity);
  std::byte* b = pool.Take(kMiB, capacity);
  std::byte* c = pool.Take(kMiB, capacity);
  pool.Give(a, kMiB);
  pool.Give(b, kMiB);
  pool.Give(c, kMiB);  // a, the oldest, is freed
  EXPECT_EQ(pool.idle_bytes(), 2 * kMiB);
  std::byte* again = pool.Take(kMiB, capacity);
  EXPECT_EQ(again, c);  // newest first
  pool.Give(again, capacity);
  pool.SetMaxIdleBytes(0);
  EXPECT_EQ(pool.idle_bytes(), 0u);
  std::byte* fresh = pool.Take(kMiB, capacity);
  pool.Give(fresh, capacity);
  EXPECT_EQ(pool.idle_bytes(), 0u) << "reuse is off at a zero budget";
}

TEST(BufferPool, LeavesSmallAllocationsToMalloc) {
  BufferPool pool(16 * kMiB);
  size_t capacity = 0;
  std::byte* small = pool.Take(BufferPool::kMinPooledBytes - 1, capacity);
  pool.Give(small, capacity);
  EXPECT_EQ(pool.idle_bytes(), 0u);
}

// Resident bytes of this process (Linux), from /proc/self/statm.
size_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  const int read = f ? std::fscanf(f, "%lu %lu", &size, &resident) : 0;
  if (f) std::fclose(f);
  return read == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// Whether this kernel prefaults memory on request (Linux 5.14+).
bool KernelPrefaults() {
#ifdef MADV_POPULATE_WRITE
  void* probe = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED) return false;
  const bool ok = ::madvise(probe, 4096, MADV_POPULATE_WRITE) == 0;
  ::munmap(probe, 4096);
  return ok;
#else
  return false;
#endif
}

TEST(BufferPool, FreshBuffersArriveFaultedIn) {
  // Every pooled buffer is written whole, so its pages are faulted in with
  // one call when it is allocated instead of one trap per page later.
  if (!KernelPrefaults()) GTEST_SKIP() << "MADV_POPULATE_WRITE unsupported here";
  BufferPool pool(0);
  const size_t before = ResidentBytes();
  ASSERT_GT(before, 0u);
  size_t capacity = 0;
  std::byte* fresh = pool.Take(48 * kMiB + 4096, capacity);  // a size malloc has not recycled
  const size_t grown = ResidentBytes() - before;
  pool.Give(fresh, capacity);
  EXPECT_GE(grown, 47 * kMiB);
}

TEST(BufferPool, BuffersFromManyThreadsKeepTheirBytes) {
  // Every thread fills its buffers with its own pattern and checks it back:
  // a buffer handed to two owners at once would show the other's bytes.
  std::vector<std::thread> threads;
  std::atomic<int> mismatches = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &mismatches] {
      for (int round = 0; round < 200; ++round) {
        Buffer buffer(kMiB / 2 + static_cast<size_t>(round % 3) * 4096);
        std::memset(buffer.data(), t + 1, buffer.size());
        std::this_thread::yield();
        for (size_t i = 0; i < buffer.size(); i += 4096) {
          if (buffer.data()[i] != static_cast<std::byte>(t + 1)) ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_LE(BufferPool::Global().idle_bytes(), BufferPool::Global().max_idle_bytes());
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GEOBATCH_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GEOBATCH_TEST_ASAN 1
#endif

#ifdef GEOBATCH_TEST_ASAN
TEST(BufferPoolDeathTest, UseOfAnIdleBufferIsReportedUnderAsan) {
  BufferPool pool(16 * kMiB);
  size_t capacity = 0;
  std::byte* data = pool.Take(kMiB, capacity);
  pool.Give(data, capacity);
  EXPECT_DEATH({ *reinterpret_cast<volatile std::byte*>(data + 10) = std::byte{1}; }, "use-after-poison");
}
#endif

TEST(Buffer, MovedBufferGivesItsStorageBackOnce) {
  Buffer original(kMiB);
  std::byte* data = original.data();
  Buffer moved(std::move(original));
  EXPECT_EQ(moved.data(), data);
  EXPECT_EQ(moved.size(), kMiB);
  moved.Shrink(10);
  EXPECT_EQ(moved.size(), 10u);
}

TEST(Buffer, GoesBackToThePoolItCameFrom) {
  auto own = std::make_shared<BufferPool>(16 * kMiB);
  const size_t global_idle = BufferPool::Global().idle_bytes();
  std::byte* data = nullptr;
  {
    Buffer buffer(kMiB, own);
    data = buffer.data();
  }
  EXPECT_EQ(own->idle_bytes(), kMiB);
  EXPECT_EQ(BufferPool::Global().idle_bytes(), global_idle);
  Buffer again(kMiB, own);
  EXPECT_EQ(again.data(), data);
  EXPECT_EQ(own->idle_bytes(), 0u);
}

TEST(BufferPool, ForkedChildrenCanUseEveryPool) {
  // Other threads keep taking and giving on the process-wide pool and on a
  // pool of their own while we fork, and each child allocates from both. A
  // lock inherited held would hang the child (its locks are held only
  // briefly, so this catches a regression by chance, not every time).
  auto own = std::make_shared<BufferPool>(16 * kMiB);
  std::atomic<bool> stop = false;
  std::vector<std::thread> busy;
  for (BufferPool* pool : {&BufferPool::Global(), own.get()}) {
    busy.emplace_back([&stop, pool] {
      while (!stop) {
        size_t capacity = 0;
        pool->Give(pool->Take(kMiB, capacity), capacity);
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      alarm(10);  // a lock inherited held would hang here: fail instead
      Buffer mine(kMiB, own), global(kMiB);
      _exit(mine.data() && global.data() ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "child " << i << " did not exit (signal " << WTERMSIG(status) << ")";
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  stop = true;
  for (auto& thread : busy) thread.join();
}

}  // namespace
}  // namespace geobatch
