// Delivers a host batch buffer to the GPU: an asynchronous copy on the
// device's copy stream, then (when asked) the transform kernel on the same
// stream, into a new DeviceBuffer whose ready event marks the end. The host
// call returns at once; decoding of the next batch overlaps the copy.
#pragma once

#include <cstdint>
#include <memory>

#include "geobatch/array/dtype.h"
#include "geobatch/gpu/device_buffer.h"
#include "geobatch/gpu/pinned_ring.h"
#include "geobatch/gpu/transform.h"

namespace geobatch::gpu {

// Host memory to copy from: inside a pinned lease (copied by DMA, the slot
// kept until the copy has read it) or, when `lease` is null, pageable memory
// (the CUDA driver stages it; the call returns once it may be reused).
struct HostSource {
  const void* data = nullptr;
  PinnedLease lease;
};

// `count` elements of `src_type` at `source`, as `dst_type` after `params`,
// in a new buffer on `device`.
std::shared_ptr<DeviceBuffer> DeliverToDevice(const HostSource& source, uint64_t count, DataTypeId src_type,
                                              DataTypeId dst_type, const TransformParams& params, int device);

}  // namespace geobatch::gpu
