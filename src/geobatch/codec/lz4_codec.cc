#include "geobatch/codec/lz4_codec.h"

#include <lz4.h>

#include <climits>
#include <string>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/codec/little_endian.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

constexpr size_t kHeaderSize = 4;

class Lz4Codec final : public SizedBytesToBytesCodec {
 public:
  explicit Lz4Codec(int acceleration) : acceleration_(acceleration) {}

  nlohmann::json ToJson() const override {
    return CodecJson("numcodecs.lz4", {{"acceleration", acceleration_}});
  }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    CheckDecodedSizeExact(codec_name(), DecodedSize(encoded), out.size());
    const std::span<const std::byte> block = encoded.subspan(kHeaderSize);
    if (block.size() > INT_MAX) throw CorruptError("lz4: block larger than 2 GiB");
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(block.data()),
                                      reinterpret_cast<char*>(out.data()),
                                      static_cast<int>(block.size()), static_cast<int>(out.size()));
    if (n < 0) throw CorruptError("lz4: invalid or truncated block");
    CheckDecodedSizeExact(codec_name(), static_cast<size_t>(n), out.size());
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    if (decoded.size() > LZ4_MAX_INPUT_SIZE) {
      throw InvalidArgumentError("lz4: cannot compress " + std::to_string(decoded.size()) +
                                 " bytes; the limit is " + std::to_string(LZ4_MAX_INPUT_SIZE));
    }
    const int size = static_cast<int>(decoded.size());
    const int bound = LZ4_compressBound(size);
    Buffer out(kHeaderSize + static_cast<size_t>(bound));
    StoreLittleEndian32(out.data(), static_cast<uint32_t>(size));
    const int n = LZ4_compress_fast(reinterpret_cast<const char*>(decoded.data()),
                                    reinterpret_cast<char*>(out.data() + kHeaderSize), size, bound,
                                    acceleration_);
    if (n <= 0) throw InternalError("lz4: compression failed");
    out.Shrink(kHeaderSize + static_cast<size_t>(n));
    return out;
  }

 protected:
  std::string_view codec_name() const override { return "lz4"; }

  uint64_t DecodedSize(std::span<const std::byte> encoded) const override {
    if (encoded.size() < kHeaderSize) {
      throw CorruptError("lz4: " + std::to_string(encoded.size()) +
                         " bytes is too short for the size header");
    }
    // numcodecs reads the header as a signed int; LZ4 blocks stop below 2 GiB.
    const uint32_t size = LoadLittleEndian32(encoded.data());
    if (size > LZ4_MAX_INPUT_SIZE) {
      throw CorruptError("lz4: header declares " + std::to_string(size) +
                         " bytes, beyond the LZ4 block limit");
    }
    return size;
  }

 private:
  int acceleration_;
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeLz4CodecNumcodecs(const nlohmann::json& object,
                                                               const CodecContext&) {
  CodecConfig config("lz4", object);
  return std::make_shared<Lz4Codec>(
      static_cast<int>(config.Int("acceleration", INT_MIN, INT_MAX, 1)));
}

}  // namespace geobatch
