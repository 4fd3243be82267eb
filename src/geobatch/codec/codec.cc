#include "geobatch/codec/codec.h"

#include <cstring>

#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"

namespace geobatch {

uint64_t ChunkLayout::num_elements() const { return CheckedProduct(shape, "chunk element count"); }

uint64_t ChunkLayout::num_bytes() const {
  return CheckedMul(num_elements(), dtype.size(), "chunk byte size");
}

void BytesToBytesCodec::DecodeInto(std::span<const std::byte> encoded,
                                   std::span<std::byte> out) const {
  Buffer decoded = Decode(encoded, out.size());
  if (decoded.size() != out.size()) {
    throw CorruptError("decoded " + std::to_string(decoded.size()) + " bytes, expected " +
                       std::to_string(out.size()));
  }
  if (!out.empty()) std::memcpy(out.data(), decoded.data(), out.size());
}

nlohmann::json CodecJson(std::string_view name, nlohmann::json configuration) {
  nlohmann::json out = {{"name", name}};
  if (!configuration.is_null()) out["configuration"] = std::move(configuration);
  return out;
}

}  // namespace geobatch
