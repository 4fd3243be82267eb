// Turns CUDA runtime failures into geobatch errors. Internal to the gpu
// target: it includes the CUDA runtime headers, which public headers avoid.
#pragma once

#include <cuda_runtime_api.h>

namespace geobatch::gpu {

// Throws when `status` is not cudaSuccess: UnsupportedError when no device
// or driver is usable, TransientError when out of memory, InternalError
// otherwise. `what` names the failed call.
void CheckCuda(cudaError_t status, const char* what);

// Whether `status` means "no usable device or driver" rather than a failure.
bool IsUnavailable(cudaError_t status);

}  // namespace geobatch::gpu

#define GEOBATCH_CUDA(call) ::geobatch::gpu::CheckCuda((call), #call)
