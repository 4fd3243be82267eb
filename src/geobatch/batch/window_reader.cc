#include "geobatch/batch/window_reader.h"

#include <algorithm>

#include "geobatch/array/region_copy.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"
#include "geobatch/util/thread_pool.h"

namespace geobatch {
namespace {

using ShardIndexPtr = std::shared_ptr<const std::vector<InnerChunkLocation>>;

// Windows copied per CPU task: enough to amortise scheduling.
constexpr size_t kWindowsPerCopyTask = 8;

Error Located(const ZarrArray& array, const std::string& key, const std::exception_ptr& error) {
  const std::string where = "array '" + array.path() + "' chunk '" + key + "'";
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return WithContext(e, where);
  } catch (const std::exception& e) {
    return InternalError(where + ": " + e.what());
  }
}

}  // namespace

WindowReader::WindowReader(std::shared_ptr<const ZarrArray> array,
                           std::shared_ptr<DecodedChunkCache> cache)
    : array_(std::move(array)), cache_(std::move(cache)) {
  sharding_ = array_->metadata().codecs->sharding();
  chunk_codecs_ = sharding_ ? &sharding_->inner_codecs() : array_->metadata().codecs.get();
  cache_prefix_ = array_->store()->url() + "/" + array_->path() + "#";
}

std::string WindowReader::CacheKey(const std::vector<uint64_t>& coords) const {
  std::string key = cache_prefix_;
  for (uint64_t c : coords) key += std::to_string(c) + ",";
  return key;
}

void WindowReader::DecodeFetched(const std::string& key, ReadResult result, ChunkPromise promise) {
  if (result.error) {
    promise->set_exception(std::make_exception_ptr(Located(*array_, key, result.error)));
    return;
  }
  if (!result.value) {
    promise->set_value(nullptr);
    return;
  }
  auto encoded = std::make_shared<Buffer>(std::move(*result.value));
  CpuPool().Submit([self = shared_from_this(), this, key, promise, encoded] {
    try {
      auto decoded = std::make_shared<Buffer>(chunk_codecs_->layout().num_bytes());
      chunk_codecs_->Decode(encoded->span(), decoded->span());
      promise->set_value(std::move(decoded));
    } catch (...) {
      promise->set_exception(std::make_exception_ptr(Located(*array_, key, std::current_exception())));
    }
  });
}

void WindowReader::StartLoad(const std::vector<uint64_t>& coords, ChunkPromise promise) {
  if (sharding_) {
    StartLoadFromShard(coords, std::move(promise));
    return;
  }
  std::string key = array_->ChunkKey(coords);
  array_->store()->GetAsync(key, ByteRange::All(), [self = shared_from_this(), this, key, promise](ReadResult result) {
    DecodeFetched(key, std::move(result), promise);
  });
}

WindowReader::ShardIndexPtr WindowReader::LoadShardIndex(const std::vector<uint64_t>& shard_coords) {
  std::promise<ShardIndexPtr> promise;
  {
    std::unique_lock lock(shard_index_mutex_);
    if (auto it = shard_indexes_.find(shard_coords); it != shard_indexes_.end()) {
      auto pending = it->second;
      lock.unlock();
      return pending.get();  // fetched by the thread that asked first
    }
    shard_indexes_.emplace(shard_coords, promise.get_future().share());
  }
  const std::string key = array_->ChunkKey(shard_coords);
  try {
    const uint64_t size = sharding_->index_size();
    auto bytes = array_->store()->Get(key, sharding_->index_at_end() ? ByteRange::Suffix(size)
                                                                     : ByteRange::Of(0, size));
    ShardIndexPtr index;
    if (bytes) {
      index = std::make_shared<const std::vector<InnerChunkLocation>>(
          sharding_->DecodeIndex(bytes->span(), ~uint64_t{0}));
    }
    promise.set_value(index);
    return index;
  } catch (...) {
    const auto error = std::make_exception_ptr(Located(*array_, key, std::current_exception()));
    promise.set_exception(error);
    std::lock_guard lock(shard_index_mutex_);
    shard_indexes_.erase(shard_coords);  // the next request retries
    std::rethrow_exception(error);
  }
}

void WindowReader::StartLoadFromShard(const std::vector<uint64_t>& coords, ChunkPromise promise) {
  IoPool().Submit([self = shared_from_this(), this, coords, promise] {
    const auto& inner = sharding_->inner_chunk_shape();
    const auto& shard_shape = array_->metadata().chunk_shape;
    const auto& grid = sharding_->chunks_per_shard();
    std::vector<uint64_t> shard_coords(coords.size());
    uint64_t n = 0;
    for (size_t d = 0; d < coords.size(); ++d) {
      const uint64_t start = coords[d] * inner[d];
      shard_coords[d] = start / shard_shape[d];
      n = n * grid[d] + (start % shard_shape[d]) / inner[d];
    }
    try {
      const ShardIndexPtr index = LoadShardIndex(shard_coords);
      if (!index || (*index)[n].empty) {
        promise->set_value(nullptr);
        return;
      }
      const InnerChunkLocation location = (*index)[n];
      std::string key = array_->ChunkKey(shard_coords);
      array_->store()->GetAsync(key, ByteRange::Of(location.offset, location.nbytes),
                                [self = shared_from_this(), this, key, promise](ReadResult result) {
                                  DecodeFetched(key, std::move(result), promise);
                                });
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
}

void WindowReader::Read(std::span<const uint64_t> origins, std::span<const uint64_t> extent,
                        std::span<std::byte> out) {
  const WindowRead read{this, origins, extent, out};
  ReadMany({&read, 1});
}

void WindowReader::ReadMany(std::span<const WindowRead> reads) {
  std::vector<PendingRead> pending;
  pending.reserve(reads.size());
  for (const WindowRead& read : reads) pending.push_back(read.reader->Start(read));
  // Each read's copies start as soon as its own chunks are in, while the
  // next read's chunks may still be decoding.
  TaskGroup copies;
  std::exception_ptr error;
  for (size_t i = 0; i < reads.size() && !error; ++i) {
    try {
      reads[i].reader->AwaitChunks(pending[i]);
      reads[i].reader->SubmitCopies(reads[i], pending[i], copies);
    } catch (...) {
      error = std::current_exception();
    }
  }
  copies.Wait();  // the copies submitted use `pending`: wait for them even on error
  if (error) std::rethrow_exception(error);
}

WindowReader::PendingRead WindowReader::Start(const WindowRead& read) {
  const std::span<const uint64_t> origins = read.origins, extent = read.extent;
  const ArrayMetadata& meta = array_->metadata();
  const size_t rank = meta.shape.size();
  if (extent.size() != rank || (rank > 0 && origins.size() % rank != 0) || (rank == 0 && !origins.empty())) {
    throw InvalidArgumentError("windows of array '" + array_->path() + "' need " + std::to_string(rank) +
                               " coordinates each");
  }
  const size_t num_windows = rank ? origins.size() / rank : 0;
  PendingRead pending;
  pending.window_bytes = CheckedMul(CheckedProduct(extent, "window size"), meta.dtype.size(), "window size");
  if (read.out.size() != CheckedMul(pending.window_bytes, num_windows, "batch size")) {
    throw InvalidArgumentError("output has " + std::to_string(read.out.size()) + " bytes; " +
                               std::to_string(num_windows) + " windows need " +
                               std::to_string(pending.window_bytes * num_windows));
  }
  for (size_t i = 0; i < num_windows; ++i) {
    for (size_t d = 0; d < rank; ++d) {
      const uint64_t o = origins[i * rank + d];
      if (o > meta.shape[d] || extent[d] > meta.shape[d] - o) {
        throw InvalidArgumentError("window " + std::to_string(i) + " lies outside array '" +
                                   array_->path() + "' along dimension " + std::to_string(d));
      }
    }
  }
  // Plan: every (window, chunk overlap), and the distinct chunks they need.
  const auto& chunk_shape = array_->read_chunk_shape();
  const uint64_t chunk_bytes = chunk_codecs_->layout().num_bytes();
  pending.plan.resize(num_windows);
  for (size_t i = 0; i < num_windows; ++i) {
    pending.plan[i] = OverlappingCells(origins.subspan(i * rank, rank), extent, chunk_shape);
    for (const CellOverlap& cell : pending.plan[i]) {
      if (pending.chunks.contains(cell.cell)) continue;
      pending.chunks[cell.cell] = cache_->GetOrLoad(CacheKey(cell.cell), chunk_bytes, [&](ChunkPromise promise) {
        StartLoad(cell.cell, std::move(promise));
      });
    }
  }
  return pending;
}

void WindowReader::AwaitChunks(PendingRead& pending) {
  std::exception_ptr first_error;
  for (auto& [coords, chunk] : pending.chunks) {
    chunk.wait();
    try {
      chunk.get();
    } catch (...) {
      cache_->Forget(CacheKey(coords));
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

void WindowReader::SubmitCopies(const WindowRead& read, const PendingRead& pending, TaskGroup& copies) const {
  const size_t num_windows = pending.plan.size();
  for (size_t begin = 0; begin < num_windows; begin += kWindowsPerCopyTask) {
    const size_t end = std::min(num_windows, begin + kWindowsPerCopyTask);
    copies.Add();
    CpuPool().Submit([this, &read, &pending, &copies, begin, end] {
      const ArrayMetadata& meta = array_->metadata();
      const auto& chunk_shape = array_->read_chunk_shape();
      for (size_t i = begin; i < end; ++i) {
        std::byte* window = read.out.data() + i * pending.window_bytes;
        for (const CellOverlap& cell : pending.plan[i]) {
          const DecodedChunk& chunk = pending.chunks.at(cell.cell).get();
          const RegionView dst{window, read.extent, cell.box_origin};
          if (chunk) {
            CopyRegion({chunk->data(), chunk_shape, cell.cell_origin}, dst, cell.extent, meta.dtype.size());
          } else {
            FillRegion(dst, cell.extent, meta.fill_value);
          }
        }
      }
      copies.Done();
    });
  }
}

}  // namespace geobatch
