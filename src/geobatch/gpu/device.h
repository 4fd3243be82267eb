// Which CUDA devices there are, "cuda"/"cuda:N" device strings, and the
// clear error a caller gets when it asks for a GPU that cannot be used.
#pragma once

#include <string>
#include <string_view>

namespace geobatch::gpu {

// Usable CUDA devices; 0 when there is no driver or no device.
int DeviceCount();

// Why no CUDA device is usable, in the runtime's words ("" when one is).
std::string UnavailableReason();

// "cuda" -> 0, "cuda:N" -> N; anything else is an InvalidArgumentError.
int ParseDevice(std::string_view device);

// Throws UnsupportedError, naming the device and the reason, unless
// `ordinal` is a usable device.
void RequireDevice(int ordinal);

// Makes `ordinal` the calling thread's current device for the scope.
class DeviceScope {
 public:
  explicit DeviceScope(int ordinal);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;
};

}  // namespace geobatch::gpu
