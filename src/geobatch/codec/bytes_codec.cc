#include "geobatch/codec/bytes_codec.h"

#include <algorithm>
#include <cstring>

#include "geobatch/util/error.h"

namespace geobatch {

void SwapByteOrder(std::span<std::byte> data, size_t component_size) {
  if (component_size <= 1) return;
  for (size_t i = 0; i + component_size <= data.size(); i += component_size) {
    std::reverse(data.begin() + i, data.begin() + i + component_size);
  }
}

size_t ByteOrderComponentSize(const DataType& dtype) {
  return dtype.is_complex() ? dtype.size() / 2 : dtype.size();
}

std::shared_ptr<const BytesCodec> BytesCodec::FromJson(const nlohmann::json& configuration,
                                                       const DataType& dtype) {
  if (configuration.is_object() && configuration.contains("endian")) {
    const auto& endian = configuration["endian"];
    if (endian == "little") return std::make_shared<BytesCodec>(Endian::kLittle);
    if (endian == "big") return std::make_shared<BytesCodec>(Endian::kBig);
    throw InvalidArgumentError("bytes codec: 'endian' must be \"little\" or \"big\", got " +
                               endian.dump());
  }
  if (dtype.size() > 1) {
    throw InvalidArgumentError("bytes codec: 'endian' is required for data type " +
                               std::string(dtype.name()));
  }
  return std::make_shared<BytesCodec>(Endian::kLittle);
}

nlohmann::json BytesCodec::ToJson() const {
  return CodecJson("bytes", {{"endian", endian_ == Endian::kLittle ? "little" : "big"}});
}

bool BytesCodec::IsIdentity(const ChunkLayout& layout) const {
  return endian_ == kNativeEndian || layout.dtype.size() == 1;
}

void BytesCodec::Decode(std::span<const std::byte> encoded, const ChunkLayout& layout,
                        std::span<std::byte> out) const {
  if (encoded.size() != out.size()) {
    throw CorruptError("chunk has " + std::to_string(encoded.size()) + " bytes, expected " +
                       std::to_string(out.size()));
  }
  if (!out.empty() && out.data() != encoded.data()) {
    std::memcpy(out.data(), encoded.data(), out.size());
  }
  if (!IsIdentity(layout)) SwapByteOrder(out, ByteOrderComponentSize(layout.dtype));
}

Buffer BytesCodec::Encode(std::span<const std::byte> decoded, const ChunkLayout& layout) const {
  Buffer out = Buffer::CopyOf(decoded);
  if (!IsIdentity(layout)) SwapByteOrder(out.span(), ByteOrderComponentSize(layout.dtype));
  return out;
}

}  // namespace geobatch
