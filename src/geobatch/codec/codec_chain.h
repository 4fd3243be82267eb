// A complete codec pipeline for one chunk: array->array codecs, one
// array->bytes codec, then bytes->bytes codecs, as listed in metadata.
// Decoding runs them in reverse and writes into the caller's buffer, with
// the last decompressor writing straight into it when the layout allows.
#pragma once

#include <memory>
#include <vector>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

class ShardingCodec;

class CodecChain {
 public:
  CodecChain(std::vector<std::shared_ptr<const ArrayToArrayCodec>> array_to_array,
             std::shared_ptr<const ArrayToBytesCodec> array_to_bytes,
             std::vector<std::shared_ptr<const BytesToBytesCodec>> bytes_to_bytes,
             ChunkLayout layout);

  // Builds a chain from a v3 "codecs" list for chunks described by `context`.
  static std::shared_ptr<const CodecChain> FromV3Json(const nlohmann::json& codecs,
                                                      const CodecContext& context);

  const ChunkLayout& layout() const { return layouts_.front(); }

  // Decodes one encoded chunk into `out` (layout().num_bytes() bytes).
  void Decode(std::span<const std::byte> encoded, std::span<std::byte> out) const;
  Buffer Encode(std::span<const std::byte> decoded) const;

  // True when a chunk's stored bytes are its decoded bytes (only a native-
  // endian "bytes" codec), so a reader may fetch them straight into place.
  bool stores_decoded_bytes() const;

  // The codec list as v3 metadata.
  nlohmann::json ToJson() const;

  // The sharding codec when it is the whole chain (the only layout in which
  // a reader may fetch inner chunks of a shard by range), else null.
  const ShardingCodec* sharding() const;

 private:
  std::vector<std::shared_ptr<const ArrayToArrayCodec>> array_to_array_;
  std::shared_ptr<const ArrayToBytesCodec> array_to_bytes_;
  std::vector<std::shared_ptr<const BytesToBytesCodec>> bytes_to_bytes_;
  // layouts_[i] enters array_to_array_[i]; layouts_.back() enters array_to_bytes_.
  std::vector<ChunkLayout> layouts_;
};

}  // namespace geobatch
