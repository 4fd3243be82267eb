#include "geobatch/gpu/device.h"

#include <gtest/gtest.h>

#include "geobatch/gpu/gpu_test_util.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

TEST(DeviceTest, ParsesDeviceStrings) {
  EXPECT_EQ(ParseDevice("cuda"), 0);
  EXPECT_EQ(ParseDevice("cuda:0"), 0);
  EXPECT_EQ(ParseDevice("cuda:3"), 3);
  for (const char* bad : {"cpu", "cuda:", "cuda:-1", "cuda:1x", "gpu:0", "CUDA", "cuda:99999999999"}) {
    EXPECT_THROW(ParseDevice(bad), Error) << bad;
  }
}

TEST(DeviceTest, UnusableDeviceIsAClearUnsupportedError) {
  const int count = DeviceCount();
  try {
    RequireDevice(count);  // one past the last device, or device 0 without a GPU
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("cuda:" + std::to_string(count) + " asked for"), std::string::npos)
        << e.what();
  }
}

TEST(DeviceTest, ReasonIsEmptyExactlyWhenADeviceIsUsable) {
  EXPECT_EQ(UnavailableReason().empty(), DeviceCount() > 0);
}

TEST(DeviceTest, ScopeRestoresCurrentDevice) {
  GEOBATCH_REQUIRE_GPU();
  { DeviceScope scope(DeviceCount() - 1); }
  DeviceScope again(0);
}

}  // namespace
}  // namespace geobatch::gpu
