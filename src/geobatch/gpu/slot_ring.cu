#include "geobatch/gpu/slot_ring.h"

#include <algorithm>
#include <string>

#include "geobatch/util/error.h"

namespace geobatch::gpu {

SlotRing::SlotRing(size_t num_slots) : slots_(num_slots) {
  if (num_slots == 0) throw InvalidArgumentError("a staging ring needs at least one slot");
}

void SlotRing::PruneFinished() {
  for (Slot& slot : slots_) {
    if (slot.leased) continue;
    std::erase_if(slot.uses, [](const std::shared_ptr<Completion>& use) { return use->Done(); });
  }
}

size_t SlotRing::Acquire(uint64_t bytes, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    PruneFinished();
    size_t best = slots_.size();
    std::shared_ptr<Completion> oldest_use;
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& slot = slots_[i];
      if (slot.leased) continue;
      if (!slot.uses.empty()) {
        if (!oldest_use) oldest_use = slot.uses.front();
        continue;
      }
      if (best == slots_.size()) {
        best = i;
        continue;
      }
      // Prefer a slot that fits, and among those the smallest; among slots
      // that do not fit, the largest (the least to grow).
      const uint64_t have = slots_[best].capacity, cap = slot.capacity;
      const bool fits = cap >= bytes, best_fits = have >= bytes;
      if ((fits && (!best_fits || cap < have)) || (!fits && !best_fits && cap > have)) best = i;
    }
    if (best < slots_.size()) {
      slots_[best].leased = true;
      return best;
    }
    if (oldest_use) {
      lock.unlock();
      oldest_use->Wait();
      lock.lock();
      continue;
    }
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout &&
        std::none_of(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.leased; })) {
      throw TransientError("all " + std::to_string(slots_.size()) +
                           " pinned staging buffers are held by batches still alive: release batches "
                           "sooner or give the ring more slots");
    }
  }
}

void SlotRing::Release(size_t slot) {
  {
    std::lock_guard lock(mutex_);
    slots_.at(slot).leased = false;
  }
  released_.notify_one();
}

void SlotRing::AddUse(size_t slot, std::shared_ptr<Completion> use) {
  std::lock_guard lock(mutex_);
  slots_.at(slot).uses.push_back(std::move(use));
}

void SlotRing::Drain() {
  std::vector<std::shared_ptr<Completion>> uses;
  {
    std::lock_guard lock(mutex_);
    for (const Slot& slot : slots_) uses.insert(uses.end(), slot.uses.begin(), slot.uses.end());
  }
  for (const auto& use : uses) use->Wait();
}

uint64_t SlotRing::capacity(size_t slot) const {
  std::lock_guard lock(mutex_);
  return slots_.at(slot).capacity;
}

void SlotRing::set_capacity(size_t slot, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  slots_.at(slot).capacity = bytes;
}

size_t SlotRing::leased() const {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.leased; }));
}

}  // namespace geobatch::gpu
