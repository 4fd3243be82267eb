// Registers the codecs that shape arrays rather than compress bytes.
#include "geobatch/codec/bytes_codec.h"
#include "geobatch/codec/codec_registry.h"
#include "geobatch/codec/sharding_codec.h"
#include "geobatch/codec/transpose_codec.h"

namespace geobatch {

void RegisterArrayCodecs(CodecRegistry& registry) {
  registry.RegisterV3("bytes", [](const nlohmann::json& config, const CodecContext& context) {
    return AnyCodec(BytesCodec::FromJson(config, context.layout.dtype));
  });
  registry.RegisterV3("transpose", [](const nlohmann::json& config, const CodecContext& context) {
    return AnyCodec(TransposeCodec::FromJson(config, context.layout.shape.size()));
  });
  registry.RegisterV3("sharding_indexed",
                      [](const nlohmann::json& config, const CodecContext& context) {
                        return AnyCodec(ShardingCodec::FromJson(config, context));
                      });
}

}  // namespace geobatch
