#include "geobatch/gpu/cuda_check.h"

#include <string>

#include "geobatch/util/error.h"

namespace geobatch::gpu {

bool IsUnavailable(cudaError_t status) {
  switch (status) {
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorInvalidDevice:
    case cudaErrorDevicesUnavailable:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorStubLibrary:
    case cudaErrorDeviceUninitialized:
    case cudaErrorSystemNotReady:
      return true;
    default:
      return false;
  }
}

void CheckCuda(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  const std::string message = std::string(what) + " failed: " + cudaGetErrorString(status) + " (" +
                              cudaGetErrorName(status) + ")";
  if (IsUnavailable(status)) throw UnsupportedError("no usable CUDA device: " + message);
  if (status == cudaErrorMemoryAllocation) throw TransientError("out of GPU memory: " + message);
  throw InternalError(message);
}

}  // namespace geobatch::gpu
