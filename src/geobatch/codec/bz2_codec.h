// The numcodecs "bz2" bytes->bytes codec: a bzip2 stream, or several
// concatenated ones as Python's bz2 module reads them.
// https://numcodecs.readthedocs.io/en/stable/compression/bz2.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// numcodecs "bz2": {"level" = 1}, level in [1, 9] (the block size in 100 kB).
std::shared_ptr<const BytesToBytesCodec> MakeBz2CodecNumcodecs(const nlohmann::json& object,
                                                               const CodecContext& context);

}  // namespace geobatch
