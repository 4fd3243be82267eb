#include "geobatch/gpu/gpu_window_reader.h"

#include <cuda_runtime_api.h>

#include <cstring>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/device.h"
#include "geobatch/gpu/device_context.h"
#include "geobatch/gpu/event_completion.h"
#include "geobatch/gpu/host_to_device.h"
#include "geobatch/gpu/nvcomp_library.h"
#include "geobatch/gpu/window_gather.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"
#include "geobatch/util/task_group.h"

namespace geobatch::gpu {
namespace {

// Pinned staging buffers per reader: one being filled while one is copied.
constexpr size_t kStagingSlots = 3;

uint64_t AlignUp(uint64_t n) { return (n + kChunkAlignment - 1) / kChunkAlignment * kChunkAlignment; }

// Chunk-grid coordinates of every chunk in window `origin`'s box, C order.
std::vector<std::vector<uint64_t>> ChunkBox(std::span<const uint64_t> origin, std::span<const uint64_t> extent,
                                            std::span<const uint64_t> chunk_shape) {
  const size_t rank = origin.size();
  std::vector<uint64_t> first(rank), last(rank);
  for (size_t d = 0; d < rank; ++d) {
    first[d] = origin[d] / chunk_shape[d];
    last[d] = (origin[d] + extent[d] - 1) / chunk_shape[d];
  }
  std::vector<std::vector<uint64_t>> cells;
  std::vector<uint64_t> cell = first;
  while (true) {
    cells.push_back(cell);
    size_t d = rank;
    while (d > 0 && cell[d - 1] == last[d - 1]) {
      cell[d - 1] = first[d - 1];
      --d;
    }
    if (d == 0) return cells;
    ++cell[d - 1];
  }
}

}  // namespace

DecodeMode ParseDecodeMode(std::string_view mode) {
  if (mode == "auto") return DecodeMode::kAuto;
  if (mode == "gpu") return DecodeMode::kGpu;
  if (mode == "cpu") return DecodeMode::kCpu;
  throw InvalidArgumentError("decode must be \"auto\", \"gpu\" or \"cpu\", got \"" + std::string(mode) + "\"");
}

GpuWindowReader::GpuWindowReader(std::shared_ptr<const ZarrArray> array, std::shared_ptr<DecodedChunkCache> cache,
                                 int device, DecodeMode mode)
    : array_(std::move(array)), device_(device) {
  DeviceContext::Get(device);  // a clear error first when the device is unusable
  staging_ = PinnedRing::Create(device, kStagingSlots);
  cpu_reader_ = std::make_shared<WindowReader>(array_, std::move(cache));
  sharding_ = array_->metadata().codecs->sharding();
  const CodecChain& chunk_codecs = sharding_ ? sharding_->inner_codecs() : *array_->metadata().codecs;
  if (mode == DecodeMode::kCpu) {
    cpu_reason_ = "decode=\"cpu\" asked for";
  } else if (array_->rank() == 0 || array_->rank() > kMaxGatherRank) {
    cpu_reason_ = "GPU window reads handle arrays of 1 to 8 dimensions";
  } else if (const auto plan = PlanGpuDecode(chunk_codecs, &cpu_reason_)) {
    if (plan->compressed && !NvcompLibrary::Get()) {
      cpu_reason_ = NvcompLibrary::LoadError();
    } else {
      decoder_ = std::make_unique<GpuBatchDecoder>(device, *plan);
    }
  }
  if (!decoder_ && mode == DecodeMode::kGpu) {
    throw UnsupportedError("array '" + array_->path() + "' cannot be decoded on the GPU: " + cpu_reason_);
  }
  DeviceScope scope(device);
  GEOBATCH_CUDA(cudaStreamCreateWithFlags(reinterpret_cast<cudaStream_t*>(&stream_), cudaStreamNonBlocking));
}

GpuWindowReader::~GpuWindowReader() {
  DeviceScope scope(device_);
  cudaStreamSynchronize(stream_);
  cudaStreamDestroy(stream_);
}

std::string GpuWindowReader::ChunkName(const std::vector<uint64_t>& cell) const {
  std::string coords;
  for (uint64_t c : cell) coords.append(coords.empty() ? "" : ",").append(std::to_string(c));
  return "array '" + array_->path() + "' read-chunk (" + coords + ")";
}

std::shared_ptr<DeviceBuffer> GpuWindowReader::Read(std::span<const uint64_t> origins,
                                                    std::span<const uint64_t> extent) {
  const ArrayMetadata& meta = array_->metadata();
  const size_t rank = meta.shape.size();
  if (extent.size() != rank || (rank > 0 && origins.size() % rank != 0) || (rank == 0 && !origins.empty())) {
    throw InvalidArgumentError("windows of array '" + array_->path() + "' need " + std::to_string(rank) +
                               " coordinates each");
  }
  const size_t num_windows = rank ? origins.size() / rank : 0;
  const uint64_t window_bytes = CheckedMul(CheckedProduct(extent, "window size"), meta.dtype.size(), "window size");
  const uint64_t batch_bytes = CheckedMul(window_bytes, num_windows, "batch size");
  for (size_t i = 0; i < num_windows; ++i) {
    for (size_t d = 0; d < rank; ++d) {
      const uint64_t o = origins[i * rank + d];
      if (o > meta.shape[d] || extent[d] > meta.shape[d] - o) {
        throw InvalidArgumentError("window " + std::to_string(i) + " lies outside array '" + array_->path() +
                                   "' along dimension " + std::to_string(d));
      }
    }
  }
  if (!decoder_ || window_bytes == 0) return ReadOnCpu(origins, extent, batch_bytes);
  return ReadOnGpu(origins, extent, num_windows, batch_bytes);
}

std::shared_ptr<DeviceBuffer> GpuWindowReader::ReadOnCpu(std::span<const uint64_t> origins,
                                                         std::span<const uint64_t> extent, uint64_t batch_bytes) {
  PinnedLease block = staging_->Acquire(batch_bytes);
  cpu_reader_->Read(origins, extent, std::span<std::byte>(block->data(), batch_bytes));
  return DeliverToDevice({block->data(), block}, batch_bytes, DataTypeId::kUInt8, DataTypeId::kUInt8,
                         TransformParams{}, device_);
}

GpuWindowReader::ShardIndex GpuWindowReader::LoadShardIndex(const std::vector<uint64_t>& shard_coords) {
  {
    std::lock_guard lock(shard_mutex_);
    if (auto it = shard_indexes_.find(shard_coords); it != shard_indexes_.end()) return it->second;
  }
  const std::string key = array_->ChunkKey(shard_coords);
  const uint64_t size = sharding_->index_size();
  ShardIndex index;
  try {
    auto bytes = array_->store()->Get(key, sharding_->index_at_end() ? ByteRange::Suffix(size)
                                                                     : ByteRange::Of(0, size));
    if (bytes) {
      index = std::make_shared<const std::vector<InnerChunkLocation>>(
          sharding_->DecodeIndex(bytes->span(), ~uint64_t{0}));
    }
  } catch (const Error& e) {
    throw WithContext(e, "array '" + array_->path() + "' shard '" + key + "'");
  }
  std::lock_guard lock(shard_mutex_);
  shard_indexes_.emplace(shard_coords, index);
  return index;
}

std::vector<std::optional<Buffer>> GpuWindowReader::Fetch(const std::vector<std::vector<uint64_t>>& cells) {
  std::vector<std::optional<Buffer>> encoded(cells.size());
  TaskGroup reads;
  auto fetch = [&](size_t i, std::string key, ByteRange range) {
    reads.Add();
    array_->store()->GetAsync(key, range, [&, i, key](ReadResult result) {
      std::exception_ptr error = result.error;
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const Error& e) {
          error = std::make_exception_ptr(WithContext(e, "array '" + array_->path() + "' chunk '" + key + "'"));
        } catch (...) {
        }
      } else {
        encoded[i] = std::move(result.value);
      }
      reads.Done(error);
    });
  };
  for (size_t i = 0; i < cells.size(); ++i) {
    if (!sharding_) {
      fetch(i, array_->ChunkKey(cells[i]), ByteRange::All());
      continue;
    }
    // The reads in flight write into `encoded`: finish them before throwing.
    reads.Add();
    // The inner chunk's shard and its place in the shard's index.
    const auto& inner = sharding_->inner_chunk_shape();
    const auto& shard_shape = array_->metadata().chunk_shape;
    const auto& grid = sharding_->chunks_per_shard();
    std::vector<uint64_t> shard_coords(cells[i].size());
    uint64_t n = 0;
    for (size_t d = 0; d < cells[i].size(); ++d) {
      const uint64_t start = cells[i][d] * inner[d];
      shard_coords[d] = start / shard_shape[d];
      n = n * grid[d] + (start % shard_shape[d]) / inner[d];
    }
    ShardIndex index;
    try {
      index = LoadShardIndex(shard_coords);
    } catch (...) {
      reads.Done(std::current_exception());
      break;
    }
    reads.Done();
    if (!index || (*index)[n].empty) continue;
    fetch(i, array_->ChunkKey(shard_coords), ByteRange::Of((*index)[n].offset, (*index)[n].nbytes));
  }
  reads.Wait();
  return encoded;
}

std::shared_ptr<DeviceBuffer> GpuWindowReader::ReadOnGpu(std::span<const uint64_t> origins,
                                                         std::span<const uint64_t> extent, size_t num_windows,
                                                         uint64_t batch_bytes) {
  const ArrayMetadata& meta = array_->metadata();
  const size_t rank = meta.shape.size();
  const auto& chunk_shape = array_->read_chunk_shape();
  // Plan: each window's box of chunks as indices into the distinct chunks.
  std::map<std::vector<uint64_t>, int32_t> index_of;
  std::vector<std::vector<uint64_t>> cells;
  std::vector<uint32_t> table_offsets(num_windows);
  std::vector<int32_t> table;
  for (size_t i = 0; i < num_windows; ++i) {
    table_offsets[i] = static_cast<uint32_t>(table.size());
    for (auto& cell : ChunkBox(origins.subspan(i * rank, rank), extent, chunk_shape)) {
      auto [it, added] = index_of.emplace(cell, static_cast<int32_t>(cells.size()));
      if (added) cells.push_back(std::move(cell));
      table.push_back(it->second);
    }
  }
  // Fetch; absent chunks read as the fill value (-1 in the table).
  std::vector<std::optional<Buffer>> encoded = Fetch(cells);
  std::vector<int32_t> present_index(cells.size(), -1);
  std::vector<std::span<const std::byte>> payloads;
  std::vector<std::string> names;
  for (size_t c = 0; c < cells.size(); ++c) {
    if (!encoded[c]) continue;
    present_index[c] = static_cast<int32_t>(payloads.size());
    payloads.push_back(encoded[c]->span());
    names.push_back(ChunkName(cells[c]));
  }
  for (int32_t& entry : table) entry = present_index[entry];

  GatherShape shape;
  shape.rank = static_cast<uint32_t>(rank);
  shape.element_size = static_cast<uint32_t>(meta.dtype.size());
  for (size_t d = 0; d < rank; ++d) {
    shape.extent[d] = extent[d];
    shape.chunk_shape[d] = chunk_shape[d];
  }
  const uint64_t chunk_bytes = CheckedMul(CheckedProduct(chunk_shape, "chunk size"), shape.element_size,
                                          "chunk size");
  shape.chunk_stride = AlignUp(chunk_bytes);
  std::memcpy(shape.fill, meta.fill_value.data(), std::min(meta.fill_value.size(), sizeof(shape.fill)));

  DeviceScope scope(device_);
  DeviceContext& context = DeviceContext::Get(device_);
  // Host-side gather arrays go over in one copy.
  const uint64_t origins_bytes = AlignUp(origins.size_bytes());
  const uint64_t offsets_bytes = AlignUp(table_offsets.size() * sizeof(uint32_t));
  const uint64_t arrays_bytes = origins_bytes + offsets_bytes + table.size() * sizeof(int32_t);
  PinnedLease arrays = staging_->Acquire(arrays_bytes);
  std::memcpy(arrays->data(), origins.data(), origins.size_bytes());
  std::memcpy(arrays->data() + origins_bytes, table_offsets.data(), table_offsets.size() * sizeof(uint32_t));
  std::memcpy(arrays->data() + origins_bytes + offsets_bytes, table.data(), table.size() * sizeof(int32_t));

  auto out = std::make_shared<DeviceBuffer>(device_, batch_bytes, stream_);
  auto* decoded = static_cast<std::byte*>(context.Allocate(payloads.size() * shape.chunk_stride, stream_));
  auto* device_arrays = static_cast<std::byte*>(context.Allocate(arrays_bytes, stream_));
  GpuDecodeCheck check;
  try {
    std::vector<void*> outputs(payloads.size());
    for (size_t c = 0; c < outputs.size(); ++c) outputs[c] = decoded + c * shape.chunk_stride;
    check = decoder_->Enqueue(payloads, outputs, chunk_bytes, names, stream_);
    GEOBATCH_CUDA(cudaMemcpyAsync(device_arrays, arrays->data(), arrays_bytes, cudaMemcpyHostToDevice, stream_));
    LaunchWindowGather(shape, num_windows, reinterpret_cast<const uint64_t*>(device_arrays),
                       reinterpret_cast<const uint32_t*>(device_arrays + origins_bytes),
                       reinterpret_cast<const int32_t*>(device_arrays + origins_bytes + offsets_bytes), decoded,
                       static_cast<std::byte*>(out->data()), stream_);
  } catch (...) {
    context.Free(decoded, stream_);
    context.Free(device_arrays, stream_);
    arrays->AddUse(std::make_shared<EventCompletion>(stream_));
    throw;
  }
  context.Free(decoded, stream_);
  context.Free(device_arrays, stream_);
  out->MarkReady(stream_);
  // nvCOMP reports per-chunk failures on the GPU: wait for them here.
  auto done = std::make_shared<EventCompletion>(stream_);
  arrays->AddUse(done);
  done->Wait();
  check.Verify();
  return out;
}

}  // namespace geobatch::gpu
