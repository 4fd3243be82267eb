// Asynchronous work that a buffer must outlive: a copy still reading a
// staging buffer, a kernel still using device memory. CUDA events implement
// it (EventCompletion); host-side logic is tested with fakes.
#pragma once

namespace geobatch::gpu {

class Completion {
 public:
  virtual ~Completion() = default;
  // True when the work is done; never blocks.
  virtual bool Done() = 0;
  // Blocks until the work is done.
  virtual void Wait() = 0;
};

}  // namespace geobatch::gpu
