#include "geobatch/codec/sharding_codec.h"

#include <cstring>

#include "geobatch/array/region_copy.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

constexpr uint64_t kEmpty = ~uint64_t{0};

std::vector<uint64_t> ParseShape(const nlohmann::json& json, size_t rank, const char* what) {
  if (!json.is_array() || json.size() != rank) {
    throw InvalidArgumentError(std::string("sharding_indexed: '") + what + "' must list " +
                               std::to_string(rank) + " sizes, got " + json.dump());
  }
  std::vector<uint64_t> shape;
  for (const auto& v : json) {
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) {
      throw InvalidArgumentError(std::string("sharding_indexed: '") + what +
                                 "' must hold positive integers, got " + json.dump());
    }
    shape.push_back(v.get<uint64_t>());
  }
  return shape;
}

// Visits every inner chunk of a shard in C order with its grid position.
template <typename Visit>
void ForEachInnerChunk(const std::vector<uint64_t>& grid, Visit visit) {
  std::vector<uint64_t> position(grid.size(), 0);
  const uint64_t count = CheckedProduct(grid, "inner chunk count");
  for (uint64_t n = 0; n < count; ++n) {
    visit(n, position);
    for (size_t d = grid.size(); d-- > 0;) {
      if (++position[d] < grid[d]) break;
      position[d] = 0;
    }
  }
}

}  // namespace

std::shared_ptr<const ShardingCodec> ShardingCodec::FromJson(const nlohmann::json& configuration,
                                                             const CodecContext& context) {
  if (!configuration.is_object()) {
    throw InvalidArgumentError("sharding_indexed: missing configuration");
  }
  const ChunkLayout& shard = context.layout;
  const size_t rank = shard.shape.size();
  std::shared_ptr<ShardingCodec> codec(new ShardingCodec);
  codec->configuration_ = configuration;
  codec->fill_value_ = context.fill_value;
  codec->inner_chunk_shape_ =
      ParseShape(configuration.value("chunk_shape", nlohmann::json()), rank, "chunk_shape");
  for (size_t d = 0; d < rank; ++d) {
    if (shard.shape[d] % codec->inner_chunk_shape_[d] != 0) {
      throw InvalidArgumentError("sharding_indexed: inner chunk shape " +
                                 configuration["chunk_shape"].dump() +
                                 " does not divide the shard shape");
    }
    codec->chunks_per_shard_.push_back(shard.shape[d] / codec->inner_chunk_shape_[d]);
  }
  const std::string location = configuration.value("index_location", "end");
  if (location != "start" && location != "end") {
    throw InvalidArgumentError("sharding_indexed: index_location must be 'start' or 'end'");
  }
  codec->index_at_end_ = location == "end";

  CodecContext inner = context;
  inner.layout.shape = codec->inner_chunk_shape_;
  codec->inner_codecs_ =
      CodecChain::FromV3Json(configuration.value("codecs", nlohmann::json()), inner);

  CodecContext index = context;
  index.layout.dtype = DataType();
  index.layout.dtype.id = DataTypeId::kUInt64;
  index.layout.shape = codec->chunks_per_shard_;
  index.layout.shape.push_back(2);
  index.fill_value.assign(8, std::byte{0xff});
  codec->index_codecs_ =
      CodecChain::FromV3Json(configuration.value("index_codecs", nlohmann::json()), index);
  // Index codecs must produce a fixed size (the spec allows only such codecs);
  // encoding an empty index measures it.
  const uint64_t index_bytes = index.layout.num_bytes();
  if (index_bytes > (uint64_t{1} << 28)) {
    throw InvalidArgumentError("sharding_indexed: shard index of " + std::to_string(index_bytes) +
                               " bytes is too large");
  }
  Buffer empty_index(index_bytes);
  FillBytes(empty_index.span(), index.fill_value);
  codec->index_size_ = codec->index_codecs_->Encode(empty_index.span()).size();
  return codec;
}

nlohmann::json ShardingCodec::ToJson() const {
  nlohmann::json config = configuration_;
  config["codecs"] = inner_codecs_->ToJson();
  config["index_codecs"] = index_codecs_->ToJson();
  config["index_location"] = index_at_end_ ? "end" : "start";
  return CodecJson("sharding_indexed", config);
}

std::vector<InnerChunkLocation> ShardingCodec::DecodeIndex(std::span<const std::byte> encoded_index,
                                                           uint64_t shard_size) const {
  const ChunkLayout& layout = index_codecs_->layout();
  Buffer raw(layout.num_bytes());
  index_codecs_->Decode(encoded_index, raw.span());
  const uint64_t count = raw.size() / 16;
  std::vector<InnerChunkLocation> locations(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t pair[2];
    std::memcpy(pair, raw.data() + i * 16, 16);
    if (pair[0] == kEmpty && pair[1] == kEmpty) continue;
    if (pair[0] > shard_size || pair[1] > shard_size - pair[0]) {
      throw CorruptError("shard index entry " + std::to_string(i) + " (offset " +
                         std::to_string(pair[0]) + ", " + std::to_string(pair[1]) +
                         " bytes) lies outside the shard of " + std::to_string(shard_size) +
                         " bytes");
    }
    locations[i] = {pair[0], pair[1], false};
  }
  return locations;
}

void ShardingCodec::Decode(std::span<const std::byte> encoded, const ChunkLayout& layout,
                           std::span<std::byte> out) const {
  if (encoded.size() < index_size_) {
    throw CorruptError("shard of " + std::to_string(encoded.size()) +
                       " bytes is smaller than its index (" + std::to_string(index_size_) + ")");
  }
  const auto index_bytes = index_at_end_ ? encoded.last(index_size_) : encoded.first(index_size_);
  const auto locations = DecodeIndex(index_bytes, encoded.size());
  const uint64_t inner_bytes = inner_codecs_->layout().num_bytes();
  Buffer scratch(inner_bytes);
  const size_t elem = layout.dtype.size();
  ForEachInnerChunk(chunks_per_shard_, [&](uint64_t n, const std::vector<uint64_t>& position) {
    std::vector<uint64_t> origin(position.size());
    for (size_t d = 0; d < origin.size(); ++d) origin[d] = position[d] * inner_chunk_shape_[d];
    const RegionView dst{out.data(), layout.shape, origin};
    if (locations[n].empty) {
      FillRegion(dst, inner_chunk_shape_, fill_value_);
      return;
    }
    try {
      inner_codecs_->Decode(encoded.subspan(locations[n].offset, locations[n].nbytes),
                            scratch.span());
    } catch (const Error& e) {
      throw WithContext(e, "inner chunk " + std::to_string(n));
    }
    const std::vector<uint64_t> zero(origin.size(), 0);
    CopyRegion({scratch.data(), inner_chunk_shape_, zero}, dst, inner_chunk_shape_, elem);
  });
}

Buffer ShardingCodec::Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const {
  const uint64_t inner_bytes = inner_codecs_->layout().num_bytes();
  const uint64_t count = CheckedProduct(chunks_per_shard_, "inner chunk count");
  std::vector<Buffer> chunks(count);
  std::vector<uint64_t> index(count * 2, kEmpty);
  Buffer scratch(inner_bytes);
  const size_t elem = layout.dtype.size();
  uint64_t offset = index_at_end_ ? 0 : index_size_;
  ForEachInnerChunk(chunks_per_shard_, [&](uint64_t n, const std::vector<uint64_t>& position) {
    std::vector<uint64_t> origin(position.size());
    for (size_t d = 0; d < origin.size(); ++d) origin[d] = position[d] * inner_chunk_shape_[d];
    const std::vector<uint64_t> zero(origin.size(), 0);
    CopyRegion({decoded.data(), layout.shape, origin}, {scratch.data(), inner_chunk_shape_, zero},
               inner_chunk_shape_, elem);
    chunks[n] = inner_codecs_->Encode(scratch.span());
    index[2 * n] = offset;
    index[2 * n + 1] = chunks[n].size();
    offset += chunks[n].size();
  });
  Buffer encoded_index = index_codecs_->Encode(std::as_bytes(std::span(index)));
  Buffer out(offset + (index_at_end_ ? encoded_index.size() : 0));
  std::byte* cursor = out.data();
  if (!index_at_end_) cursor = std::copy_n(encoded_index.data(), encoded_index.size(), cursor);
  for (const Buffer& chunk : chunks) cursor = std::copy_n(chunk.data(), chunk.size(), cursor);
  if (index_at_end_) std::copy_n(encoded_index.data(), encoded_index.size(), cursor);
  return out;
}

}  // namespace geobatch
