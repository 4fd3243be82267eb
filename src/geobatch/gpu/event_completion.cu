#include "geobatch/gpu/event_completion.h"

#include "geobatch/gpu/cuda_check.h"

namespace geobatch::gpu {

EventCompletion::EventCompletion(cudaStream_t stream) {
  GEOBATCH_CUDA(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming));
  const cudaError_t status = cudaEventRecord(event_, stream);
  if (status != cudaSuccess) {
    cudaEventDestroy(event_);
    CheckCuda(status, "cudaEventRecord");
  }
}

EventCompletion::~EventCompletion() { cudaEventDestroy(event_); }

bool EventCompletion::Done() {
  const cudaError_t status = cudaEventQuery(event_);
  if (status == cudaErrorNotReady) return false;
  CheckCuda(status, "cudaEventQuery");
  return true;
}

void EventCompletion::Wait() { GEOBATCH_CUDA(cudaEventSynchronize(event_)); }

}  // namespace geobatch::gpu
