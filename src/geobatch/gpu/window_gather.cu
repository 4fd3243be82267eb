#include "geobatch/gpu/window_gather.h"

#include <cuda_runtime_api.h>

#include <algorithm>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

template <typename T>
__global__ void GatherKernel(const GatherShape s, uint64_t total, uint64_t window_elements, const uint64_t* origins,
                             const uint32_t* table_offsets, const int32_t* table, const std::byte* chunks,
                             std::byte* out) {
  const uint64_t step = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t k = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < total; k += step) {
    const uint64_t window = k / window_elements;
    uint64_t local = k % window_elements;
    const uint64_t* origin = origins + window * s.rank;
    // From the last dimension back: the element's place in its chunk and
    // its chunk's place in the window's box of chunks.
    uint64_t in_chunk = 0, chunk_stride = 1, box_index = 0, box_stride = 1;
    for (int d = static_cast<int>(s.rank) - 1; d >= 0; --d) {
      const uint64_t position = origin[d] + local % s.extent[d];
      local /= s.extent[d];
      const uint64_t first_cell = origin[d] / s.chunk_shape[d];
      const uint64_t last_cell = (origin[d] + s.extent[d] - 1) / s.chunk_shape[d];
      in_chunk += (position % s.chunk_shape[d]) * chunk_stride;
      chunk_stride *= s.chunk_shape[d];
      box_index += (position / s.chunk_shape[d] - first_cell) * box_stride;
      box_stride *= last_cell - first_cell + 1;
    }
    const int32_t chunk = table[table_offsets[window] + box_index];
    T value;
    if (chunk >= 0) {
      value = reinterpret_cast<const T*>(chunks + static_cast<uint64_t>(chunk) * s.chunk_stride)[in_chunk];
    } else {
      memcpy(&value, s.fill, sizeof(T));
    }
    reinterpret_cast<T*>(out)[k] = value;
  }
}

}  // namespace

void LaunchWindowGather(const GatherShape& shape, uint64_t num_windows, const uint64_t* origins,
                        const uint32_t* table_offsets, const int32_t* table, const std::byte* chunks,
                        std::byte* out, CudaStream stream) {
  if (shape.rank == 0 || shape.rank > kMaxGatherRank) {
    throw UnsupportedError("GPU window reads handle arrays of 1 to 8 dimensions");
  }
  uint64_t window_elements = 1;
  for (uint32_t d = 0; d < shape.rank; ++d) window_elements *= shape.extent[d];
  const uint64_t total = window_elements * num_windows;
  if (total == 0) return;
  constexpr int kThreads = 256;
  const auto blocks = static_cast<unsigned>(std::min<uint64_t>((total + kThreads - 1) / kThreads, 65535 * 8));
  switch (shape.element_size) {
#define GEOBATCH_GATHER(SIZE, TYPE)                                                                              \
  case SIZE:                                                                                                    \
    GatherKernel<TYPE><<<blocks, kThreads, 0, stream>>>(shape, total, window_elements, origins, table_offsets, \
                                                        table, chunks, out);                                  \
    break;
    GEOBATCH_GATHER(1, uint8_t)
    GEOBATCH_GATHER(2, uint16_t)
    GEOBATCH_GATHER(4, uint32_t)
    GEOBATCH_GATHER(8, uint64_t)
    GEOBATCH_GATHER(16, uint4)
#undef GEOBATCH_GATHER
    default:
      throw UnsupportedError("GPU window reads handle elements of 1, 2, 4, 8 or 16 bytes");
  }
  GEOBATCH_CUDA(cudaGetLastError());
}

}  // namespace geobatch::gpu
