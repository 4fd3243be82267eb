// The numcodecs "fixedscaleoffset" filter: encodes np.around((x - offset) *
// scale) as astype and decodes enc / scale + offset as dtype, with NumPy's
// types: offset and scale are Python scalars, so with float elements they
// take the element's float type, and integer elements divide in float64.
// https://numcodecs.readthedocs.io/en/stable/filter/fixedscaleoffset.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// numcodecs "fixedscaleoffset": {"offset", "scale", "dtype", "astype" = dtype}.
std::shared_ptr<const BytesToBytesCodec> MakeFixedScaleOffsetCodecNumcodecs(
    const nlohmann::json& object, const CodecContext& context);

}  // namespace geobatch
