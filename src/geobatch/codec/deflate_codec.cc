#include "geobatch/codec/deflate_codec.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <string>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/codec/little_endian.h"
#include "geobatch/codec/thread_context.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

enum class DeflateFormat { kGzip, kZlib };

std::string_view FormatName(DeflateFormat format) {
  return format == DeflateFormat::kGzip ? "gzip" : "zlib";
}

// Decompresses with libdeflate into `out`, member after member for gzip (a
// zlib stream is single, and bytes after it are ignored as Python's zlib
// does). Returns the bytes written through `written`.
libdeflate_result DecompressWithLibdeflate(DeflateFormat format, std::span<const std::byte> encoded,
                                           std::span<std::byte> out, size_t* written) {
  libdeflate_decompressor* decompressor =
      ThreadContext<libdeflate_decompressor, libdeflate_alloc_decompressor,
                    libdeflate_free_decompressor>();
  size_t in_pos = 0, out_pos = 0;
  do {
    size_t in_used = 0, out_used = 0;
    const auto decompress = format == DeflateFormat::kGzip ? libdeflate_gzip_decompress_ex
                                                           : libdeflate_zlib_decompress_ex;
    const libdeflate_result result =
        decompress(decompressor, encoded.data() + in_pos, encoded.size() - in_pos,
                   out.data() + out_pos, out.size() - out_pos, &in_used, &out_used);
    if (result != LIBDEFLATE_SUCCESS) return result;
    in_pos += in_used;
    out_pos += out_used;
  } while (format == DeflateFormat::kGzip && in_pos < encoded.size());
  *written = out_pos;
  return LIBDEFLATE_SUCCESS;
}

// zlib's streaming inflate into a growing buffer, for when the decoded size
// is unknown; gzip members are decoded one after another.
Buffer InflateWithZlib(DeflateFormat format, std::span<const std::byte> encoded,
                       size_t max_decoded_size) {
  const std::string_view name = FormatName(format);
  z_stream stream{};
  const int window_bits = format == DeflateFormat::kGzip ? 16 + MAX_WBITS : MAX_WBITS;
  if (inflateInit2(&stream, window_bits) != Z_OK) throw InternalError("zlib: inflateInit2 failed");
  struct End {
    z_stream* stream;
    ~End() { inflateEnd(stream); }
  } end{&stream};

  OutputSink sink(name, max_decoded_size, encoded.size() * 4);
  size_t fed = 0;  // input bytes handed to zlib so far (avail_in is 32-bit)
  for (;;) {
    if (stream.avail_in == 0 && fed < encoded.size()) {
      const size_t n = std::min<size_t>(encoded.size() - fed, UINT_MAX);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(encoded.data() + fed));
      stream.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    const std::span<std::byte> space = sink.Space();
    const uInt space_size = static_cast<uInt>(std::min<size_t>(space.size(), UINT_MAX));
    stream.next_out = reinterpret_cast<Bytef*>(space.data());
    stream.avail_out = space_size;
    const int ret = inflate(&stream, Z_NO_FLUSH);
    sink.Commit(space_size - stream.avail_out);
    const bool input_left = stream.avail_in > 0 || fed < encoded.size();
    if (ret == Z_STREAM_END) {
      if (format == DeflateFormat::kZlib || !input_left) break;
      inflateReset(&stream);  // the next gzip member
    } else if (ret == Z_BUF_ERROR && !input_left) {
      throw CorruptError(std::string(name) + ": truncated stream");
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      throw CorruptError(std::string(name) + ": " + (stream.msg ? stream.msg : "invalid data"));
    }
  }
  return sink.TakeBuffer();
}

class DeflateCodec final : public BytesToBytesCodec {
 public:
  DeflateCodec(DeflateFormat format, int level) : format_(format), level_(level) {}

  nlohmann::json ToJson() const override {
    return CodecJson(format_ == DeflateFormat::kGzip ? "gzip" : "numcodecs.zlib",
                     {{"level", level_}});
  }

  Buffer Decode(std::span<const std::byte> encoded, size_t max_decoded_size) const override {
    // A gzip member ends with its decoded size modulo 2^32 (ISIZE). For a
    // single member that fits, it lets libdeflate decode in one pass; any
    // failure (several members, a lying trailer) falls back to streaming.
    constexpr size_t kGzipMinSize = 18;
    if (format_ == DeflateFormat::kGzip && encoded.size() >= kGzipMinSize) {
      const uint32_t hint = LoadLittleEndian32(encoded.data() + encoded.size() - 4);
      if (hint <= max_decoded_size) {
        Buffer out(hint);
        size_t written = 0;
        if (DecompressWithLibdeflate(format_, encoded, out.span(), &written) ==
                LIBDEFLATE_SUCCESS &&
            written == hint) {
          return out;
        }
      }
    }
    return InflateWithZlib(format_, encoded, max_decoded_size);
  }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    const std::string name(FormatName(format_));
    size_t written = 0;
    switch (DecompressWithLibdeflate(format_, encoded, out, &written)) {
      case LIBDEFLATE_SUCCESS:
        CheckDecodedSizeExact(name, written, out.size());
        return;
      case LIBDEFLATE_INSUFFICIENT_SPACE:
        throw CorruptError(name + ": decoded data exceeds the expected " +
                           std::to_string(out.size()) + " bytes");
      default:
        throw CorruptError(name + ": invalid or truncated data");
    }
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    struct Free {
      void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
    };
    const int level = level_ < 0 ? 6 : level_;  // zlib's Z_DEFAULT_COMPRESSION
    std::unique_ptr<libdeflate_compressor, Free> compressor(libdeflate_alloc_compressor(level));
    if (!compressor) throw InternalError("libdeflate: cannot create a compressor");
    const bool gzip = format_ == DeflateFormat::kGzip;
    Buffer out(gzip ? libdeflate_gzip_compress_bound(compressor.get(), decoded.size())
                    : libdeflate_zlib_compress_bound(compressor.get(), decoded.size()));
    const size_t n = (gzip ? libdeflate_gzip_compress : libdeflate_zlib_compress)(
        compressor.get(), decoded.data(), decoded.size(), out.data(), out.size());
    if (n == 0) throw InternalError("libdeflate: compression failed");
    out.Shrink(n);
    return out;
  }

 private:
  DeflateFormat format_;
  int level_;
};

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeGzipCodecV3(const nlohmann::json& configuration,
                                                         const CodecContext&) {
  CodecConfig config("gzip", configuration);
  return std::make_shared<DeflateCodec>(DeflateFormat::kGzip,
                                        static_cast<int>(config.Int("level", 0, 9)));
}

std::shared_ptr<const BytesToBytesCodec> MakeGzipCodecNumcodecs(const nlohmann::json& object,
                                                                const CodecContext&) {
  CodecConfig config("gzip", object);
  return std::make_shared<DeflateCodec>(DeflateFormat::kGzip,
                                        static_cast<int>(config.Int("level", 0, 9, 1)));
}

std::shared_ptr<const BytesToBytesCodec> MakeZlibCodecNumcodecs(const nlohmann::json& object,
                                                                const CodecContext&) {
  CodecConfig config("zlib", object);
  return std::make_shared<DeflateCodec>(DeflateFormat::kZlib,
                                        static_cast<int>(config.Int("level", -1, 9, 1)));
}

}  // namespace geobatch
