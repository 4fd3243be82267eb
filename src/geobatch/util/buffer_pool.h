// Keeps recently freed large allocations for reuse. A batch stream decodes
// chunk after chunk of the same size; without reuse every one is a fresh
// mapping that the kernel zero-fills and faults in page by page (perf put
// over half of a stream's page faults in decoders writing fresh chunks).
// The process-wide pool serves every Buffer by default; a consumer whose
// buffers would be pushed out of it by a stream of others (a batch
// generator's batch buffers, by evicted decoded chunks) keeps a pool of
// its own. Every pool is fork-safe: its lock is held across fork.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>

namespace geobatch {

class BufferPool {
 public:
  // Smaller allocations come from malloc, which already recycles them.
  static constexpr size_t kMinPooledBytes = size_t{64} << 10;
  static constexpr size_t kDefaultMaxIdleBytes = size_t{128} << 20;

  // The process-wide pool every Buffer allocates from (never destroyed, so
  // buffers freed during static destruction are safe).
  static BufferPool& Global();

  explicit BufferPool(size_t max_idle_bytes);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // Uninitialised storage of at least `size` bytes (> 0): an idle allocation
  // of `size` to `size` + 25% if one is kept, else a new one. `capacity` is
  // set to what must be handed back to Give.
  std::byte* Take(size_t size, size_t& capacity);

  // Takes back storage from Take; keeps it idle while the idle bytes stay
  // within budget (dropping the oldest idle ones first), else frees it.
  void Give(std::byte* data, size_t capacity) noexcept;

  // Bytes kept idle at most; 0 turns reuse off. Frees what is over.
  void SetMaxIdleBytes(size_t bytes);
  size_t max_idle_bytes() const;
  size_t idle_bytes() const;

 private:
  struct Idle {
    std::byte* data;
    size_t capacity;
  };
  // Trims idle_ to the budget; returns what to free once the lock is released.
  std::deque<Idle> TakeOverBudget();
  static void FreeAll(const std::deque<Idle>& idle);

  mutable std::mutex mutex_;
  std::deque<Idle> idle_;  // oldest first
  size_t idle_bytes_ = 0;
  size_t max_idle_bytes_;
};

}  // namespace geobatch
