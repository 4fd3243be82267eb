// A ring of pinned (page-locked) host staging buffers: batches are decoded
// into them on the CPU and copied to the GPU asynchronously (DMA needs pinned
// memory to overlap with decoding). A buffer returns to the ring when its
// lease ends and every copy reading it has finished (SlotRing). The ring's
// slot count is its budget: when all are held, Acquire waits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "geobatch/gpu/completion.h"
#include "geobatch/gpu/slot_ring.h"

namespace geobatch::gpu {

class PinnedRing;

// One leased slot; the lease ends when the last copy of the pointer goes.
class PinnedBlock {
 public:
  PinnedBlock(std::shared_ptr<PinnedRing> ring, size_t slot, std::byte* data, uint64_t bytes);
  ~PinnedBlock();
  PinnedBlock(const PinnedBlock&) = delete;
  PinnedBlock& operator=(const PinnedBlock&) = delete;

  std::byte* data() const { return data_; }
  uint64_t bytes() const { return bytes_; }
  // Records asynchronous work reading this block; the slot is not reused
  // before it is done.
  void AddUse(std::shared_ptr<Completion> use) const;

 private:
  std::shared_ptr<PinnedRing> ring_;
  size_t slot_;
  std::byte* data_;
  uint64_t bytes_;
};

using PinnedLease = std::shared_ptr<const PinnedBlock>;

class PinnedRing : public std::enable_shared_from_this<PinnedRing> {
 public:
  // A ring of `slots` buffers for copies to `device`, allocated on first use
  // and grown (in 2 MiB steps) to the largest request seen.
  static std::shared_ptr<PinnedRing> Create(int device, size_t slots);
  ~PinnedRing();

  // A buffer of at least `bytes` bytes (see SlotRing::Acquire for waiting).
  PinnedLease Acquire(uint64_t bytes, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // The live lease whose buffer holds `address`, or null (the address is
  // not in this ring's staging memory).
  PinnedLease Find(const void* address) const;

  int device() const { return device_; }
  size_t slots() const { return ring_.size(); }
  size_t leased() const { return ring_.leased(); }

 private:
  friend class PinnedBlock;
  PinnedRing(int device, size_t slots);
  // (Re)allocates the leased `slot` to hold `bytes`.
  void Grow(size_t slot, uint64_t bytes);

  const int device_;
  SlotRing ring_;
  std::vector<std::byte*> memory_;  // per slot; written only while the slot is leased
  mutable std::mutex leases_mutex_;
  std::vector<std::weak_ptr<const PinnedBlock>> leases_;  // per slot: the current lease
};

}  // namespace geobatch::gpu
