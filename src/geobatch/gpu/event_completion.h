// A CUDA event recorded on a stream, as a Completion: done when the work
// enqueued on the stream before it is. Internal (includes CUDA headers).
#pragma once

#include <cuda_runtime_api.h>

#include "geobatch/gpu/completion.h"

namespace geobatch::gpu {

class EventCompletion final : public Completion {
 public:
  // Creates an event (timing disabled) on the current device and records it on `stream`.
  explicit EventCompletion(cudaStream_t stream);
  ~EventCompletion() override;
  EventCompletion(const EventCompletion&) = delete;
  EventCompletion& operator=(const EventCompletion&) = delete;

  bool Done() override;
  void Wait() override;
  cudaEvent_t event() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

}  // namespace geobatch::gpu
