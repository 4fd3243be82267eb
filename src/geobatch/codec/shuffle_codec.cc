#include "geobatch/codec/shuffle_codec.h"

#include <climits>
#include <cstring>
#include <string>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Shuffling is the transpose of a (count x elementsize) byte matrix, and
// unshuffling the transpose back.
void Transpose(const std::byte* in, std::byte* out, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
  }
}

class ShuffleCodec final : public SizedBytesToBytesCodec {
 public:
  explicit ShuffleCodec(size_t element_size) : element_size_(element_size) {}

  nlohmann::json ToJson() const override {
    return CodecJson("numcodecs.shuffle", {{"elementsize", element_size_}});
  }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    CheckDecodedSizeExact(codec_name(), DecodedSize(encoded), out.size());
    if (out.empty()) return;
    if (element_size_ <= 1) {
      std::memcpy(out.data(), encoded.data(), out.size());
    } else {
      Transpose(encoded.data(), out.data(), element_size_, encoded.size() / element_size_);
    }
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    if (!IsWholeElements(decoded.size())) {
      throw InvalidArgumentError("shuffle: " + std::to_string(decoded.size()) +
                                 " bytes is not a multiple of the element size " +
                                 std::to_string(element_size_));
    }
    if (element_size_ <= 1) return Buffer::CopyOf(decoded);
    Buffer out(decoded.size());
    Transpose(decoded.data(), out.data(), decoded.size() / element_size_, element_size_);
    return out;
  }

 protected:
  std::string_view codec_name() const override { return "shuffle"; }

  uint64_t DecodedSize(std::span<const std::byte> encoded) const override {
    if (!IsWholeElements(encoded.size())) {
      throw CorruptError("shuffle: " + std::to_string(encoded.size()) +
                         " bytes is not a multiple of the element size " +
                         std::to_string(element_size_));
    }
    return encoded.size();
  }

 private:
  bool IsWholeElements(size_t size) const {
    return element_size_ <= 1 || size % element_size_ == 0;
  }

  size_t element_size_;
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeShuffleCodecNumcodecs(const nlohmann::json& object,
                                                                   const CodecContext&) {
  CodecConfig config("shuffle", object);
  return std::make_shared<ShuffleCodec>(config.Int("elementsize", 0, INT_MAX, 4));
}

}  // namespace geobatch
