#include "geobatch/codec/blosc_codec.h"

#include <blosc.h>

#include <algorithm>
#include <array>
#include <string>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Indexed by BLOSC_NOSHUFFLE, BLOSC_SHUFFLE, BLOSC_BITSHUFFLE.
constexpr std::array<std::string_view, 3> kShuffleNames = {"noshuffle", "shuffle", "bitshuffle"};

struct BloscOptions {
  std::string cname;
  int clevel;
  int shuffle;  // BLOSC_NOSHUFFLE, BLOSC_SHUFFLE or BLOSC_BITSHUFFLE
  size_t typesize;
  size_t blocksize;  // 0: blosc chooses
};

class BloscCodec final : public SizedBytesToBytesCodec {
 public:
  explicit BloscCodec(BloscOptions options) : options_(std::move(options)) {}

  nlohmann::json ToJson() const override {
    return CodecJson("blosc", {{"cname", options_.cname},
                               {"clevel", options_.clevel},
                               {"shuffle", kShuffleNames[options_.shuffle]},
                               {"typesize", options_.typesize},
                               {"blocksize", options_.blocksize}});
  }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    CheckDecodedSizeExact(codec_name(), DecodedSize(encoded), out.size());
    // The _ctx variant keeps no global state, so decoder threads do not
    // serialise on blosc's global lock; the parallelism is ours, not blosc's.
    const int n = blosc_decompress_ctx(encoded.data(), out.data(), out.size(),
                                       /*numinternalthreads=*/1);
    if (n < 0 || static_cast<size_t>(n) != out.size()) {
      throw CorruptError("blosc: decompression failed (code " + std::to_string(n) + ")");
    }
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    if (decoded.size() > BLOSC_MAX_BUFFERSIZE) {
      throw InvalidArgumentError("blosc: cannot compress " + std::to_string(decoded.size()) +
                                 " bytes; the limit is " + std::to_string(BLOSC_MAX_BUFFERSIZE));
    }
    Buffer out(decoded.size() + BLOSC_MAX_OVERHEAD);
    const int n = blosc_compress_ctx(options_.clevel, options_.shuffle, options_.typesize,
                                     decoded.size(), decoded.data(), out.data(), out.size(),
                                     options_.cname.c_str(), options_.blocksize,
                                     /*numinternalthreads=*/1);
    if (n <= 0) throw InternalError("blosc: compression failed (code " + std::to_string(n) + ")");
    out.Shrink(static_cast<size_t>(n));
    return out;
  }

 protected:
  std::string_view codec_name() const override { return "blosc"; }

  // Validation reads only the header, but checks it against the buffer size
  // so that decompression cannot read past `encoded`.
  uint64_t DecodedSize(std::span<const std::byte> encoded) const override {
    if (encoded.size() < BLOSC_MIN_HEADER_LENGTH) {
      throw CorruptError("blosc: " + std::to_string(encoded.size()) +
                         " bytes is too short for a blosc header");
    }
    size_t nbytes = 0, cbytes = 0, blocksize = 0;
    blosc_cbuffer_sizes(encoded.data(), &nbytes, &cbytes, &blocksize);
    if (cbytes > encoded.size() ||
        blosc_cbuffer_validate(encoded.data(), encoded.size(), &nbytes) != 0) {
      throw CorruptError("blosc: invalid header (compressed size " + std::to_string(cbytes) +
                         ", buffer " + std::to_string(encoded.size()) + " bytes)");
    }
    return nbytes;
  }

 private:
  BloscOptions options_;
};

void ValidateCname(const CodecConfig& config, const std::string& cname) {
  if (blosc_compname_to_compcode(cname.c_str()) < 0) {
    config.Fail("unknown or unavailable cname '" + cname +
                "' (available: " + blosc_list_compressors() + ")");
  }
}

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeBloscCodecV3(const nlohmann::json& configuration,
                                                          const CodecContext& context) {
  CodecConfig config("blosc", configuration);
  BloscOptions options;
  options.cname = config.String("cname");
  ValidateCname(config, options.cname);
  options.clevel = static_cast<int>(config.Int("clevel", 0, 9));
  const std::string shuffle = config.String("shuffle");
  const auto it = std::find(kShuffleNames.begin(), kShuffleNames.end(), shuffle);
  if (it == kShuffleNames.end()) {
    config.FailField("shuffle", "\"noshuffle\", \"shuffle\" or \"bitshuffle\"", shuffle);
  }
  options.shuffle = static_cast<int>(it - kShuffleNames.begin());
  options.typesize = config.Int("typesize", 1, INT32_MAX, context.layout.dtype.size());
  options.blocksize = config.Int("blocksize", 0, INT32_MAX, 0);
  return std::make_shared<BloscCodec>(std::move(options));
}

std::shared_ptr<const BytesToBytesCodec> MakeBloscCodecNumcodecs(const nlohmann::json& object,
                                                                 const CodecContext& context) {
  CodecConfig config("blosc", object);
  BloscOptions options;
  options.cname = config.String("cname", "lz4");
  ValidateCname(config, options.cname);
  options.clevel = static_cast<int>(config.Int("clevel", 0, 9, 5));
  options.typesize = context.layout.dtype.size();
  constexpr int kAutoShuffle = -1;
  options.shuffle = static_cast<int>(config.Int("shuffle", kAutoShuffle, BLOSC_BITSHUFFLE, 1));
  if (options.shuffle == kAutoShuffle) {
    options.shuffle = options.typesize == 1 ? BLOSC_BITSHUFFLE : BLOSC_SHUFFLE;
  }
  options.blocksize = config.Int("blocksize", 0, INT32_MAX, 0);
  return std::make_shared<BloscCodec>(std::move(options));
}

}  // namespace geobatch
