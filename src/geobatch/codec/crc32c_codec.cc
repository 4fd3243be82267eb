#include "geobatch/codec/crc32c_codec.h"

#include <cstring>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/codec/crc32c.h"
#include "geobatch/codec/little_endian.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

constexpr size_t kChecksumSize = 4;

class Crc32cCodec final : public SizedBytesToBytesCodec {
 public:
  nlohmann::json ToJson() const override { return CodecJson("crc32c", nullptr); }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    const size_t size = DecodedSize(encoded);
    CheckDecodedSizeExact(codec_name(), size, out.size());
    const std::span<const std::byte> data = encoded.first(size);
    if (Crc32c(data) != LoadLittleEndian32(encoded.data() + size)) {
      throw CorruptError("crc32c checksum mismatch");
    }
    if (size > 0) std::memcpy(out.data(), data.data(), size);
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    Buffer out(decoded.size() + kChecksumSize);
    if (!decoded.empty()) std::memcpy(out.data(), decoded.data(), decoded.size());
    StoreLittleEndian32(out.data() + decoded.size(), Crc32c(decoded));
    return out;
  }

 protected:
  std::string_view codec_name() const override { return "crc32c"; }

  uint64_t DecodedSize(std::span<const std::byte> encoded) const override {
    if (encoded.size() < kChecksumSize) {
      throw CorruptError("crc32c: " + std::to_string(encoded.size()) +
                         " bytes is too short to hold the checksum");
    }
    return encoded.size() - kChecksumSize;
  }
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeCrc32cCodec(const nlohmann::json& configuration,
                                                         const CodecContext&) {
  CodecConfig config("crc32c", configuration);  // validates that it is an object
  return std::make_shared<Crc32cCodec>();
}

}  // namespace geobatch
