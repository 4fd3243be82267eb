#include "geobatch/codec/zstd_codec.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <optional>
#include <string>

#include "geobatch/codec/bounded_decode.h"
#include "geobatch/codec/codec_config.h"
#include "geobatch/codec/thread_context.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

ZSTD_DCtx* DecompressionContext() {
  return ThreadContext<ZSTD_DCtx, ZSTD_createDCtx, ZSTD_freeDCtx>();
}

ZSTD_CCtx* CompressionContext() {
  return ThreadContext<ZSTD_CCtx, ZSTD_createCCtx, ZSTD_freeCCtx>();
}

[[noreturn]] void ThrowZstdError(size_t code) {
  throw CorruptError(std::string("zstd: ") + ZSTD_getErrorName(code));
}

// The summed content sizes of the concatenated frames in `encoded`, or
// nullopt when a frame does not record its size. Walking the frame headers
// also rejects input that does not even parse as frames.
std::optional<uint64_t> TotalContentSize(std::span<const std::byte> encoded) {
  uint64_t total = 0;
  bool known = true;
  size_t pos = 0;
  do {
    const std::byte* frame = encoded.data() + pos;
    const size_t remaining = encoded.size() - pos;
    const unsigned long long content = ZSTD_getFrameContentSize(frame, remaining);
    if (content == ZSTD_CONTENTSIZE_ERROR) {
      throw CorruptError("zstd: invalid or truncated frame header at byte " + std::to_string(pos));
    }
    const size_t frame_size = ZSTD_findFrameCompressedSize(frame, remaining);
    if (ZSTD_isError(frame_size)) ThrowZstdError(frame_size);
    if (content == ZSTD_CONTENTSIZE_UNKNOWN) {
      known = false;
    } else if (__builtin_add_overflow(total, content, &total)) {
      throw CorruptError("zstd: frame content sizes overflow");
    }
    pos += frame_size;
  } while (pos < encoded.size());
  if (!known) return std::nullopt;
  return total;
}

// One-shot decompression of all frames straight into `out`; it needs no
// window buffer, whatever window the frames declare.
void DecompressInto(std::span<const std::byte> encoded, std::span<std::byte> out) {
  const size_t n = ZSTD_decompressDCtx(DecompressionContext(), out.data(), out.size(),
                                       encoded.data(), encoded.size());
  if (ZSTD_isError(n)) ThrowZstdError(n);
  CheckDecodedSizeExact("zstd", n, out.size());
}

// Streaming decompression for frames without a content size. The streaming
// decoder allocates the window a frame declares, so the window is limited to
// the output bound, but no lower than 8 MiB (the window zstd's streaming
// compressor uses up to level 19) so that such frames of small chunks decode.
Buffer DecompressStream(std::span<const std::byte> encoded, size_t max_decoded_size) {
  constexpr int kMinWindowLog = 23, kMaxWindowLog = 27;  // 27: zstd's own default limit
  const int window_log =
      std::clamp(static_cast<int>(std::bit_width(max_decoded_size)), kMinWindowLog, kMaxWindowLog);
  ZSTD_DCtx* context = DecompressionContext();
  ZSTD_DCtx_reset(context, ZSTD_reset_session_and_parameters);
  ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, window_log);

  OutputSink sink("zstd", max_decoded_size, encoded.size() * 4);
  ZSTD_inBuffer input{encoded.data(), encoded.size(), 0};
  size_t pending = 1;  // nonzero while a frame is unfinished
  while (input.pos < input.size || pending != 0) {
    const std::span<std::byte> space = sink.Space();
    ZSTD_outBuffer output{space.data(), space.size(), 0};
    const size_t consumed_before = input.pos;
    pending = ZSTD_decompressStream(context, &output, &input);
    if (ZSTD_isError(pending)) ThrowZstdError(pending);
    sink.Commit(output.pos);
    if (pending != 0 && output.pos == 0 && input.pos == consumed_before) {
      throw CorruptError("zstd: truncated frame");
    }
  }
  return sink.TakeBuffer();
}

class ZstdCodec final : public BytesToBytesCodec {
 public:
  ZstdCodec(int level, bool checksum) : level_(level), checksum_(checksum) {}

  nlohmann::json ToJson() const override {
    return CodecJson("zstd", {{"level", level_}, {"checksum", checksum_}});
  }

  Buffer Decode(std::span<const std::byte> encoded, size_t max_decoded_size) const override {
    const std::optional<uint64_t> size = TotalContentSize(encoded);
    if (!size) return DecompressStream(encoded, max_decoded_size);
    CheckDecodedSizeBound("zstd", *size, max_decoded_size);
    Buffer out(*size);
    DecompressInto(encoded, out.span());
    return out;
  }

  void DecodeInto(std::span<const std::byte> encoded, std::span<std::byte> out) const override {
    if (const std::optional<uint64_t> size = TotalContentSize(encoded)) {
      CheckDecodedSizeExact("zstd", *size, out.size());
    }
    DecompressInto(encoded, out);
  }

  Buffer Encode(std::span<const std::byte> decoded) const override {
    ZSTD_CCtx* context = CompressionContext();
    ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level_);
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, checksum_ ? 1 : 0);
    Buffer out(ZSTD_compressBound(decoded.size()));
    const size_t n =
        ZSTD_compress2(context, out.data(), out.size(), decoded.data(), decoded.size());
    if (ZSTD_isError(n)) {
      throw InternalError(std::string("zstd: compression failed: ") + ZSTD_getErrorName(n));
    }
    out.Shrink(n);
    return out;
  }

 private:
  int level_;
  bool checksum_;
};

std::shared_ptr<const BytesToBytesCodec> MakeZstd(const CodecConfig& config,
                                                  std::optional<int> default_level) {
  const int level = static_cast<int>(
      default_level ? config.Int("level", ZSTD_minCLevel(), ZSTD_maxCLevel(), *default_level)
                    : config.Int("level", ZSTD_minCLevel(), ZSTD_maxCLevel()));
  return std::make_shared<ZstdCodec>(level, config.Bool("checksum", false));
}

}  // namespace

std::shared_ptr<const BytesToBytesCodec> MakeZstdCodecV3(const nlohmann::json& configuration,
                                                         const CodecContext&) {
  return MakeZstd(CodecConfig("zstd", configuration), std::nullopt);
}

std::shared_ptr<const BytesToBytesCodec> MakeZstdCodecNumcodecs(const nlohmann::json& object,
                                                                const CodecContext&) {
  return MakeZstd(CodecConfig("zstd", object), 0);
}

}  // namespace geobatch
