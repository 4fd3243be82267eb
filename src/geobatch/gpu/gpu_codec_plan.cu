#include "geobatch/gpu/gpu_codec_plan.h"

#include "geobatch/util/error.h"

namespace geobatch::gpu {

std::optional<GpuDecodePlan> PlanGpuDecode(const CodecChain& chain, std::string* why_not) {
  auto refuse = [&](const std::string& reason) -> std::optional<GpuDecodePlan> {
    if (why_not) *why_not = reason;
    return std::nullopt;
  };
  const nlohmann::json codecs = chain.ToJson();
  if (codecs.empty() || codecs.size() > 2) return refuse("codecs " + codecs.dump() + " need the CPU");
  const nlohmann::json& bytes = codecs[0];
  if (bytes.value("name", "") != "bytes") return refuse("codec " + bytes.dump() + " needs the CPU");
  const std::string endian = bytes.value("configuration", nlohmann::json::object()).value("endian", "little");
  if (endian != "little" && chain.layout().dtype.size() > 1) return refuse("big-endian data needs the CPU");
  GpuDecodePlan plan;
  if (codecs.size() == 1) {
    plan.compressed = false;
    return plan;
  }
  const std::string name = codecs[1].value("name", "");
  if (name == "zstd") {
    plan.codec = NvcompCodec::kZstd;
  } else if (name == "gzip") {
    plan.codec = NvcompCodec::kGzip;
  } else if (name == "numcodecs.zlib") {
    plan.codec = NvcompCodec::kDeflate;
    plan.framing = GpuDecodePlan::Framing::kZlib;
  } else if (name == "numcodecs.lz4") {
    plan.codec = NvcompCodec::kLz4;
    plan.framing = GpuDecodePlan::Framing::kNumcodecsLz4;
  } else {
    return refuse("codec '" + name + "' has no GPU decoder");
  }
  return plan;
}

std::span<const std::byte> NvcompPayload(const GpuDecodePlan& plan, std::span<const std::byte> encoded,
                                         uint64_t decoded_size) {
  auto byte = [&](size_t i) { return std::to_integer<uint32_t>(encoded[i]); };
  switch (plan.framing) {
    case GpuDecodePlan::Framing::kNone:
      return encoded;
    case GpuDecodePlan::Framing::kZlib: {
      // RFC 1950: CMF (method 8, window <= 32 KiB), FLG (check bits, no preset dictionary).
      if (encoded.size() < 6 || (byte(0) & 0x0f) != 8 || (byte(0) >> 4) > 7 || (byte(0) * 256 + byte(1)) % 31 != 0 ||
          (byte(1) & 0x20) != 0) {
        throw CorruptError("malformed zlib header");
      }
      return encoded.subspan(2, encoded.size() - 6);
    }
    case GpuDecodePlan::Framing::kNumcodecsLz4: {
      if (encoded.size() < 4) throw CorruptError("lz4 chunk shorter than its 4-byte size header");
      const uint64_t declared = byte(0) | byte(1) << 8 | byte(2) << 16 | static_cast<uint64_t>(byte(3)) << 24;
      if (declared != decoded_size) {
        throw CorruptError("lz4 chunk declares " + std::to_string(declared) + " decoded bytes, expected " +
                           std::to_string(decoded_size));
      }
      return encoded.subspan(4);
    }
  }
  return encoded;
}

}  // namespace geobatch::gpu
