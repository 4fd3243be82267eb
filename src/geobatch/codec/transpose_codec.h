// The "transpose" array->array codec: permutes the dimensions of a chunk.
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/transpose/index.html
// Zarr v2 arrays with order "F" are read through it with the reversed order.
#pragma once

#include <vector>

#include "geobatch/codec/codec.h"

namespace geobatch {

class TransposeCodec final : public ArrayToArrayCodec {
 public:
  // order[i] is the decoded dimension that becomes encoded dimension i.
  explicit TransposeCodec(std::vector<size_t> order);
  // Parses {"order": [..]} (or the legacy "C"/"F" strings) for rank `rank`.
  static std::shared_ptr<const TransposeCodec> FromJson(const nlohmann::json& configuration,
                                                        size_t rank);

  nlohmann::json ToJson() const override;
  ChunkLayout EncodedLayout(const ChunkLayout& decoded) const override;
  void Decode(std::span<const std::byte> encoded, const ChunkLayout& decoded,
              std::span<std::byte> out) const override;
  Buffer Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const override;

 private:
  std::vector<size_t> order_;
};

}  // namespace geobatch
