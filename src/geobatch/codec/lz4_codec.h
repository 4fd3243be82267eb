// The numcodecs "lz4" bytes->bytes codec: a 4-byte little-endian decoded size
// followed by one LZ4 block (numcodecs.LZ4's framing, not the LZ4 frame
// format).
// https://numcodecs.readthedocs.io/en/stable/compression/lz4.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// numcodecs "lz4": {"acceleration" = 1}; LZ4 treats values below 1 as 1.
std::shared_ptr<const BytesToBytesCodec> MakeLz4CodecNumcodecs(const nlohmann::json& object,
                                                               const CodecContext& context);

}  // namespace geobatch
