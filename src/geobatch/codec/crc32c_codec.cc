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
  explicit Crc32cCodec(bool checksum_first) : checksum_first_(checksum_first) {}

  nlohmann::json ToJson() const override {
    if (checksum_first_) return CodecJson("numcodecs.crc32c", {{"location", "start"}});
    return CodecJson("crc32c", nullptr);
  }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    const size_t size = DecodedSize(encoded);
    CheckDecodedSizeExact(codec_name(), size, out.size());
    const size_t data_offset = checksum_first_ ? kChecksumSize : 0;
    const std::span<const std::byte> data = encoded.subspan(data_offset, size);
    const size_t checksum_offset = checksum_first_ ? 0 : size;
    if (Crc32c(data) != LoadLittleEndian32(encoded.data() + checksum_offset)) {
      throw CorruptError("crc32c checksum mismatch");
    }
    if (size > 0) std::memcpy(out.data(), data.data(), size);
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    Buffer out(decoded.size() + kChecksumSize);
    std::byte* data = out.data() + (checksum_first_ ? kChecksumSize : 0);
    if (!decoded.empty()) std::memcpy(data, decoded.data(), decoded.size());
    StoreLittleEndian32(checksum_first_ ? out.data() : out.data() + decoded.size(),
                        Crc32c(decoded));
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

 private:
  bool checksum_first_;
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeCrc32cCodecV3(const nlohmann::json& configuration,
                                                           const CodecContext&) {
  CodecConfig config("crc32c", configuration);  // validates that it is an object
  return std::make_shared<Crc32cCodec>(false);
}

std::shared_ptr<const BytesToBytesCodec> MakeCrc32cCodecNumcodecs(const nlohmann::json& object,
                                                                  const CodecContext&) {
  CodecConfig config("crc32c", object);
  const std::string location = config.String("location", "end");
  if (location != "start" && location != "end") {
    config.FailField("location", "\"start\" or \"end\"", location);
  }
  return std::make_shared<Crc32cCodec>(location == "start");
}

}  // namespace geobatch
