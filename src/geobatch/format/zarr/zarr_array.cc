#include "geobatch/format/zarr/zarr_array.h"

#include <algorithm>

#include "geobatch/array/region_copy.h"
#include "geobatch/codec/sharding_codec.h"
#include "geobatch/format/zarr/cell_scatter.h"
#include "geobatch/format/zarr/read_plan.h"
#include "geobatch/store/read_for_decode.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"
#include "geobatch/util/task_group.h"
#include "geobatch/util/thread_pool.h"

namespace geobatch {
namespace {

// Inner chunks of a shard closer than this are fetched with one range read
// (from stores that must wait for reads: fewer requests in flight; a local
// store reads each inner chunk on the thread that decodes it instead).
constexpr uint64_t kCoalesceGap = 64 << 10;
// Reads and decodes pending at once: enough to keep IO and every core busy,
// few enough that fetched-but-undecoded bytes stay bounded.
constexpr size_t kMaxTasksInFlight = 64;

// Everything one Read() call shares between its tasks; it outlives them
// because Read() waits for the task group before returning.
struct ReadContext {
  const ZarrArray& array;
  std::span<const uint64_t> extent;  // the box
  std::span<std::byte> out;
  TaskGroup tasks;

  size_t elem_size() const { return array.metadata().dtype.size(); }

  std::exception_ptr Wrap(const std::string& key) const {
    const std::string where = "array '" + array.path() + "' chunk '" + key + "'";
    try {
      throw;
    } catch (const Error& e) {
      return std::make_exception_ptr(WithContext(e, where));
    } catch (const std::exception& e) {
      return std::make_exception_ptr(InternalError(where + ": " + e.what()));
    }
  }

  void Fill(const CellOverlap& overlap) {
    FillRegion({out.data(), extent, overlap.box_origin}, overlap.extent,
               array.metadata().fill_value);
  }

  // Decodes one cell and places its overlap with the box.
  void Decode(const CodecChain& chain, std::span<const std::byte> encoded,
              const CellOverlap& overlap) {
    const auto& cell_shape = chain.layout().shape;
    const uint64_t cell_bytes = chain.layout().num_bytes();
    if (CoversContiguousRun(overlap, cell_shape, extent)) {
      chain.Decode(encoded, out.subspan(ByteOffset(overlap.box_origin, extent, elem_size()), cell_bytes));
      return;
    }
    thread_local Buffer scratch;
    if (scratch.size() < cell_bytes) scratch = Buffer(cell_bytes);
    chain.Decode(encoded, scratch.span().first(cell_bytes));
    CopyRegion({scratch.data(), cell_shape, overlap.cell_origin},
               {out.data(), extent, overlap.box_origin}, overlap.extent, elem_size());
  }

  // Runs `work` on the CPU pool as one task of the group.
  template <typename Work>
  void SubmitDecode(std::string key, Work work) {
    tasks.Add();
    CpuPool().Submit([this, key = std::move(key), work = std::move(work)]() mutable {
      try {
        work();
        tasks.Done();
      } catch (...) {
        tasks.Done(Wrap(key));
      }
    });
  }

  void ReadChunk(const CellOverlap& overlap) {
    std::string key = array.ChunkKey(overlap.cell);
    const CodecChain& chain = *array.metadata().codecs;
    if (chain.stores_decoded_bytes()) {
      if (auto scatter = ScatterCell(overlap, chain.layout().shape, out.data(), extent, elem_size())) {
        ReadChunkInPlace(std::move(key), overlap, std::move(*scatter));
        return;
      }
    }
    tasks.Add();
    ReadForDecode(*array.store(), key, ByteRange::All(), [this, key, overlap](ReadResult result) {
      try {
        if (result.error) std::rethrow_exception(result.error);
        if (result.value) {
          Decode(*array.metadata().codecs, result.value->span(), overlap);
        } else {
          Fill(overlap);
        }
        tasks.Done();
      } catch (...) {
        tasks.Done(Wrap(key));
      }
    });
  }

  // An uncompressed chunk: the store reads it straight into place, scattered
  // over the box's rows, with no decode step and no copy.
  void ReadChunkInPlace(std::string key, const CellOverlap& overlap, CellScatter scatter) {
    tasks.Add();
    array.store()->GetIntoAsync(key, ByteRange::All(), std::move(scatter.pieces),
                                [this, key, overlap, sink = std::move(scatter.sink)](ReadIntoResult result) {
      try {
        if (result.error) std::rethrow_exception(result.error);
        if (!result.found) Fill(overlap);
        tasks.Done();
      } catch (...) {
        tasks.Done(Wrap(key));
      }
    });
  }

  void ReadShard(const CellOverlap& shard_overlap, const ShardingCodec& sharding) {
    std::string key = array.ChunkKey(shard_overlap.cell);
    tasks.Add();
    IoPool().Submit([this, key, shard_overlap, &sharding] {
      try {
        ReadShardIndexThenChunks(key, shard_overlap, sharding);
        tasks.Done();
      } catch (...) {
        tasks.Done(Wrap(key));
      }
    });
  }

  void ReadShardIndexThenChunks(const std::string& key, const CellOverlap& shard_overlap,
                                const ShardingCodec& sharding) {
    const uint64_t index_size = sharding.index_size();
    auto index = array.store()->Get(key, sharding.index_at_end() ? ByteRange::Suffix(index_size)
                                                                 : ByteRange::Of(0, index_size));
    if (!index) {
      Fill(shard_overlap);
      return;
    }
    // The shard's size is not known from a suffix read; ranges past its end
    // are refused by the store.
    const auto locations = sharding.DecodeIndex(index->span(), ~uint64_t{0});
    struct Needed {
      InnerChunkLocation location;
      CellOverlap overlap;
    };
    std::vector<Needed> needed;
    const auto& grid = sharding.chunks_per_shard();
    for (CellOverlap inner :
         OverlappingCells(shard_overlap.cell_origin, shard_overlap.extent, sharding.inner_chunk_shape())) {
      for (size_t d = 0; d < inner.box_origin.size(); ++d) {
        inner.box_origin[d] += shard_overlap.box_origin[d];
      }
      uint64_t n = 0;
      for (size_t d = 0; d < grid.size(); ++d) n = n * grid[d] + inner.cell[d];
      if (locations[n].empty) {
        Fill(inner);
      } else {
        needed.push_back({locations[n], std::move(inner)});
      }
    }
    std::sort(needed.begin(), needed.end(),
              [](const Needed& a, const Needed& b) { return a.location.offset < b.location.offset; });
    // Coalesce neighbouring inner chunks into one range read each.
    const bool coalesce = !array.store()->MayReadNow();
    for (size_t begin = 0; begin < needed.size();) {
      uint64_t start = needed[begin].location.offset;
      uint64_t stop = start + needed[begin].location.nbytes;
      size_t end = begin + 1;
      while (coalesce && end < needed.size() && needed[end].location.offset <= stop + kCoalesceGap) {
        stop = std::max(stop, needed[end].location.offset + needed[end].location.nbytes);
        ++end;
      }
      auto group = std::make_shared<std::vector<Needed>>(needed.begin() + begin, needed.begin() + end);
      tasks.Add();
      ReadForDecode(*array.store(), key, ByteRange::Of(start, stop - start),
                    [this, key, start, group, &sharding](ReadResult result) {
        try {
          if (result.error) std::rethrow_exception(result.error);
          if (!result.value) throw CorruptError("shard disappeared while being read");
          auto bytes = std::make_shared<Buffer>(std::move(*result.value));
          auto decode = [this, bytes, start, &sharding](const Needed& item) {
            Decode(sharding.inner_codecs(),
                   bytes->span().subspan(item.location.offset - start, item.location.nbytes), item.overlap);
          };
          // This thread decodes the first inner chunk while the bytes are in its cache; the others
          // go to the pool.
          for (size_t i = 1; i < group->size(); ++i) {
            SubmitDecode(key, [decode, item = (*group)[i]] { decode(item); });
          }
          decode(group->front());
          tasks.Done();
        } catch (...) {
          tasks.Done(Wrap(key));
        }
      });
      begin = end;
    }
  }
};

}  // namespace

ZarrArray::ZarrArray(std::shared_ptr<Store> store, std::string path, ArrayMetadata metadata)
    : store_(std::move(store)), path_(std::move(path)), metadata_(std::move(metadata)) {
  const ShardingCodec* sharding = metadata_.codecs->sharding();
  read_chunk_shape_ = sharding ? sharding->inner_chunk_shape() : metadata_.chunk_shape;
}

std::optional<std::vector<uint64_t>> ZarrArray::shard_shape() const {
  if (!metadata_.codecs->sharding()) return std::nullopt;
  return metadata_.chunk_shape;
}

std::string ZarrArray::ChunkKey(std::span<const uint64_t> grid_coords) const {
  std::string key = metadata_.chunk_key_encoding.Key(grid_coords);
  return path_.empty() ? key : path_ + "/" + key;
}

void ZarrArray::Read(std::span<const uint64_t> origin, std::span<const uint64_t> extent,
                     std::span<std::byte> out) const {
  const auto& shape = metadata_.shape;
  if (origin.size() != rank() || extent.size() != rank()) {
    throw InvalidArgumentError("array '" + path_ + "' has " + std::to_string(rank()) +
                               " dimensions; the region has " + std::to_string(origin.size()));
  }
  for (size_t d = 0; d < rank(); ++d) {
    if (origin[d] > shape[d] || extent[d] > shape[d] - origin[d]) {
      throw InvalidArgumentError("region [" + std::to_string(origin[d]) + ", " +
                                 std::to_string(origin[d] + extent[d]) + ") of dimension " +
                                 std::to_string(d) + " lies outside array '" + path_ +
                                 "' of size " + std::to_string(shape[d]));
    }
  }
  const uint64_t bytes = CheckedMul(CheckedProduct(extent, "region size"), metadata_.dtype.size(), "region size");
  if (out.size() != bytes) {
    throw InvalidArgumentError("output buffer has " + std::to_string(out.size()) +
                               " bytes; the region needs " + std::to_string(bytes));
  }
  ReadContext context{*this, extent, out, {}};
  const ShardingCodec* sharding = metadata_.codecs->sharding();
  try {
    for (const CellOverlap& overlap : OverlappingCells(origin, extent, metadata_.chunk_shape)) {
      context.tasks.WaitUntilBelow(kMaxTasksInFlight);
      if (context.tasks.failed()) break;
      if (sharding) {
        context.ReadShard(overlap, *sharding);
      } else {
        context.ReadChunk(overlap);
      }
    }
  } catch (...) {
    context.tasks.Add();
    context.tasks.Done(std::current_exception());
  }
  context.tasks.Wait();
}

}  // namespace geobatch
