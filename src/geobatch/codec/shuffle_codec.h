// The numcodecs "shuffle" bytes->bytes codec: groups the i-th byte of every
// element together (byte k of element e moves to k * count + e). Like
// numcodecs.Shuffle, a buffer that is not a whole number of elements is an
// error, and elementsize <= 1 leaves the bytes as they are.
// https://numcodecs.readthedocs.io/en/stable/filter/shuffle.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// numcodecs "shuffle": {"elementsize" = 4}.
std::shared_ptr<const BytesToBytesCodec> MakeShuffleCodecNumcodecs(const nlohmann::json& object,
                                                                   const CodecContext& context);

}  // namespace geobatch
