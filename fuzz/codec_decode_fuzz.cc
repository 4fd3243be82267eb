// libFuzzer target that decodes arbitrary bytes with one codec, chosen at
// compile time by GEOBATCH_FUZZ_CODEC (a v3 name or numcodecs id). Every
// failure must be a geobatch::Error; crashes, hangs, sanitizer reports and
// uncaught exceptions of other types are bugs. For bytes->bytes codecs it also
// checks that DecodeInto agrees with Decode.
//
// Random bytes rarely get past a format's header, and the compression
// libraries are not instrumented to guide the fuzzer through them, so inputs
// whose first byte is odd take another path: they read
//   [odd byte, damage offset (2 bytes, little-endian), damage xor, payload...]
// and the payload is encoded, checked to round-trip, damaged at one byte and
// decoded.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>
#include <type_traits>
#include <vector>

#include "geobatch/codec/codec_registry.h"
#include "geobatch/util/error.h"

#ifndef GEOBATCH_FUZZ_CODEC
#error "define GEOBATCH_FUZZ_CODEC to the codec to fuzz"
#endif

namespace geobatch {
namespace {

// Decoded output is capped like a real chunk would be.
constexpr size_t kMaxDecodedSize = 1 << 20;

struct FuzzedCodec {
  std::string_view name;
  // v3 {"name", "configuration"} or a numcodecs {"id", ...} object. The array
  // codecs work on a uint16 chunk of shape [4, 4].
  std::string_view metadata;
  bool lossless;  // Decode(Encode(x)) == x for every x that Encode takes
};

constexpr FuzzedCodec kCodecs[] = {
    {"blosc", R"({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                  "shuffle": "shuffle", "typesize": 4, "blocksize": 0}})",
     true},
    {"zstd", R"({"name": "zstd", "configuration": {"level": 3, "checksum": false}})", true},
    {"gzip", R"({"name": "gzip", "configuration": {"level": 5}})", true},
    {"zlib", R"({"id": "zlib", "level": 1})", true},
    {"lz4", R"({"id": "lz4"})", true},
    {"bz2", R"({"id": "bz2", "level": 1})", true},
    {"crc32c", R"({"name": "crc32c"})", true},
    {"shuffle", R"({"id": "shuffle", "elementsize": 4})", true},
    {"delta", R"({"id": "delta", "dtype": "<i4", "astype": ">i2"})", false},
    {"fixedscaleoffset", R"({"id": "fixedscaleoffset", "offset": 1000, "scale": 10,
                             "dtype": "<f8", "astype": "|u1"})",
     false},
    {"astype", R"({"id": "astype", "encode_dtype": ">f8", "decode_dtype": "<i2"})", false},
    {"bytes", R"({"name": "bytes", "configuration": {"endian": "big"}})", true},
    {"transpose", R"({"name": "transpose", "configuration": {"order": [1, 0]}})", true},
    {"sharding_indexed", R"({"name": "sharding_indexed", "configuration": {
        "chunk_shape": [2, 2],
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                         {"name": "crc32c"}],
        "index_location": "end"}})",
     true},
};

const FuzzedCodec& Selected() {
  for (const FuzzedCodec& codec : kCodecs) {
    if (codec.name == GEOBATCH_FUZZ_CODEC) return codec;
  }
  __builtin_trap();  // GEOBATCH_FUZZ_CODEC names no entry of kCodecs
}

ChunkLayout FuzzLayout() {
  ChunkLayout layout;
  layout.dtype.id = DataTypeId::kUInt16;
  layout.shape = {4, 4};
  return layout;
}

AnyCodec MakeCodec() {
  const nlohmann::json json = nlohmann::json::parse(Selected().metadata);
  const CodecContext context{FuzzLayout(), json.contains("id") ? 2 : 3};
  const CodecRegistry& registry = CodecRegistry::Global();
  if (json.contains("id")) return registry.CreateNumcodecs(json, context);
  return registry.CreateV3(json["name"], json.value("configuration", nlohmann::json()), context);
}

using Bytes = std::vector<std::byte>;

// The three codec kinds behind one face: array codecs take whole chunks of
// FuzzLayout(), bytes->bytes codecs anything.
template <typename Codec>
class Harness {
 public:
  static constexpr bool kBytesToBytes = std::is_same_v<Codec, BytesToBytesCodec>;

  explicit Harness(const Codec& codec) : codec_(codec) {}

  // Decodes untrusted input; only geobatch::Error may escape.
  void Decode(std::span<const std::byte> input) const {
    if constexpr (kBytesToBytes) {
      Buffer decoded;
      try {
        decoded = codec_.Decode(input, kMaxDecodedSize);
      } catch (const Error&) {
        return;
      }
      if (decoded.size() > kMaxDecodedSize) __builtin_trap();
      // What Decode accepts, DecodeInto must decode to the same bytes.
      if (DecodeExact(input, decoded.size()) !=
          Bytes(decoded.data(), decoded.data() + decoded.size())) {
        __builtin_trap();
      }
    } else {
      try {
        DecodeExact(input, 0);
      } catch (const Error&) {
      }
    }
  }

  void EncodeDamageDecode(std::span<const std::byte> input) const {
    if (input.size() < 4) return;
    Bytes payload(input.begin() + 4, input.end());
    if constexpr (!kBytesToBytes) payload.resize(FuzzLayout().num_bytes());
    Buffer encoded;
    try {
      encoded = Encode(payload);
    } catch (const Error&) {
      return;  // e.g. a partial element for the numcodecs filters
    }
    if (Selected().lossless && DecodeExact(encoded, payload.size()) != payload) __builtin_trap();
    if (encoded.empty()) return;
    const size_t offset = static_cast<size_t>(input[1]) | static_cast<size_t>(input[2]) << 8;
    encoded.data()[offset % encoded.size()] ^= input[3];
    Decode(encoded);
  }

 private:
  Buffer Encode(std::span<const std::byte> payload) const {
    if constexpr (kBytesToBytes) {
      return codec_.Encode(payload);
    } else {
      return codec_.Encode(payload, FuzzLayout());
    }
  }

  // `size` is the expected decoded size (a whole chunk for array codecs).
  Bytes DecodeExact(std::span<const std::byte> encoded, size_t size) const {
    if constexpr (kBytesToBytes) {
      Bytes out(size);
      codec_.DecodeInto(encoded, out);
      return out;
    } else {
      Bytes out(FuzzLayout().num_bytes());
      codec_.Decode(encoded, FuzzLayout(), out);
      return out;
    }
  }

  const Codec& codec_;
};

}  // namespace
}  // namespace geobatch

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const geobatch::AnyCodec codec = geobatch::MakeCodec();
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
  std::visit(
      [&]<typename Codec>(const std::shared_ptr<const Codec>& c) {
        const geobatch::Harness<Codec> harness(*c);
        if (size > 0 && (data[0] & 1)) {
          harness.EncodeDamageDecode(input);
        } else {
          harness.Decode(input);
        }
      },
      codec);
  return 0;
}
