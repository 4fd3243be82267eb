// libFuzzer target that decodes arbitrary bytes with one codec, chosen at
// compile time by GEOBATCH_FUZZ_CODEC (a v3 name or numcodecs id). Every
// failure must be a geobatch::Error; crashes, hangs, sanitizer reports and
// uncaught exceptions of other types are bugs. For bytes->bytes codecs it also
// checks that DecodeInto agrees with Decode.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geobatch/codec/codec_registry.h"
#include "geobatch/util/error.h"

#ifndef GEOBATCH_FUZZ_CODEC
#error "define GEOBATCH_FUZZ_CODEC to the codec to fuzz"
#endif

namespace geobatch {
namespace {

// Decoded output is capped like a real chunk would be.
constexpr size_t kMaxDecodedSize = 1 << 20;

// Metadata for each fuzzed codec: v3 {"name", "configuration"} or a numcodecs
// {"id", ...} object. The array codecs decode a uint16 chunk of shape [4, 4].
constexpr std::pair<std::string_view, std::string_view> kCodecs[] = {
    {"blosc", R"({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                  "shuffle": "shuffle", "typesize": 4, "blocksize": 0}})"},
    {"zstd", R"({"name": "zstd", "configuration": {"level": 3, "checksum": false}})"},
    {"gzip", R"({"name": "gzip", "configuration": {"level": 5}})"},
    {"zlib", R"({"id": "zlib", "level": 1})"},
    {"lz4", R"({"id": "lz4"})"},
    {"bz2", R"({"id": "bz2", "level": 1})"},
    {"crc32c", R"({"name": "crc32c"})"},
    {"shuffle", R"({"id": "shuffle", "elementsize": 4})"},
    {"delta", R"({"id": "delta", "dtype": "<i4", "astype": ">i2"})"},
    {"fixedscaleoffset", R"({"id": "fixedscaleoffset", "offset": 1000, "scale": 10,
                             "dtype": "<f8", "astype": "|u1"})"},
    {"astype", R"({"id": "astype", "encode_dtype": ">f8", "decode_dtype": "<i2"})"},
    {"bytes", R"({"name": "bytes", "configuration": {"endian": "big"}})"},
    {"transpose", R"({"name": "transpose", "configuration": {"order": [1, 0]}})"},
    {"sharding_indexed", R"({"name": "sharding_indexed", "configuration": {
        "chunk_shape": [2, 2],
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                         {"name": "crc32c"}],
        "index_location": "end"}})"},
};

ChunkLayout FuzzLayout() {
  ChunkLayout layout;
  layout.dtype.id = DataTypeId::kUInt16;
  layout.shape = {4, 4};
  return layout;
}

AnyCodec MakeCodec() {
  for (const auto& [name, metadata] : kCodecs) {
    if (name != GEOBATCH_FUZZ_CODEC) continue;
    const nlohmann::json json = nlohmann::json::parse(metadata);
    const CodecContext context{FuzzLayout(), json.contains("id") ? 2 : 3};
    const CodecRegistry& registry = CodecRegistry::Global();
    if (json.contains("id")) return registry.CreateNumcodecs(json, context);
    return registry.CreateV3(json["name"], json.value("configuration", nlohmann::json()), context);
  }
  __builtin_trap();  // GEOBATCH_FUZZ_CODEC names no entry of kCodecs
}

void Fuzz(const BytesToBytesCodec& codec, std::span<const std::byte> input) {
  Buffer decoded;
  try {
    decoded = codec.Decode(input, kMaxDecodedSize);
  } catch (const Error&) {
    return;
  }
  if (decoded.size() > kMaxDecodedSize) __builtin_trap();
  // What Decode accepts, DecodeInto must decode to the same bytes.
  std::vector<std::byte> out(decoded.size());
  codec.DecodeInto(input, out);
  if (!out.empty() && std::memcmp(out.data(), decoded.data(), out.size()) != 0) __builtin_trap();
}

void Fuzz(const ArrayToBytesCodec& codec, std::span<const std::byte> input) {
  const ChunkLayout layout = FuzzLayout();
  std::vector<std::byte> out(layout.num_bytes());
  try {
    codec.Decode(input, layout, out);
  } catch (const Error&) {
  }
}

void Fuzz(const ArrayToArrayCodec& codec, std::span<const std::byte> input) {
  const ChunkLayout layout = FuzzLayout();
  std::vector<std::byte> out(layout.num_bytes());
  try {
    codec.Decode(input, layout, out);
  } catch (const Error&) {
  }
}

}  // namespace
}  // namespace geobatch

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const geobatch::AnyCodec codec = geobatch::MakeCodec();
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
  std::visit([&](const auto& c) { geobatch::Fuzz(*c, input); }, codec);
  return 0;
}
