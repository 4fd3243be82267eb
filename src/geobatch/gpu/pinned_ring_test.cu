#include "geobatch/gpu/pinned_ring.h"

#include <gtest/gtest.h>

#include "geobatch/gpu/gpu_test_util.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

using std::chrono::milliseconds;

TEST(PinnedRingTest, WithoutAGpuCreationFailsClearly) {
  if (DeviceCount() > 0) GTEST_SKIP() << "a GPU is present";
  try {
    PinnedRing::Create(0, 2);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("cuda:0 asked for"), std::string::npos) << e.what();
  }
}

TEST(PinnedRingTest, LeasesAreWritableAndRecycled) {
  GEOBATCH_REQUIRE_GPU();
  auto ring = PinnedRing::Create(0, 2);
  const std::byte* first = nullptr;
  {
    PinnedLease a = ring->Acquire(1000);
    PinnedLease b = ring->Acquire(3 << 20);  // grows past one 2 MiB step
    ASSERT_NE(a->data(), b->data());
    a->data()[999] = std::byte(1);
    b->data()[(3 << 20) - 1] = std::byte(2);
    EXPECT_EQ(ring->leased(), 2u);
    EXPECT_THROW(ring->Acquire(1, milliseconds(1)), Error);
    first = a->data();
  }
  EXPECT_EQ(ring->leased(), 0u);
  PinnedLease again = ring->Acquire(1000);
  EXPECT_EQ(again->data(), first);  // the smallest slot that fits
}

}  // namespace
}  // namespace geobatch::gpu
