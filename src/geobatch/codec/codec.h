// The three kinds of Zarr v3 codecs (array->array, array->bytes,
// bytes->bytes); a chunk is decoded by running a chain of them in reverse.
// https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#codecs
//
// Every decoder treats its input as untrusted: malformed input is a
// CorruptError, and no decoder allocates more than the bound it is given.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geobatch/array/dtype.h"
#include "geobatch/util/buffer.h"

namespace geobatch {

// The decoded form of a chunk: native-endian elements in C order.
struct ChunkLayout {
  DataType dtype;
  std::vector<uint64_t> shape;
  uint64_t num_elements() const;
  uint64_t num_bytes() const;
};

class BytesToBytesCodec {
 public:
  virtual ~BytesToBytesCodec() = default;
  // {"name": ..., "configuration": {...}} as it would appear in metadata.
  virtual nlohmann::json ToJson() const = 0;

  // Decodes `encoded`; a result longer than `max_decoded_size` bytes is a
  // CorruptError, detected before anything that large is allocated.
  virtual Buffer Decode(std::span<const std::byte> encoded, size_t max_decoded_size) const = 0;

  // Decodes into `out`, whose size is the exact expected decoded size; any
  // other size is a CorruptError. Override to decompress in place; the
  // default decodes into a temporary and copies.
  virtual void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const;

  virtual Buffer Encode(std::span<const std::byte> decoded) const = 0;
};

class ArrayToBytesCodec {
 public:
  virtual ~ArrayToBytesCodec() = default;
  virtual nlohmann::json ToJson() const = 0;

  // Decodes a chunk of `layout` into `out` (layout.num_bytes() bytes).
  virtual void Decode(std::span<const std::byte> encoded, const ChunkLayout& layout,
                      std::span<std::byte> out) const = 0;
  virtual Buffer Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const = 0;

  // True when the encoded bytes of a chunk of `layout` are exactly its decoded
  // bytes, so a decompressor may write straight into the destination.
  virtual bool IsIdentity(const ChunkLayout& /*layout*/) const { return false; }
};

class ArrayToArrayCodec {
 public:
  virtual ~ArrayToArrayCodec() = default;
  virtual nlohmann::json ToJson() const = 0;

  // The layout of the encoded array for a decoded chunk of `decoded`.
  virtual ChunkLayout EncodedLayout(const ChunkLayout& decoded) const = 0;
  // `encoded` has EncodedLayout(decoded); writes `decoded` into `out`.
  virtual void Decode(std::span<const std::byte> encoded, const ChunkLayout& decoded,
                      std::span<std::byte> out) const = 0;
  virtual Buffer Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const = 0;
};

// Builds {"name": name, "configuration": configuration}.
nlohmann::json CodecJson(std::string_view name, nlohmann::json configuration);

}  // namespace geobatch
