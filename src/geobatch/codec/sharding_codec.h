// The "sharding_indexed" array->bytes codec: a shard holds a grid of inner
// chunks, each encoded with the inner codecs, plus an index of
// (offset, nbytes) pairs at its start or end.
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/sharding-indexed/index.html
//
// Besides whole-shard decoding, it exposes the index layout so that a reader
// can fetch the index by range and then only the inner chunks it needs.
#pragma once

#include <memory>
#include <vector>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_chain.h"

namespace geobatch {

// Where one inner chunk lives in the shard; `empty` when never written.
struct InnerChunkLocation {
  uint64_t offset = 0;
  uint64_t nbytes = 0;
  bool empty = true;
};

class ShardingCodec final : public ArrayToBytesCodec {
 public:
  static std::shared_ptr<const ShardingCodec> FromJson(const nlohmann::json& configuration,
                                                       const CodecContext& context);

  nlohmann::json ToJson() const override;
  void Decode(std::span<const std::byte> encoded, const ChunkLayout& layout,
              std::span<std::byte> out) const override;
  Buffer Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const override;

  const std::vector<uint64_t>& inner_chunk_shape() const { return inner_chunk_shape_; }
  const std::vector<uint64_t>& chunks_per_shard() const { return chunks_per_shard_; }
  const CodecChain& inner_codecs() const { return *inner_codecs_; }
  const std::vector<std::byte>& fill_value() const { return fill_value_; }

  bool index_at_end() const { return index_at_end_; }
  uint64_t index_size() const { return index_size_; }
  // Decodes the encoded index into one location per inner chunk (C order
  // over chunks_per_shard()); checks every location lies inside a shard of
  // `shard_size` bytes.
  std::vector<InnerChunkLocation> DecodeIndex(std::span<const std::byte> encoded_index,
                                              uint64_t shard_size) const;

 private:
  ShardingCodec() = default;

  std::vector<uint64_t> inner_chunk_shape_;
  std::vector<uint64_t> chunks_per_shard_;
  std::shared_ptr<const CodecChain> inner_codecs_;
  std::shared_ptr<const CodecChain> index_codecs_;
  bool index_at_end_ = true;
  uint64_t index_size_ = 0;  // encoded size of the index
  std::vector<std::byte> fill_value_;
  nlohmann::json configuration_;
};

}  // namespace geobatch
