#include "geobatch/gpu/slot_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

using std::chrono::milliseconds;

// A copy that finishes when the test says so, or when waited for.
class FakeCopy final : public Completion {
 public:
  bool Done() override { return done; }
  void Wait() override {
    ++waits;
    done = true;
  }
  std::atomic<bool> done{false};
  std::atomic<int> waits{0};
};

TEST(SlotRingTest, HandsOutEachSlotOnce) {
  SlotRing ring(3);
  const size_t a = ring.Acquire(10, milliseconds(0));
  const size_t b = ring.Acquire(10, milliseconds(0));
  const size_t c = ring.Acquire(10, milliseconds(0));
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_NE(a, c);
  EXPECT_EQ(ring.leased(), 3u);
}

TEST(SlotRingTest, ExhaustedRingTimesOutWithClearError) {
  SlotRing ring(1);
  ring.Acquire(1, milliseconds(0));
  try {
    ring.Acquire(1, milliseconds(5));
    FAIL() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTransient);
    EXPECT_NE(std::string(e.what()).find("pinned staging buffers are held"), std::string::npos);
  }
}

TEST(SlotRingTest, ReleasedSlotIsReused) {
  SlotRing ring(1);
  const size_t slot = ring.Acquire(1, milliseconds(0));
  ring.Release(slot);
  EXPECT_EQ(ring.Acquire(1, milliseconds(0)), slot);
}

TEST(SlotRingTest, SlotWithRunningCopyIsNotReusedBeforeItFinishes) {
  SlotRing ring(2);
  const size_t a = ring.Acquire(1, milliseconds(0));
  auto copy = std::make_shared<FakeCopy>();
  ring.AddUse(a, copy);
  ring.Release(a);
  // The other slot is free: taken without waiting for the copy.
  const size_t b = ring.Acquire(1, milliseconds(0));
  EXPECT_NE(a, b);
  EXPECT_EQ(copy->waits, 0);
  // Now only the draining slot is left: Acquire waits for its copy.
  EXPECT_EQ(ring.Acquire(1, milliseconds(0)), a);
  EXPECT_EQ(copy->waits, 1);
}

TEST(SlotRingTest, FinishedCopyFreesSlotWithoutWaiting) {
  SlotRing ring(1);
  const size_t a = ring.Acquire(1, milliseconds(0));
  auto copy = std::make_shared<FakeCopy>();
  ring.AddUse(a, copy);
  ring.Release(a);
  copy->done = true;
  EXPECT_EQ(ring.Acquire(1, milliseconds(0)), a);
  EXPECT_EQ(copy->waits, 0);
}

TEST(SlotRingTest, LeasedSlotIsNeverReusedEvenWhenItsCopiesAreDone) {
  SlotRing ring(1);
  const size_t a = ring.Acquire(1, milliseconds(0));
  auto copy = std::make_shared<FakeCopy>();
  copy->done = true;
  ring.AddUse(a, copy);
  EXPECT_THROW(ring.Acquire(1, milliseconds(1)), Error);
}

TEST(SlotRingTest, PrefersSmallestSlotThatFits) {
  SlotRing ring(3);
  ring.set_capacity(0, 100);
  ring.set_capacity(1, 40);
  ring.set_capacity(2, 60);
  EXPECT_EQ(ring.Acquire(50, milliseconds(0)), 2u);
  EXPECT_EQ(ring.Acquire(50, milliseconds(0)), 0u);
  EXPECT_EQ(ring.Acquire(50, milliseconds(0)), 1u);  // must grow
}

TEST(SlotRingTest, WithoutFitPrefersLargestSlot) {
  SlotRing ring(2);
  ring.set_capacity(0, 10);
  ring.set_capacity(1, 30);
  EXPECT_EQ(ring.Acquire(50, milliseconds(0)), 1u);
}

TEST(SlotRingTest, BlockedAcquireWakesOnRelease) {
  SlotRing ring(1);
  const size_t a = ring.Acquire(1, milliseconds(0));
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    EXPECT_EQ(ring.Acquire(1, milliseconds(10000)), a);
    got = true;
  });
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_FALSE(got);
  ring.Release(a);
  waiter.join();
  EXPECT_TRUE(got);
}

TEST(SlotRingTest, DrainWaitsForEveryCopy) {
  SlotRing ring(2);
  auto first = std::make_shared<FakeCopy>(), second = std::make_shared<FakeCopy>();
  ring.AddUse(ring.Acquire(1, milliseconds(0)), first);
  ring.AddUse(ring.Acquire(1, milliseconds(0)), second);
  ring.Release(0);
  ring.Release(1);
  ring.Drain();
  EXPECT_TRUE(first->done);
  EXPECT_TRUE(second->done);
}

TEST(SlotRingTest, NeedsASlot) { EXPECT_THROW(SlotRing(0), Error); }

}  // namespace
}  // namespace geobatch::gpu
