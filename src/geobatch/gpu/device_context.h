// What geobatch keeps per CUDA device for the life of the process: a
// non-blocking stream for host-to-device copies and GPU transforms, and a
// stream-ordered memory pool for batch buffers. A block freed on a stream is
// reused only once that stream has passed the free, so freeing on the
// consumer's stream is what keeps a buffer alive until the consumer is done.
#pragma once

#include <cstdint>

#include "geobatch/gpu/cuda_handles.h"

namespace geobatch::gpu {

class DeviceContext {
 public:
  // The context of `device`, created on first use; throws UnsupportedError
  // when the device cannot be used. Never destroyed (CUDA may be torn down
  // before static destructors run).
  static DeviceContext& Get(int device);

  int device() const { return device_; }
  CudaStream copy_stream() const { return copy_stream_; }

  // `bytes` of device memory, usable on `stream` from this point of it.
  void* Allocate(uint64_t bytes, CudaStream stream);
  // Returns `ptr` to the pool once `stream` passes this point.
  void Free(void* ptr, CudaStream stream);

  // How much freed memory the pool keeps for reuse instead of returning it
  // to the driver (default: all of it).
  void set_cache_bytes(uint64_t bytes);

 private:
  explicit DeviceContext(int device);

  const int device_;
  CudaStream copy_stream_ = nullptr;
  void* pool_ = nullptr;  // cudaMemPool_t
};

}  // namespace geobatch::gpu
