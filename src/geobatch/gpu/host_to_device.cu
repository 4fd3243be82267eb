#include "geobatch/gpu/host_to_device.h"

#include <cuda_runtime_api.h>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/device.h"
#include "geobatch/gpu/device_context.h"
#include "geobatch/gpu/event_completion.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {

std::shared_ptr<DeviceBuffer> DeliverToDevice(const HostSource& source, uint64_t count, DataTypeId src_type,
                                              DataTypeId dst_type, const TransformParams& params, int device) {
  DeviceContext& context = DeviceContext::Get(device);
  const uint64_t src_bytes = CheckedMul(count, TypeOf(src_type).size(), "batch size");
  const uint64_t dst_bytes = CheckedMul(count, TypeOf(dst_type).size(), "batch size");
  if (source.lease) {
    const auto* begin = static_cast<const std::byte*>(source.data);
    if (begin < source.lease->data() || src_bytes > source.lease->bytes() ||
        static_cast<uint64_t>(begin - source.lease->data()) > source.lease->bytes() - src_bytes) {
      throw InvalidArgumentError("host data lies outside its pinned staging buffer");
    }
  }
  DeviceScope scope(device);
  cudaStream_t stream = context.copy_stream();
  auto out = std::make_shared<DeviceBuffer>(device, dst_bytes);
  if (IsIdentity(src_type, dst_type, params, count)) {
    GEOBATCH_CUDA(cudaMemcpyAsync(out->data(), source.data, src_bytes, cudaMemcpyHostToDevice, stream));
  } else {
    void* raw = context.Allocate(src_bytes, stream);
    try {
      GEOBATCH_CUDA(cudaMemcpyAsync(raw, source.data, src_bytes, cudaMemcpyHostToDevice, stream));
      LaunchTransform(raw, src_type, out->data(), dst_type, count, params, stream);
    } catch (...) {
      context.Free(raw, stream);
      throw;
    }
    context.Free(raw, stream);
  }
  out->MarkReady(stream);
  if (source.lease) source.lease->AddUse(std::make_shared<EventCompletion>(stream));
  return out;
}

}  // namespace geobatch::gpu
