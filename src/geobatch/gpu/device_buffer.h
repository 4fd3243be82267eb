// Device memory that geobatch fills on a producer stream and hands to
// consumer streams: each consumer's stream waits on the buffer's ready event
// (on the GPU, the host never blocks), and the memory goes back to the pool
// only after every consumer has said it is done (an event recorded on its
// stream when it drops the buffer).
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "geobatch/gpu/cuda_handles.h"

namespace geobatch::gpu {

class DeviceBuffer {
 public:
  // `bytes` from the device's pool, usable on `stream` (default: the
  // device's copy stream) from this point of it.
  DeviceBuffer(int device, uint64_t bytes, CudaStream stream = nullptr);
  // Frees once the producer and every consumer recorded so far are done.
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return data_; }
  uint64_t bytes() const { return bytes_; }
  int device() const { return device_; }

  // The data is complete once `producer` reaches this point.
  void MarkReady(CudaStream producer);
  // Makes `consumer` wait, on the GPU, until the data is ready.
  void HandTo(CudaStream consumer) const;
  // `consumer` has enqueued all its work on the buffer: the memory is not
  // reused before that work is done.
  void ConsumerDone(CudaStream consumer);
  // Blocks the calling thread until the data is ready.
  void WaitReady() const;

 private:
  const int device_;
  const uint64_t bytes_;
  void* data_ = nullptr;
  CudaEvent ready_ = nullptr;
  std::mutex mutex_;
  std::vector<CudaEvent> consumers_done_;
};

}  // namespace geobatch::gpu
