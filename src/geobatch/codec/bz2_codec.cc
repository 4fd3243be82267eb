#include "geobatch/codec/bz2_codec.h"

#include <bzlib.h>

#include <algorithm>
#include <climits>
#include <string>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Streams `encoded` through libbz2 into `sink`. bzip2 records no decoded size,
// so the sink's bound is what stops a decompression bomb.
void Decompress(std::span<const std::byte> encoded, OutputSink& sink) {
  bz_stream stream{};
  bool open = false;
  struct Close {
    bz_stream* stream;
    bool* open;
    ~Close() {
      if (*open) BZ2_bzDecompressEnd(stream);
    }
  } close{&stream, &open};

  size_t fed = 0;  // input bytes handed to libbz2 so far (avail_in is 32-bit)
  for (;;) {
    if (!open) {
      if (BZ2_bzDecompressInit(&stream, /*verbosity=*/0, /*small=*/0) != BZ_OK) {
        throw InternalError("bz2: BZ2_bzDecompressInit failed");
      }
      open = true;
    }
    if (stream.avail_in == 0 && fed < encoded.size()) {
      const size_t n = std::min<size_t>(encoded.size() - fed, UINT_MAX);
      stream.next_in = const_cast<char*>(reinterpret_cast<const char*>(encoded.data() + fed));
      stream.avail_in = static_cast<unsigned>(n);
      fed += n;
    }
    const std::span<std::byte> space = sink.Space();
    const unsigned space_size = static_cast<unsigned>(std::min<size_t>(space.size(), UINT_MAX));
    stream.next_out = reinterpret_cast<char*>(space.data());
    stream.avail_out = space_size;
    const unsigned in_before = stream.avail_in;
    const int ret = BZ2_bzDecompress(&stream);
    const size_t produced = space_size - stream.avail_out;
    sink.Commit(produced);
    const bool input_left = stream.avail_in > 0 || fed < encoded.size();
    if (ret == BZ_STREAM_END) {
      if (!input_left) return;
      // Another stream follows: restart the decoder where this one ended.
      BZ2_bzDecompressEnd(&stream);
      open = false;
      bz_stream next{};
      next.next_in = stream.next_in;
      next.avail_in = stream.avail_in;
      stream = next;
    } else if (ret != BZ_OK) {
      throw CorruptError("bz2: invalid data (libbz2 error " + std::to_string(ret) + ")");
    } else if (produced == 0 && stream.avail_in == in_before && !input_left) {
      throw CorruptError("bz2: truncated stream");
    }
  }
}

class Bz2Codec final : public BytesToBytesCodec {
 public:
  explicit Bz2Codec(int level) : level_(level) {}

  nlohmann::json ToJson() const override { return CodecJson("numcodecs.bz2", {{"level", level_}}); }

  Buffer Decode(std::span<const std::byte> encoded, size_t max_decoded_size) const override {
    OutputSink sink("bz2", max_decoded_size, encoded.size() * 4);
    Decompress(encoded, sink);
    return sink.TakeBuffer();
  }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    OutputSink sink("bz2", out);
    Decompress(encoded, sink);
    CheckDecodedSizeExact("bz2", sink.size(), out.size());
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    if (decoded.size() > UINT_MAX / 2) {
      throw InvalidArgumentError("bz2: cannot compress " + std::to_string(decoded.size()) +
                                 " bytes at once");
    }
    // libbz2's documented worst case: 1% larger plus 600 bytes.
    unsigned size = static_cast<unsigned>(decoded.size() + decoded.size() / 100 + 600);
    Buffer out(size);
    char empty = 0;  // libbz2 rejects a null source even when it is empty
    char* source =
        decoded.empty() ? &empty : const_cast<char*>(reinterpret_cast<const char*>(decoded.data()));
    const int ret = BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &size, source,
                                             static_cast<unsigned>(decoded.size()), level_,
                                             /*verbosity=*/0, /*workFactor=*/0);
    if (ret != BZ_OK) throw InternalError("bz2: compression failed (" + std::to_string(ret) + ")");
    out.Shrink(size);
    return out;
  }

 private:
  int level_;
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeBz2CodecNumcodecs(const nlohmann::json& object,
                                                               const CodecContext&) {
  CodecConfig config("bz2", object);
  return std::make_shared<Bz2Codec>(static_cast<int>(config.Int("level", 1, 9, 1)));
}

}  // namespace geobatch
