#include "geobatch/util/buffer_pool.h"

#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sys/mman.h>

#include <cstdint>
#include <mutex>
#include <set>

namespace geobatch {
namespace {

constexpr size_t kHugePageThreshold = size_t{4} << 20;
constexpr uintptr_t kPage = 4096;

// Gives `advice` for the whole pages inside [data, data + size): madvise
// takes page-aligned ranges. Advice only: a refusal changes nothing.
void AdvisePages(std::byte* data, size_t size, int advice) {
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kPage - 1) & ~(kPage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + size) & ~(kPage - 1);
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, advice);
}

// Asks the kernel to back a large allocation with transparent huge pages (as
// numpy does for its arrays), which makes first touch of a fresh output far
// cheaper; where THP is off nothing changes.
void AdviseHugePages(std::byte* data, size_t size) {
  if (size >= kHugePageThreshold) AdvisePages(data, size, MADV_HUGEPAGE);
}

// Faults a fresh chunk-sized allocation's pages in with one call rather
// than one trap per page on first write (pooled buffers are written whole).
// Larger ones (a whole array read by the C++ API) are left to fault in on
// the decoding threads that write them, in parallel. Advice only: kernels
// before 5.14 refuse it and the pages fault in as usual.
constexpr size_t kPrefaultMaxBytes = size_t{64} << 20;

void Prefault(std::byte* data, size_t size) {
#ifdef MADV_POPULATE_WRITE
  if (size <= kPrefaultMaxBytes) AdvisePages(data, size, MADV_POPULATE_WRITE);
#endif
}

std::byte* Allocate(size_t size) {
  auto* data = new std::byte[size];  // default-initialised: not zeroed
  AdviseHugePages(data, size);
  Prefault(data, size);
  return data;
}

// The pools alive in this process. A fork while another thread holds a
// pool's lock would leave it locked in the child forever, so every pool's
// lock is held across fork (and the set's, so that none comes or goes).
struct LivePools {
  std::mutex mutex;
  std::set<std::mutex*> locks;

  static LivePools& Get() {
    static LivePools* const live = [] {
      auto* created = new LivePools;  // never destroyed: pools may outlive statics
      pthread_atfork([] { LockAll(); }, [] { UnlockAll(); }, [] { UnlockAll(); });
      return created;
    }();
    return *live;
  }
  static void LockAll() {
    LivePools& live = Get();
    live.mutex.lock();
    for (std::mutex* lock : live.locks) lock->lock();
  }
  static void UnlockAll() {
    LivePools& live = Get();
    for (std::mutex* lock : live.locks) lock->unlock();
    live.mutex.unlock();
  }
};

}  // namespace

BufferPool& BufferPool::Global() {
  static BufferPool* const pool = new BufferPool(kDefaultMaxIdleBytes);
  return *pool;
}

BufferPool::BufferPool(size_t max_idle_bytes) : max_idle_bytes_(max_idle_bytes) {
  LivePools& live = LivePools::Get();
  std::lock_guard lock(live.mutex);
  live.locks.insert(&mutex_);
}

BufferPool::~BufferPool() {
  {
    LivePools& live = LivePools::Get();
    std::lock_guard lock(live.mutex);
    live.locks.erase(&mutex_);
  }
  FreeAll(idle_);
}

void BufferPool::FreeAll(const std::deque<Idle>& idle) {
  for (const Idle& entry : idle) {
    ASAN_UNPOISON_MEMORY_REGION(entry.data, entry.capacity);
    delete[] entry.data;
  }
}

std::byte* BufferPool::Take(size_t size, size_t& capacity) {
  capacity = size;
  if (size < kMinPooledBytes) return new std::byte[size];
  {
    std::lock_guard lock(mutex_);
    // Newest first: the most recently freed memory is the likeliest in cache.
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
      if (it->capacity >= size && it->capacity - size <= size / 4) {
        std::byte* data = it->data;
        capacity = it->capacity;
        ASAN_UNPOISON_MEMORY_REGION(data, capacity);
        idle_bytes_ -= capacity;
        idle_.erase(std::next(it).base());
        return data;
      }
    }
  }
  return Allocate(size);
}

void BufferPool::Give(std::byte* data, size_t capacity) noexcept {
  if (capacity < kMinPooledBytes) {
    delete[] data;
    return;
  }
  std::deque<Idle> dropped;
  {
    std::lock_guard lock(mutex_);
    if (capacity > max_idle_bytes_) {
      dropped.push_back({data, capacity});
    } else {
      // Under AddressSanitizer an idle buffer is poisoned, so a use after its
      // Buffer is gone is still reported.
      ASAN_POISON_MEMORY_REGION(data, capacity);
      idle_.push_back({data, capacity});
      idle_bytes_ += capacity;
      dropped = TakeOverBudget();
    }
  }
  FreeAll(dropped);
}

std::deque<BufferPool::Idle> BufferPool::TakeOverBudget() {
  std::deque<Idle> dropped;
  while (idle_bytes_ > max_idle_bytes_) {
    dropped.push_back(idle_.front());
    idle_bytes_ -= idle_.front().capacity;
    idle_.pop_front();
  }
  return dropped;
}

void BufferPool::SetMaxIdleBytes(size_t bytes) {
  std::deque<Idle> dropped;
  {
    std::lock_guard lock(mutex_);
    max_idle_bytes_ = bytes;
    dropped = TakeOverBudget();
  }
  FreeAll(dropped);
}

size_t BufferPool::max_idle_bytes() const {
  std::lock_guard lock(mutex_);
  return max_idle_bytes_;
}

size_t BufferPool::idle_bytes() const {
  std::lock_guard lock(mutex_);
  return idle_bytes_;
}

}  // namespace geobatch
