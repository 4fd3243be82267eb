// The bookkeeping of a ring of reusable staging slots, apart from the memory
// itself (PinnedRing holds that): which slot is leased, which still has
// asynchronous readers, and who waits for what. Pure C++, no CUDA.
//
// A slot cycles Free -> Leased (Acquire) -> Draining (Release while copies
// recorded with AddUse are still running) -> Free (when they are done). A
// slot is never handed out while a copy may still read it, and Acquire
// blocks, never allocates beyond the ring: the ring is the byte budget.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "geobatch/gpu/completion.h"

namespace geobatch::gpu {

class SlotRing {
 public:
  explicit SlotRing(size_t num_slots);

  // Leases a free slot, preferring the smallest whose capacity holds
  // `bytes` (the caller grows the slot otherwise). When none is free, waits
  // for the oldest use of a draining slot, or, when every slot is leased,
  // for a Release: at most `timeout`, then throws TransientError.
  size_t Acquire(uint64_t bytes, std::chrono::milliseconds timeout);

  // Ends the lease of `slot`; it is free again once its uses are done.
  void Release(size_t slot);

  // Records asynchronous work reading `slot` (leased or draining).
  void AddUse(size_t slot, std::shared_ptr<Completion> use);

  // Blocks until every recorded use of every slot is done.
  void Drain();

  // The slot's memory size, kept here so that Acquire can pick a fitting slot.
  uint64_t capacity(size_t slot) const;
  void set_capacity(size_t slot, uint64_t bytes);

  size_t size() const { return slots_.size(); }
  size_t leased() const;

 private:
  struct Slot {
    bool leased = false;
    uint64_t capacity = 0;
    std::vector<std::shared_ptr<Completion>> uses;  // oldest first
  };
  // Drops the finished uses of unleased slots. Caller holds mutex_.
  void PruneFinished();

  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::vector<Slot> slots_;
};

}  // namespace geobatch::gpu
