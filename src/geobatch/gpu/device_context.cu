#include "geobatch/gpu/device_context.h"

#include <cuda_runtime_api.h>

#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/device.h"

namespace geobatch::gpu {

DeviceContext& DeviceContext::Get(int device) {
  static std::mutex mutex;
  static auto* contexts = new std::vector<DeviceContext*>();
  std::lock_guard lock(mutex);
  if (device >= 0 && static_cast<size_t>(device) < contexts->size() && (*contexts)[device]) {
    return *(*contexts)[device];
  }
  RequireDevice(device);
  if (contexts->size() <= static_cast<size_t>(device)) contexts->resize(device + 1, nullptr);
  (*contexts)[device] = new DeviceContext(device);
  return *(*contexts)[device];
}

DeviceContext::DeviceContext(int device) : device_(device) {
  DeviceScope scope(device);
  GEOBATCH_CUDA(cudaStreamCreateWithFlags(reinterpret_cast<cudaStream_t*>(&copy_stream_), cudaStreamNonBlocking));
  cudaMemPoolProps props = {};
  props.allocType = cudaMemAllocationTypePinned;
  props.location.type = cudaMemLocationTypeDevice;
  props.location.id = device;
  cudaMemPool_t pool = nullptr;
  GEOBATCH_CUDA(cudaMemPoolCreate(&pool, &props));
  pool_ = pool;
  set_cache_bytes(std::numeric_limits<uint64_t>::max());
}

void* DeviceContext::Allocate(uint64_t bytes, CudaStream stream) {
  DeviceScope scope(device_);
  void* ptr = nullptr;
  // A zero-byte request still gets a distinct, freeable pointer.
  GEOBATCH_CUDA(cudaMallocFromPoolAsync(&ptr, bytes ? bytes : 1, static_cast<cudaMemPool_t>(pool_), stream));
  return ptr;
}

void DeviceContext::Free(void* ptr, CudaStream stream) {
  DeviceScope scope(device_);
  GEOBATCH_CUDA(cudaFreeAsync(ptr, stream));
}

void DeviceContext::set_cache_bytes(uint64_t bytes) {
  uint64_t threshold = bytes;  // the attribute is a cuuint64_t
  GEOBATCH_CUDA(cudaMemPoolSetAttribute(static_cast<cudaMemPool_t>(pool_), cudaMemPoolAttrReleaseThreshold,
                                        &threshold));
}

}  // namespace geobatch::gpu
