// The DEFLATE-based bytes->bytes codecs: v3 "gzip" (RFC 1952, also
// numcodecs.GZip) and numcodecs "zlib" (RFC 1950). Decoding uses libdeflate
// into a known-size destination, and zlib's streaming inflate when the size is
// unknown; gzip input may hold several concatenated members.
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/gzip/index.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// v3 "gzip": {"level"} with level in [0, 9].
std::shared_ptr<const BytesToBytesCodec> MakeGzipCodecV3(const nlohmann::json& configuration,
                                                         const CodecContext& context);
// numcodecs "gzip": {"level" = 1}.
std::shared_ptr<const BytesToBytesCodec> MakeGzipCodecNumcodecs(const nlohmann::json& object,
                                                                const CodecContext& context);
// numcodecs "zlib": {"level" = 1}, level in [-1, 9] (-1: zlib's default, 6).
std::shared_ptr<const BytesToBytesCodec> MakeZlibCodecNumcodecs(const nlohmann::json& object,
                                                                const CodecContext& context);

}  // namespace geobatch
