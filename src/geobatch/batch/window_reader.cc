#include "geobatch/batch/window_reader.h"

#include <algorithm>
#include <unordered_map>

#include "geobatch/array/region_copy.h"
#include "geobatch/format/zarr/read_plan.h"
#include "geobatch/store/read_for_decode.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"
#include "geobatch/util/task_group.h"
#include "geobatch/util/thread_pool.h"

namespace geobatch {
namespace {

using ShardIndexPtr = std::shared_ptr<const std::vector<InnerChunkLocation>>;

// Window parts of a cached chunk copied per CPU task: enough to amortise scheduling.
constexpr size_t kPartsPerCopyTask = 16;

// One window's part of one chunk, to copy (or fill, when the chunk is absent).
struct WindowPart {
  std::byte* window;
  std::span<const uint64_t> window_shape;
  CellOverlap overlap;
};

// A chunk that a ReadMany call needs, and the window parts it feeds.
struct NeededChunk {
  WindowReader* reader;
  std::vector<uint64_t> coords;
  std::vector<WindowPart> parts;
};

// Parts [begin, end) of a chunk whose load has ended.
struct PartRange {
  const NeededChunk* chunk;
  ChunkLoadPtr load;
  size_t begin, end;
};

// Copies the parts from their chunk (fills them when it is absent); throws
// the load's failure.
void CopyParts(const PartRange& range) {
  const DecodedChunk& decoded = range.load->get();
  const ZarrArray& array = range.chunk->reader->array();
  const size_t elem_size = array.metadata().dtype.size();
  for (size_t i = range.begin; i < range.end; ++i) {
    const WindowPart& part = range.chunk->parts[i];
    const RegionView dst{part.window, part.window_shape, part.overlap.box_origin};
    if (decoded) {
      CopyRegion({decoded->data(), array.read_chunk_shape(), part.overlap.cell_origin}, dst, part.overlap.extent,
                 elem_size);
    } else {
      FillRegion(dst, part.overlap.extent, array.metadata().fill_value);
    }
  }
}

// Copies each range, then marks one task of `copies` done (with the first failure).
void CopyAndCount(std::span<const PartRange> ranges, TaskGroup& copies) {
  std::exception_ptr error;
  for (const PartRange& range : ranges) {
    try {
      CopyParts(range);
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  copies.Done(error);
}

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

void WindowReader::Decode(const std::string& key, ReadResult result, const ChunkLoadPtr& load) {
  DecodedChunk decoded;
  try {
    if (result.error) std::rethrow_exception(result.error);
    if (result.value) {
      auto buffer = std::make_shared<Buffer>(chunk_codecs_->layout().num_bytes(), cache_->buffers());
      chunk_codecs_->Decode(result.value->span(), buffer->span());
      decoded = std::move(buffer);
    }
  } catch (...) {
    load->Fail(std::make_exception_ptr(Located(*array_, key, std::current_exception())));
    return;
  }
  result.value.reset();  // the encoded bytes go back to the pool before the copies run
  load->Fulfil(std::move(decoded));
}

void WindowReader::LoadAndDecode(std::string key, ByteRange range, ChunkLoadPtr load) {
  ReadForDecode(*array_->store(), key, range, [self = shared_from_this(), this, key, load](ReadResult result) {
    Decode(key, std::move(result), load);
  });
}

ChunkLoadPtr WindowReader::Load(const std::vector<uint64_t>& coords) {
  return cache_->GetOrLoad(CacheKey(coords), chunk_codecs_->layout().num_bytes(),
                           [&](ChunkLoadPtr load) { StartLoad(coords, std::move(load)); });
}

void WindowReader::StartLoad(const std::vector<uint64_t>& coords, ChunkLoadPtr load) {
  if (sharding_) {
    StartLoadFromShard(coords, std::move(load));
    return;
  }
  LoadAndDecode(array_->ChunkKey(coords), ByteRange::All(), std::move(load));
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

void WindowReader::StartLoadFromShard(const std::vector<uint64_t>& coords, ChunkLoadPtr load) {
  IoPool().Submit([self = shared_from_this(), this, coords, load] {
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
        load->Fulfil(nullptr);
        return;
      }
      const InnerChunkLocation location = (*index)[n];
      LoadAndDecode(array_->ChunkKey(shard_coords), ByteRange::Of(location.offset, location.nbytes), load);
    } catch (...) {
      load->Fail(std::current_exception());
    }
  });
}

void WindowReader::Read(std::span<const uint64_t> origins, std::span<const uint64_t> extent,
                        std::span<std::byte> out) {
  const WindowRead read{this, origins, extent, out};
  ReadMany({&read, 1});
}

uint64_t WindowReader::CheckRead(const WindowRead& read) const {
  const std::span<const uint64_t> origins = read.origins, extent = read.extent;
  const ArrayMetadata& meta = array_->metadata();
  const size_t rank = meta.shape.size();
  if (extent.size() != rank || (rank > 0 && origins.size() % rank != 0) || (rank == 0 && !origins.empty())) {
    throw InvalidArgumentError("windows of array '" + array_->path() + "' need " + std::to_string(rank) +
                               " coordinates each");
  }
  const size_t num_windows = rank ? origins.size() / rank : 0;
  const uint64_t window_bytes =
      CheckedMul(CheckedProduct(extent, "window size"), meta.dtype.size(), "window size");
  if (read.out.size() != CheckedMul(window_bytes, num_windows, "batch size")) {
    throw InvalidArgumentError("output has " + std::to_string(read.out.size()) + " bytes; " +
                               std::to_string(num_windows) + " windows need " +
                               std::to_string(window_bytes * num_windows));
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
  return window_bytes;
}

void WindowReader::ReadMany(std::span<const WindowRead> reads) {
  std::vector<uint64_t> window_bytes;
  window_bytes.reserve(reads.size());
  for (const WindowRead& read : reads) window_bytes.push_back(read.reader->CheckRead(read));

  // Plan: the distinct chunks (by cache key, so that readers of one array
  // share them) and, for each, the window parts it feeds.
  std::vector<NeededChunk> needed;
  std::unordered_map<std::string, size_t> needed_by_key;
  for (size_t r = 0; r < reads.size(); ++r) {
    const WindowRead& read = reads[r];
    WindowReader& reader = *read.reader;
    const size_t rank = read.extent.size();
    const size_t num_windows = rank ? read.origins.size() / rank : 0;
    std::map<std::vector<uint64_t>, size_t> needed_by_cell;  // this read's cells
    for (size_t w = 0; w < num_windows; ++w) {
      std::byte* window = read.out.data() + w * window_bytes[r];
      for (CellOverlap& cell : OverlappingCells(read.origins.subspan(w * rank, rank), read.extent,
                                                reader.array_->read_chunk_shape())) {
        auto it = needed_by_cell.find(cell.cell);
        if (it == needed_by_cell.end()) {
          const auto [at, added] = needed_by_key.try_emplace(reader.CacheKey(cell.cell), needed.size());
          if (added) needed.push_back({&reader, cell.cell, {}});
          it = needed_by_cell.emplace(cell.cell, at->second).first;
        }
        needed[it->second].parts.push_back({window, read.extent, std::move(cell)});
      }
    }
  }

  // Load: each chunk's parts are copied by the thread that ends its load.
  // Chunks cached already are copied from by pool tasks of about
  // kPartsPerCopyTask parts each (a batch reaches most of its chunks for a
  // part or two).
  // Continuations registered refer to `needed` and `copies`: a failure to
  // start a load ends the loop but is rethrown only after they have run.
  TaskGroup copies;
  std::vector<std::vector<PartRange>> cached_tasks(1);
  size_t parts_in_task = 0;
  try {
    for (NeededChunk& chunk : needed) {
      ChunkLoadPtr load = chunk.reader->Load(chunk.coords);
      if (!load->done()) {
        copies.Add();
        load->Then([&chunk, load, &copies] {
          const PartRange all{&chunk, load, 0, chunk.parts.size()};
          CopyAndCount({&all, 1}, copies);
        });
        continue;
      }
      for (size_t begin = 0; begin < chunk.parts.size();) {
        const size_t end = std::min(chunk.parts.size(), begin + kPartsPerCopyTask - parts_in_task);
        cached_tasks.back().push_back({&chunk, load, begin, end});
        parts_in_task += end - begin;
        begin = end;
        if (parts_in_task == kPartsPerCopyTask) {
          cached_tasks.emplace_back();
          parts_in_task = 0;
        }
      }
    }
  } catch (...) {
    copies.Add();
    copies.Done(std::current_exception());
  }
  if (cached_tasks.back().empty()) cached_tasks.pop_back();
  copies.Add(cached_tasks.size());
  for (const auto& task : cached_tasks) {
    CpuPool().Submit([&task, &copies] { CopyAndCount(task, copies); });
  }
  copies.Wait();
}

}  // namespace geobatch
