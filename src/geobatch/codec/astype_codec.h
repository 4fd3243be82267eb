// The numcodecs "astype" filter: stores elements converted to encode_dtype and
// converts them back to decode_dtype with NumPy's astype rules (integers wrap,
// floats truncate into integers, conversions between floats round).
// https://numcodecs.readthedocs.io/en/stable/filter/astype.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// numcodecs "astype": {"encode_dtype", "decode_dtype"}.
std::shared_ptr<const BytesToBytesCodec> MakeAstypeCodecNumcodecs(const nlohmann::json& object,
                                                                  const CodecContext& context);

}  // namespace geobatch
