// Helpers shared by the codec tests (header-only, so that it stays out of the
// core library): byte vectors from hex, payload generators, and codecs made
// through a registry holding the compression codecs.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "geobatch/codec/codec_registry.h"
#include "geobatch/util/error.h"

namespace geobatch::testing {

using Bytes = std::vector<std::byte>;

inline Bytes FromHex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

inline Bytes ToBytes(std::span<const std::byte> span) { return Bytes(span.begin(), span.end()); }

inline Bytes FromString(std::string_view s) {
  Bytes out(s.size());
  if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
  return out;
}

template <typename T>
Bytes FromValues(const std::vector<T>& values) {
  Bytes out(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline Bytes RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(size);
  for (std::byte& b : out) b = static_cast<std::byte>(rng());
  return out;
}

// A smooth float32 field, like a temperature chunk: compressible, not trivial.
inline Bytes SmoothFloats(size_t count) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) {
    values[i] = 280.0f + 15.0f * std::sin(static_cast<float>(i) * 0.01f) +
                0.25f * std::cos(static_cast<float>(i) * 0.37f);
  }
  return FromValues(values);
}

// np.tile(np.arange(16, dtype="<u4"), 16).tobytes(): the payload that the
// known-answer vectors of the compressor tests were made from with numcodecs.
inline Bytes KnownAnswerPayload() {
  std::vector<uint32_t> values(256);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(i % 16);
  return FromValues(values);
}

inline const CodecRegistry& CompressionRegistry() {
  static const CodecRegistry* registry = [] {
    auto* r = new CodecRegistry;
    RegisterCompressionCodecs(*r);
    return r;
  }();
  return *registry;
}

inline std::shared_ptr<const BytesToBytesCodec> AsBytesCodec(const AnyCodec& codec) {
  return std::get<std::shared_ptr<const BytesToBytesCodec>>(codec);
}

// {"name": ..., "configuration": ...} as in v3 metadata.
inline std::shared_ptr<const BytesToBytesCodec> MakeV3(const nlohmann::json& json,
                                                       const CodecContext& context = {}) {
  return AsBytesCodec(CompressionRegistry().CreateV3(
      json.at("name").get<std::string>(),
      json.contains("configuration") ? json["configuration"] : nlohmann::json(), context));
}

// {"id": ..., ...} as in v2 metadata.
inline std::shared_ptr<const BytesToBytesCodec> MakeNumcodecs(const nlohmann::json& object,
                                                              const CodecContext& context = {}) {
  return AsBytesCodec(CompressionRegistry().CreateNumcodecs(object, context));
}

// A known-answer vector of a numcodecs filter, as hex: encoding `decoded`
// gives `encoded` (skipped when `decoded` is empty, for decode-only vectors),
// and decoding `encoded` gives `redecoded` (which differs from `decoded` when
// the filter is lossy).
struct FilterVector {
  nlohmann::json object;
  std::string_view decoded, encoded, redecoded;
};

inline void ExpectFilterVector(const FilterVector& v) {
  SCOPED_TRACE(v.object.dump());
  const auto codec = MakeNumcodecs(v.object);
  if (!v.decoded.empty()) EXPECT_EQ(ToBytes(codec->Encode(FromHex(v.decoded))), FromHex(v.encoded));
  EXPECT_EQ(ToBytes(codec->Decode(FromHex(v.encoded), 1 << 20)), FromHex(v.redecoded));
}

inline CodecContext ContextFor(DataTypeId id) {
  CodecContext context;
  context.layout.dtype.id = id;
  return context;
}

// Runs `f` and returns the kind of geobatch::Error it threw; fails the test
// when it throws nothing.
template <typename F>
ErrorKind ErrorKindOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a geobatch::Error";
  return ErrorKind::kInternal;
}

}  // namespace geobatch::testing
