// The blosc bytes->bytes codec (c-blosc 1.x frames), from Zarr v3 metadata and
// from numcodecs.Blosc objects of Zarr v2.
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/blosc/index.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// v3 "blosc": {"cname", "clevel", "shuffle": "noshuffle"|"shuffle"|"bitshuffle",
// "typesize" (default: the chunk's element size), "blocksize" (0: automatic)}.
std::shared_ptr<const BytesToBytesCodec> MakeBloscCodecV3(const nlohmann::json& configuration,
                                                          const CodecContext& context);

// numcodecs "blosc": {"cname" = "lz4", "clevel" = 5, "shuffle" = 1 (0 none, 1
// byte, 2 bit, -1 auto: bit for 1-byte elements, else byte), "blocksize" = 0}.
// The typesize is the chunk's element size, as numcodecs takes it from the
// array it compresses.
std::shared_ptr<const BytesToBytesCodec> MakeBloscCodecNumcodecs(const nlohmann::json& object,
                                                                 const CodecContext& context);

}  // namespace geobatch
