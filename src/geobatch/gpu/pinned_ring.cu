#include "geobatch/gpu/pinned_ring.h"

#include <cuda_runtime_api.h>

#include <algorithm>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/device.h"

namespace geobatch::gpu {
namespace {

constexpr uint64_t kGrowStep = uint64_t{2} << 20;

}  // namespace

PinnedBlock::PinnedBlock(std::shared_ptr<PinnedRing> ring, size_t slot, std::byte* data, uint64_t bytes)
    : ring_(std::move(ring)), slot_(slot), data_(data), bytes_(bytes) {}

PinnedBlock::~PinnedBlock() { ring_->ring_.Release(slot_); }

void PinnedBlock::AddUse(std::shared_ptr<Completion> use) const { ring_->ring_.AddUse(slot_, std::move(use)); }

std::shared_ptr<PinnedRing> PinnedRing::Create(int device, size_t slots) {
  RequireDevice(device);
  return std::shared_ptr<PinnedRing>(new PinnedRing(device, slots));
}

PinnedRing::PinnedRing(int device, size_t slots)
    : device_(device), ring_(slots), memory_(slots, nullptr), leases_(slots) {}

PinnedRing::~PinnedRing() {
  // Every lease holds the ring, so no slot is leased here; copies may still
  // be reading some.
  ring_.Drain();
  for (std::byte* memory : memory_) {
    if (memory) cudaFreeHost(memory);
  }
}

void PinnedRing::Grow(size_t slot, uint64_t bytes) {
  const uint64_t capacity = std::max<uint64_t>(kGrowStep, (bytes + kGrowStep - 1) / kGrowStep * kGrowStep);
  DeviceScope scope(device_);
  if (memory_[slot]) {
    GEOBATCH_CUDA(cudaFreeHost(memory_[slot]));
    memory_[slot] = nullptr;
    ring_.set_capacity(slot, 0);
  }
  void* memory = nullptr;
  GEOBATCH_CUDA(cudaHostAlloc(&memory, capacity, cudaHostAllocPortable));
  memory_[slot] = static_cast<std::byte*>(memory);
  ring_.set_capacity(slot, capacity);
}

PinnedLease PinnedRing::Acquire(uint64_t bytes, std::chrono::milliseconds timeout) {
  const size_t slot = ring_.Acquire(bytes, timeout);
  try {
    if (!memory_[slot] || ring_.capacity(slot) < bytes) Grow(slot, bytes);
  } catch (...) {
    ring_.Release(slot);
    throw;
  }
  auto lease = std::make_shared<const PinnedBlock>(shared_from_this(), slot, memory_[slot], bytes);
  std::lock_guard lock(leases_mutex_);
  leases_[slot] = lease;
  return lease;
}

PinnedLease PinnedRing::Find(const void* address) const {
  const auto* p = static_cast<const std::byte*>(address);
  std::lock_guard lock(leases_mutex_);
  for (const auto& weak : leases_) {
    PinnedLease lease = weak.lock();
    if (lease && p >= lease->data() && p < lease->data() + lease->bytes()) return lease;
  }
  return nullptr;
}

}  // namespace geobatch::gpu
