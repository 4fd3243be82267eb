#include "geobatch/codec/codec_registry.h"

#include "geobatch/util/error.h"

namespace geobatch {

CodecRegistry& CodecRegistry::Global() {
  static CodecRegistry* registry = [] {
    auto* r = new CodecRegistry;
    RegisterArrayCodecs(*r);
    RegisterCompressionCodecs(*r);
    return r;
  }();
  return *registry;
}

void CodecRegistry::RegisterV3(const std::string& name, CodecFactory factory) {
  v3_[name] = std::move(factory);
}

void CodecRegistry::RegisterNumcodecs(const std::string& id, CodecFactory factory) {
  numcodecs_[id] = std::move(factory);
}

AnyCodec CodecRegistry::CreateV3(const std::string& name, const nlohmann::json& configuration,
                                 const CodecContext& context) const {
  if (auto it = v3_.find(name); it != v3_.end()) return it->second(configuration, context);
  constexpr std::string_view kNumcodecsPrefix = "numcodecs.";
  if (name.starts_with(kNumcodecsPrefix)) {
    const std::string id = name.substr(kNumcodecsPrefix.size());
    if (auto it = numcodecs_.find(id); it != numcodecs_.end()) {
      nlohmann::json object = configuration.is_object() ? configuration : nlohmann::json::object();
      object["id"] = id;
      return it->second(object, context);
    }
  }
  throw UnsupportedError("unknown codec '" + name + "'");
}

AnyCodec CodecRegistry::CreateNumcodecs(const nlohmann::json& codec_object,
                                        const CodecContext& context) const {
  if (!codec_object.is_object() || !codec_object.contains("id") ||
      !codec_object["id"].is_string()) {
    throw InvalidArgumentError("codec entry must be an object with a string 'id': " +
                               codec_object.dump());
  }
  const std::string id = codec_object["id"].get<std::string>();
  auto it = numcodecs_.find(id);
  if (it == numcodecs_.end()) throw UnsupportedError("unknown codec '" + id + "'");
  return it->second(codec_object, context);
}

}  // namespace geobatch
