// Codecs by name: the v3 names of the spec ("zstd", "blosc", ...) and the
// numcodecs ids that Zarr v2 uses for compressors and filters ("zlib",
// "delta", ...). zarr-python writes numcodecs codecs into v3 metadata as
// "numcodecs.<id>"; those resolve to the numcodecs factories.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "geobatch/codec/codec.h"

namespace geobatch {

// What a codec may need to know about the data it will see.
struct CodecContext {
  ChunkLayout layout;  // the decoded chunk entering this codec (encode direction)
  int zarr_format = 3;
  // One element of the array's fill value, native-endian (sharding fills
  // empty inner chunks with it).
  std::vector<std::byte> fill_value;
};

using AnyCodec = std::variant<std::shared_ptr<const ArrayToArrayCodec>,
                              std::shared_ptr<const ArrayToBytesCodec>,
                              std::shared_ptr<const BytesToBytesCodec>>;

// `configuration` is the v3 "configuration" object (null when absent) or,
// for numcodecs ids, the whole v2 codec object (including "id").
using CodecFactory = std::function<AnyCodec(const nlohmann::json& configuration,
                                            const CodecContext& context)>;

class CodecRegistry {
 public:
  // The registry holding every built-in codec.
  static CodecRegistry& Global();

  void RegisterV3(const std::string& name, CodecFactory factory);
  void RegisterNumcodecs(const std::string& id, CodecFactory factory);

  // Throws UnsupportedError naming an unknown codec, and InvalidArgumentError
  // for a malformed configuration.
  AnyCodec CreateV3(const std::string& name, const nlohmann::json& configuration,
                    const CodecContext& context) const;
  AnyCodec CreateNumcodecs(const nlohmann::json& codec_object, const CodecContext& context) const;

 private:
  std::map<std::string, CodecFactory, std::less<>> v3_;
  std::map<std::string, CodecFactory, std::less<>> numcodecs_;
};

// Registration functions, one per group of codecs; Global() calls each.
void RegisterArrayCodecs(CodecRegistry& registry);        // bytes, transpose, sharding_indexed
void RegisterCompressionCodecs(CodecRegistry& registry);  // compressors, checksums, v2 filters

}  // namespace geobatch
