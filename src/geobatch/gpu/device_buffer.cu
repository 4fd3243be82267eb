#include "geobatch/gpu/device_buffer.h"

#include <cuda_runtime_api.h>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/device.h"
#include "geobatch/gpu/device_context.h"

namespace geobatch::gpu {

DeviceBuffer::DeviceBuffer(int device, uint64_t bytes, CudaStream stream) : device_(device), bytes_(bytes) {
  DeviceContext& context = DeviceContext::Get(device);
  DeviceScope scope(device);
  GEOBATCH_CUDA(cudaEventCreateWithFlags(&ready_, cudaEventDisableTiming));
  try {
    data_ = context.Allocate(bytes, stream ? stream : context.copy_stream());
  } catch (...) {
    cudaEventDestroy(ready_);
    throw;
  }
}

DeviceBuffer::~DeviceBuffer() {
  // Destructors cannot throw: failures here (a CUDA context already in
  // error) only leak the block.
  DeviceContext& context = DeviceContext::Get(device_);
  int previous = -1;
  cudaGetDevice(&previous);
  cudaSetDevice(device_);
  cudaStream_t stream = context.copy_stream();
  cudaStreamWaitEvent(stream, ready_, 0);
  for (cudaEvent_t done : consumers_done_) {
    cudaStreamWaitEvent(stream, done, 0);
    cudaEventDestroy(done);
  }
  cudaFreeAsync(data_, stream);
  cudaEventDestroy(ready_);
  if (previous >= 0) cudaSetDevice(previous);
}

void DeviceBuffer::MarkReady(CudaStream producer) {
  DeviceScope scope(device_);
  GEOBATCH_CUDA(cudaEventRecord(ready_, producer));
}

void DeviceBuffer::HandTo(CudaStream consumer) const {
  DeviceScope scope(device_);  // the legacy default stream is the current device's
  GEOBATCH_CUDA(cudaStreamWaitEvent(consumer, ready_, 0));
}

void DeviceBuffer::ConsumerDone(CudaStream consumer) {
  DeviceScope scope(device_);
  cudaEvent_t done = nullptr;
  GEOBATCH_CUDA(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
  const cudaError_t status = cudaEventRecord(done, consumer);
  if (status != cudaSuccess) {
    cudaEventDestroy(done);
    CheckCuda(status, "cudaEventRecord");
  }
  std::lock_guard lock(mutex_);
  consumers_done_.push_back(done);
}

void DeviceBuffer::WaitReady() const { GEOBATCH_CUDA(cudaEventSynchronize(ready_)); }

}  // namespace geobatch::gpu
