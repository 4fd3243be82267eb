// Decodes the chunks of one batch step on the GPU with one nvCOMP call: the
// payloads are packed into one pinned staging block, copied to the device in
// one transfer and decompressed into the caller's device memory, all enqueued
// on the caller's stream. nvCOMP's per-chunk statuses and decoded sizes come
// back to pinned memory on the same stream; Verify() reads them once the
// stream has passed (a CorruptError names the first bad chunk).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "geobatch/gpu/cuda_handles.h"
#include "geobatch/gpu/gpu_codec_plan.h"
#include "geobatch/gpu/pinned_ring.h"

namespace geobatch::gpu {

// Alignment of every chunk geobatch hands nvCOMP, in and out.
inline constexpr uint64_t kChunkAlignment = 256;

class GpuDecodeCheck {
 public:
  // Throws CorruptError for the first chunk nvCOMP failed on or decoded to
  // another size. Call after the stream has passed the decode.
  void Verify() const;

 private:
  friend class GpuBatchDecoder;
  PinnedLease block_;   // null when there is nothing to check
  uint64_t results_offset_ = 0;  // statuses then decoded sizes, copied back by the stream
  size_t count_ = 0;
  uint64_t decoded_size_ = 0;
  const NvcompLibrary* nvcomp_ = nullptr;
  std::vector<std::string> names_;
};

class GpuBatchDecoder {
 public:
  // Throws UnsupportedError when nvCOMP cannot be loaded (compressed plans).
  GpuBatchDecoder(int device, GpuDecodePlan plan);

  // Enqueues the decoding of `encoded[i]` (host memory) into `outputs[i]`
  // (device memory, `decoded_size` bytes, kChunkAlignment-aligned) on
  // `stream`. `names[i]` names chunk i in errors.
  GpuDecodeCheck Enqueue(std::span<const std::span<const std::byte>> encoded, std::span<void* const> outputs,
                         uint64_t decoded_size, std::span<const std::string> names, CudaStream stream);

  const GpuDecodePlan& plan() const { return plan_; }

 private:
  const int device_;
  const GpuDecodePlan plan_;
  const NvcompLibrary* nvcomp_ = nullptr;
  std::shared_ptr<PinnedRing> staging_;
};

}  // namespace geobatch::gpu
