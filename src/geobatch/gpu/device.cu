#include "geobatch/gpu/device.h"

#include <dlfcn.h>

#include <charconv>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {

int DeviceCount() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess ? count : 0;
}

std::string UnavailableReason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaSuccess) return count > 0 ? "" : "the CUDA runtime reports no devices";
  // The runtime says "driver version is insufficient" when there is no
  // driver at all; name the missing library instead.
  if (void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL)) {
    dlclose(driver);
  } else {
    return "no NVIDIA driver: libcuda.so.1 cannot be loaded";
  }
  return std::string(cudaGetErrorString(status)) + " (" + cudaGetErrorName(status) + ")";
}

int ParseDevice(std::string_view device) {
  if (device == "cuda") return 0;
  constexpr std::string_view kPrefix = "cuda:";
  if (device.starts_with(kPrefix)) {
    const std::string_view digits = device.substr(kPrefix.size());
    int ordinal = -1;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
    if (!digits.empty() && error == std::errc() && end == digits.data() + digits.size() && ordinal >= 0) {
      return ordinal;
    }
  }
  throw InvalidArgumentError("device must be \"cuda\" or \"cuda:N\", got \"" + std::string(device) + "\"");
}

void RequireDevice(int ordinal) {
  const std::string name = "cuda:" + std::to_string(ordinal);
  const std::string reason = UnavailableReason();
  if (!reason.empty()) throw UnsupportedError(name + " asked for, but no CUDA device is usable: " + reason);
  const int count = DeviceCount();
  if (ordinal < 0 || ordinal >= count) {
    throw UnsupportedError(name + " asked for, but there " + (count == 1 ? "is 1 CUDA device" :
                           "are " + std::to_string(count) + " CUDA devices"));
  }
}

DeviceScope::DeviceScope(int ordinal) {
  GEOBATCH_CUDA(cudaGetDevice(&previous_));
  if (previous_ != ordinal) GEOBATCH_CUDA(cudaSetDevice(ordinal));
}

DeviceScope::~DeviceScope() {
  int current = -1;
  if (cudaGetDevice(&current) == cudaSuccess && current != previous_) cudaSetDevice(previous_);
}

}  // namespace geobatch::gpu
