// A Zarr array in a store, v2 or v3: reads any box into a caller's buffer.
//
// Reads fan out over the store's asynchronous reads (many in flight) and
// decode on the CPU pool, one task per chunk or per inner chunk of a shard.
// A chunk that covers a contiguous part of the destination is decoded
// straight into it; any other chunk is decoded into a per-thread scratch
// buffer and its overlap copied once. For sharded arrays only the shard
// index and the inner chunks the box touches are fetched.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "geobatch/format/zarr/array_metadata.h"
#include "geobatch/store/store.h"

namespace geobatch {

class ZarrArray {
 public:
  // `path` is the array's node path in the store ("" for the root).
  ZarrArray(std::shared_ptr<Store> store, std::string path, ArrayMetadata metadata);

  const ArrayMetadata& metadata() const { return metadata_; }
  const std::string& path() const { return path_; }
  const std::shared_ptr<Store>& store() const { return store_; }
  size_t rank() const { return metadata_.shape.size(); }

  // The unit of efficient reads: the inner chunk shape when sharded.
  const std::vector<uint64_t>& read_chunk_shape() const { return read_chunk_shape_; }
  // The shard shape when sharded.
  std::optional<std::vector<uint64_t>> shard_shape() const;

  // The full store key of the chunk (or shard) at `grid_coords`.
  std::string ChunkKey(std::span<const uint64_t> grid_coords) const;

  // Reads the box [origin, origin + extent) into `out`: C-ordered,
  // native-endian, exactly the box's byte size. Throws InvalidArgumentError
  // for a box outside the array, and errors naming the array and chunk key
  // for anything wrong with stored data.
  void Read(std::span<const uint64_t> origin, std::span<const uint64_t> extent,
            std::span<std::byte> out) const;

 private:
  std::shared_ptr<Store> store_;
  std::string path_;
  ArrayMetadata metadata_;
  std::vector<uint64_t> read_chunk_shape_;
};

}  // namespace geobatch
