// The Zarr v3 "crc32c" bytes->bytes codec: appends the CRC-32C of the data as
// 4 little-endian bytes; decoding verifies and strips it. numcodecs.CRC32C
// writes the same, or puts the checksum first with location "start".
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/crc32c/index.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// v3 "crc32c"; the configuration must be absent or an object.
std::shared_ptr<const BytesToBytesCodec> MakeCrc32cCodecV3(const nlohmann::json& configuration,
                                                           const CodecContext& context);

// numcodecs "crc32c": {"location" = "end"}, or "start".
std::shared_ptr<const BytesToBytesCodec> MakeCrc32cCodecNumcodecs(const nlohmann::json& object,
                                                                  const CodecContext& context);

}  // namespace geobatch
