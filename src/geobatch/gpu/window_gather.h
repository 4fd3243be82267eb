// The GPU half of reading windows: copies every window's elements out of
// decoded chunks in device memory into the batch buffer (window i at
// i * window_elements), filling the parts whose chunk is absent with the
// fill value. Each window's chunks form a box of the chunk grid, listed per
// window in C order as indices into the decoded chunks (-1: absent).
#pragma once

#include <cstddef>
#include <cstdint>

#include "geobatch/gpu/cuda_handles.h"

namespace geobatch::gpu {

inline constexpr size_t kMaxGatherRank = 8;
inline constexpr size_t kMaxElementSize = 16;

struct GatherShape {
  uint32_t rank = 0;
  uint32_t element_size = 0;               // 1, 2, 4, 8 or 16
  uint64_t extent[kMaxGatherRank] = {};       // window shape
  uint64_t chunk_shape[kMaxGatherRank] = {};  // decoded chunk shape
  uint64_t chunk_stride = 0;                  // bytes between decoded chunks
  unsigned char fill[kMaxElementSize] = {};   // one fill element
};

// Enqueues on `stream`. Device arrays: `origins` (num_windows x rank),
// `table_offsets` (num_windows: where each window's chunk box starts in
// `table`), `table` (chunk indices into `chunks`).
void LaunchWindowGather(const GatherShape& shape, uint64_t num_windows, const uint64_t* origins,
                        const uint32_t* table_offsets, const int32_t* table, const std::byte* chunks,
                        std::byte* out, CudaStream stream);

}  // namespace geobatch::gpu
