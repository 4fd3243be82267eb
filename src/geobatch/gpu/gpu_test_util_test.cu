// Helpers shared by the GPU tests (named *_test.cu so that only the test
// binary builds them).
#include <cuda_runtime_api.h>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/gpu_test_util.h"

namespace geobatch::gpu {

std::vector<std::byte> CopyToHost(const void* data, size_t bytes) {
  std::vector<std::byte> host(bytes);
  GEOBATCH_CUDA(cudaDeviceSynchronize());
  GEOBATCH_CUDA(cudaMemcpy(host.data(), data, bytes, cudaMemcpyDeviceToHost));
  return host;
}

}  // namespace geobatch::gpu
