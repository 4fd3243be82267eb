// The numcodecs "delta" filter: stores the first element and then the
// differences of neighbours (np.diff in the decoded dtype), cast to the
// encoded dtype; decoding is np.cumsum, which accumulates in
// np.result_type(astype, dtype) and casts each partial sum to dtype.
// https://numcodecs.readthedocs.io/en/stable/filter/delta.html
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"
#include "geobatch/codec/codec_registry.h"

namespace geobatch {

// numcodecs "delta": {"dtype", "astype" = dtype}.
std::shared_ptr<const BytesToBytesCodec> MakeDeltaCodecNumcodecs(const nlohmann::json& object,
                                                                 const CodecContext& context);

}  // namespace geobatch
