#include "geobatch/gpu/gpu_batch_decoder.h"

#include <cuda_runtime_api.h>

#include <cstring>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/device.h"
#include "geobatch/gpu/device_context.h"
#include "geobatch/gpu/event_completion.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

uint64_t AlignUp(uint64_t n) { return (n + kChunkAlignment - 1) / kChunkAlignment * kChunkAlignment; }

// Staging slots: one being filled while the previous step's copy runs.
constexpr size_t kStagingSlots = 2;

}  // namespace

void GpuDecodeCheck::Verify() const {
  if (!block_) return;
  const std::byte* results = block_->data() + results_offset_;
  const auto* statuses = reinterpret_cast<const int*>(results);
  const auto* sizes = reinterpret_cast<const size_t*>(results + AlignUp(count_ * sizeof(int)));
  for (size_t i = 0; i < count_; ++i) {
    if (statuses[i] != 0) {
      throw CorruptError(names_[i] + ": GPU decode failed: " + nvcomp_->StatusString(statuses[i]));
    }
    if (sizes[i] != decoded_size_) {
      throw CorruptError(names_[i] + ": decodes to " + std::to_string(sizes[i]) + " bytes, expected " +
                         std::to_string(decoded_size_));
    }
  }
}

GpuBatchDecoder::GpuBatchDecoder(int device, GpuDecodePlan plan)
    : device_(device), plan_(plan), staging_(PinnedRing::Create(device, kStagingSlots)) {
  if (!plan_.compressed) return;
  nvcomp_ = NvcompLibrary::Get();
  if (!nvcomp_) throw UnsupportedError(NvcompLibrary::LoadError());
  NvcompAlignments alignments;
  const int status = nvcomp_->decompressor(plan_.codec).get_alignments(NvcompDecompressOpts{}, &alignments);
  if (status != 0 || kChunkAlignment % alignments.input || kChunkAlignment % alignments.output ||
      kChunkAlignment % alignments.temp) {
    throw UnsupportedError(std::string("nvCOMP's ") + NvcompCodecName(plan_.codec) +
                           " decompressor needs alignments geobatch does not provide");
  }
}

GpuDecodeCheck GpuBatchDecoder::Enqueue(std::span<const std::span<const std::byte>> encoded,
                                        std::span<void* const> outputs, uint64_t decoded_size,
                                        std::span<const std::string> names, CudaStream stream) {
  const size_t n = encoded.size();
  if (outputs.size() != n || names.size() != n) throw InternalError("GpuBatchDecoder: mismatched batch sizes");
  GpuDecodeCheck check;
  if (n == 0) return check;
  DeviceScope scope(device_);
  std::vector<std::span<const std::byte>> payloads(n);
  for (size_t i = 0; i < n; ++i) {
    try {
      payloads[i] = plan_.compressed ? NvcompPayload(plan_, encoded[i], decoded_size) : encoded[i];
    } catch (const Error& e) {
      throw WithContext(e, names[i]);
    }
    if (!plan_.compressed && payloads[i].size() != decoded_size) {
      throw CorruptError(names[i] + ": holds " + std::to_string(payloads[i].size()) + " bytes, expected " +
                         std::to_string(decoded_size));
    }
  }
  // Staging layout, mirrored in device scratch: four arrays of n words
  // (input pointers, input sizes, output sizes, output pointers), then the
  // payloads; results (statuses, decoded sizes) after it, device to host.
  const uint64_t arrays = AlignUp(4 * n * sizeof(uint64_t));
  std::vector<uint64_t> offsets(n);
  uint64_t end = arrays;
  for (size_t i = 0; i < n; ++i) {
    offsets[i] = end;
    end = AlignUp(end + payloads[i].size());
  }
  const uint64_t statuses_bytes = AlignUp(n * sizeof(int));
  const uint64_t results_bytes = statuses_bytes + AlignUp(n * sizeof(size_t));
  PinnedLease block = staging_->Acquire(end + results_bytes);
  DeviceContext& context = DeviceContext::Get(device_);
  auto* scratch = static_cast<std::byte*>(context.Allocate(end + results_bytes, stream));
  auto* words = reinterpret_cast<uint64_t*>(block->data());
  for (size_t i = 0; i < n; ++i) {
    words[i] = reinterpret_cast<uint64_t>(scratch + offsets[i]);
    words[n + i] = payloads[i].size();
    words[2 * n + i] = decoded_size;
    words[3 * n + i] = reinterpret_cast<uint64_t>(outputs[i]);
    std::memcpy(block->data() + offsets[i], payloads[i].data(), payloads[i].size());
  }
  void* temp = nullptr;
  try {
    GEOBATCH_CUDA(cudaMemcpyAsync(scratch, block->data(), end, cudaMemcpyHostToDevice, stream));
    if (!plan_.compressed) {
      for (size_t i = 0; i < n; ++i) {
        GEOBATCH_CUDA(cudaMemcpyAsync(outputs[i], scratch + offsets[i], decoded_size, cudaMemcpyDeviceToDevice,
                                      stream));
      }
    } else {
      const NvcompDecompressor& codec = nvcomp_->decompressor(plan_.codec);
      size_t temp_bytes = 0;
      int status = codec.get_temp_size(n, decoded_size, NvcompDecompressOpts{}, &temp_bytes, n * decoded_size,
                                       stream);
      if (status != 0) throw InternalError("nvCOMP temp size: " + nvcomp_->StatusString(status));
      if (temp_bytes) temp = context.Allocate(temp_bytes, stream);
      auto* device_words = reinterpret_cast<uint64_t*>(scratch);
      auto* statuses = reinterpret_cast<int*>(scratch + end);
      auto* sizes = reinterpret_cast<size_t*>(scratch + end + statuses_bytes);
      status = codec.decompress(reinterpret_cast<const void* const*>(device_words),
                                reinterpret_cast<const size_t*>(device_words + n),
                                reinterpret_cast<const size_t*>(device_words + 2 * n), sizes, n, temp, temp_bytes,
                                reinterpret_cast<void* const*>(device_words + 3 * n), NvcompDecompressOpts{},
                                statuses, stream);
      if (status != 0) throw InternalError("nvCOMP decompress: " + nvcomp_->StatusString(status));
      GEOBATCH_CUDA(cudaMemcpyAsync(block->data() + end, scratch + end, results_bytes, cudaMemcpyDeviceToHost,
                                    stream));
      check.block_ = block;
      check.results_offset_ = end;
      check.count_ = n;
      check.decoded_size_ = decoded_size;
      check.nvcomp_ = nvcomp_;
      check.names_.assign(names.begin(), names.end());
    }
  } catch (...) {
    if (temp) context.Free(temp, stream);
    context.Free(scratch, stream);
    block->AddUse(std::make_shared<EventCompletion>(stream));
    throw;
  }
  if (temp) context.Free(temp, stream);
  context.Free(scratch, stream);
  block->AddUse(std::make_shared<EventCompletion>(stream));
  return check;
}

}  // namespace geobatch::gpu
