// The zstd bytes->bytes codec (Zstandard frames, RFC 8878), from Zarr v3
// metadata and from numcodecs.Zstd objects of Zarr v2.
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/zstd/index.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// v3 "zstd": {"level", "checksum" = false}.
std::shared_ptr<const BytesToBytesCodec> MakeZstdCodecV3(const nlohmann::json& configuration,
                                                         const CodecContext& context);

// numcodecs "zstd": {"level" = 0, "checksum" = false}.
std::shared_ptr<const BytesToBytesCodec> MakeZstdCodecNumcodecs(const nlohmann::json& object,
                                                                const CodecContext& context);

}  // namespace geobatch
