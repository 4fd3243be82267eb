// Reads many same-sized windows of one Zarr array straight into GPU memory
// (window i at i * window_bytes, C order, native-endian): the batch-reading
// counterpart of WindowReader for device="cuda".
//
// When the array's chunks decode on the GPU (GpuDecodePlan, nvCOMP loaded),
// each chunk the windows touch is fetched once, its compressed bytes are
// copied to the GPU and the whole step is decoded in one nvCOMP call, then a
// kernel gathers the windows. Otherwise the windows are read on the CPU by
// WindowReader (through the shared decoded-chunk cache) into a pinned
// staging buffer and copied. Both give the same bytes.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "geobatch/batch/window_reader.h"
#include "geobatch/gpu/device_buffer.h"
#include "geobatch/gpu/gpu_batch_decoder.h"
#include "geobatch/gpu/pinned_ring.h"

namespace geobatch::gpu {

enum class DecodeMode {
  kAuto,  // on the GPU when the codec and nvCOMP allow, else on the CPU
  kGpu,   // on the GPU, or an UnsupportedError saying why not
  kCpu,   // on the CPU
};

// "auto", "gpu", "cpu"; anything else is an InvalidArgumentError.
DecodeMode ParseDecodeMode(std::string_view mode);

class GpuWindowReader {
 public:
  GpuWindowReader(std::shared_ptr<const ZarrArray> array, std::shared_ptr<DecodedChunkCache> cache, int device,
                  DecodeMode mode);
  ~GpuWindowReader();

  // Window i is [origins[i], origins[i] + extent); `origins` holds
  // num_windows * rank values. The result is ready on the GPU when its
  // ready event fires (hand it to a consumer stream).
  std::shared_ptr<DeviceBuffer> Read(std::span<const uint64_t> origins, std::span<const uint64_t> extent);

  bool decodes_on_gpu() const { return decoder_ != nullptr; }
  // Why chunks decode on the CPU ("" when they decode on the GPU).
  const std::string& cpu_reason() const { return cpu_reason_; }
  int device() const { return device_; }
  const ZarrArray& array() const { return *array_; }

 private:
  using ShardIndex = std::shared_ptr<const std::vector<InnerChunkLocation>>;

  std::shared_ptr<DeviceBuffer> ReadOnCpu(std::span<const uint64_t> origins, std::span<const uint64_t> extent,
                                          uint64_t batch_bytes);
  std::shared_ptr<DeviceBuffer> ReadOnGpu(std::span<const uint64_t> origins, std::span<const uint64_t> extent,
                                          size_t num_windows, uint64_t batch_bytes);
  // The encoded read-chunks at `cells` (nullopt: absent), fetched concurrently.
  std::vector<std::optional<Buffer>> Fetch(const std::vector<std::vector<uint64_t>>& cells);
  ShardIndex LoadShardIndex(const std::vector<uint64_t>& shard_coords);
  std::string ChunkName(const std::vector<uint64_t>& cell) const;

  std::shared_ptr<const ZarrArray> array_;
  const int device_;
  std::shared_ptr<WindowReader> cpu_reader_;
  std::shared_ptr<PinnedRing> staging_;
  std::unique_ptr<GpuBatchDecoder> decoder_;  // null: decode on the CPU
  std::string cpu_reason_;
  const ShardingCodec* sharding_ = nullptr;
  CudaStream stream_ = nullptr;
  std::mutex shard_mutex_;
  std::map<std::vector<uint64_t>, ShardIndex> shard_indexes_;
};

}  // namespace geobatch::gpu
