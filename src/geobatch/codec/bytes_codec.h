// The "bytes" array->bytes codec: elements in little- or big-endian order.
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/bytes/index.html
#pragma once

#include "geobatch/codec/codec.h"

namespace geobatch {

class BytesCodec final : public ArrayToBytesCodec {
 public:
  explicit BytesCodec(Endian endian) : endian_(endian) {}
  // Parses {"endian": "little"|"big"}; the key may be absent for 1-byte types.
  static std::shared_ptr<const BytesCodec> FromJson(const nlohmann::json& configuration,
                                                    const DataType& dtype);

  nlohmann::json ToJson() const override;
  void Decode(std::span<const std::byte> encoded, const ChunkLayout& layout,
              std::span<std::byte> out) const override;
  Buffer Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const override;
  bool IsIdentity(const ChunkLayout& layout) const override;

 private:
  Endian endian_;
};

// Reverses the byte order of each `component_size`-byte component in place.
void SwapByteOrder(std::span<std::byte> data, size_t component_size);

// The size of the byte-swapped unit of `dtype` (complex types swap each half).
size_t ByteOrderComponentSize(const DataType& dtype);

}  // namespace geobatch
