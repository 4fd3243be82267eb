#include "geobatch/codec/codec_chain.h"

#include "geobatch/codec/sharding_codec.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Intermediate results (between two bytes->bytes codecs) have no exact size;
// this bound keeps a hostile stream from allocating without limit while
// leaving room for filters that widen data (astype, delta to int64).
size_t IntermediateBound(uint64_t decoded_bytes) {
  return CheckedAdd(CheckedMul(decoded_bytes, 8, "decode bound"), 1 << 20, "decode bound");
}

// zarr-python writes numcodecs filters (delta, fixedscaleoffset, astype) into
// v3 metadata as array->array codecs, ahead of "bytes". geobatch implements
// them as bytes->bytes codecs that know their own dtypes; on a little-endian
// host a native array's bytes are what they expect, so this adapter lets
// them stand in the array->array position.
class FilterAsArrayCodec final : public ArrayToArrayCodec {
 public:
  explicit FilterAsArrayCodec(std::shared_ptr<const BytesToBytesCodec> filter)
      : filter_(std::move(filter)) {}

  nlohmann::json ToJson() const override { return filter_->ToJson(); }

  ChunkLayout EncodedLayout(const ChunkLayout& decoded) const override {
    const nlohmann::json config = filter_->ToJson().value("configuration", nlohmann::json::object());
    for (const char* key : {"astype", "encode_dtype"}) {
      if (config.contains(key) && config[key].is_string()) {
        return {DataTypeFromNumpy(config[key].get<std::string>()).dtype, decoded.shape};
      }
    }
    return decoded;
  }

  void Decode(std::span<const std::byte> encoded, const ChunkLayout&,
              std::span<std::byte> out) const override {
    filter_->DecodeInto(encoded, out);
  }

  Buffer Encode(std::span<const std::byte> decoded, const ChunkLayout&) const override {
    return filter_->Encode(decoded);
  }

 private:
  std::shared_ptr<const BytesToBytesCodec> filter_;
};

template <typename T>
std::shared_ptr<const T> Take(AnyCodec codec) {
  auto* held = std::get_if<std::shared_ptr<const T>>(&codec);
  return held ? *held : nullptr;
}

}  // namespace

CodecChain::CodecChain(std::vector<std::shared_ptr<const ArrayToArrayCodec>> array_to_array,
                       std::shared_ptr<const ArrayToBytesCodec> array_to_bytes,
                       std::vector<std::shared_ptr<const BytesToBytesCodec>> bytes_to_bytes,
                       ChunkLayout layout)
    : array_to_array_(std::move(array_to_array)),
      array_to_bytes_(std::move(array_to_bytes)),
      bytes_to_bytes_(std::move(bytes_to_bytes)) {
  layouts_.push_back(std::move(layout));
  for (const auto& codec : array_to_array_) layouts_.push_back(codec->EncodedLayout(layouts_.back()));
}

std::shared_ptr<const CodecChain> CodecChain::FromV3Json(const nlohmann::json& codecs,
                                                         const CodecContext& context) {
  if (!codecs.is_array()) throw InvalidArgumentError("'codecs' must be a list");
  std::vector<std::shared_ptr<const ArrayToArrayCodec>> array_to_array;
  std::shared_ptr<const ArrayToBytesCodec> array_to_bytes;
  std::vector<std::shared_ptr<const BytesToBytesCodec>> bytes_to_bytes;
  CodecContext stage = context;  // the layout entering the next codec
  for (const auto& entry : codecs) {
    std::string name;
    nlohmann::json configuration;
    if (entry.is_string()) {
      name = entry.get<std::string>();
    } else if (entry.is_object() && entry.contains("name") && entry["name"].is_string()) {
      name = entry["name"].get<std::string>();
      if (entry.contains("configuration")) configuration = entry["configuration"];
    } else {
      throw InvalidArgumentError("malformed codec entry " + entry.dump());
    }
    AnyCodec codec = CodecRegistry::Global().CreateV3(name, configuration, stage);
    if (auto a2a = Take<ArrayToArrayCodec>(codec)) {
      if (array_to_bytes) throw InvalidArgumentError("array->array codec '" + name + "' after the array->bytes codec");
      stage.layout = a2a->EncodedLayout(stage.layout);
      array_to_array.push_back(std::move(a2a));
    } else if (auto a2b = Take<ArrayToBytesCodec>(codec)) {
      if (array_to_bytes) throw InvalidArgumentError("more than one array->bytes codec");
      array_to_bytes = std::move(a2b);
    } else if (!array_to_bytes && name.starts_with("numcodecs.")) {
      auto filter = std::make_shared<FilterAsArrayCodec>(Take<BytesToBytesCodec>(std::move(codec)));
      stage.layout = filter->EncodedLayout(stage.layout);
      array_to_array.push_back(std::move(filter));
    } else {
      if (!array_to_bytes) throw InvalidArgumentError("bytes->bytes codec '" + name + "' before the array->bytes codec");
      bytes_to_bytes.push_back(Take<BytesToBytesCodec>(std::move(codec)));
    }
  }
  if (!array_to_bytes) throw InvalidArgumentError("'codecs' has no array->bytes codec");
  return std::make_shared<CodecChain>(std::move(array_to_array), std::move(array_to_bytes),
                                      std::move(bytes_to_bytes), context.layout);
}

void CodecChain::Decode(std::span<const std::byte> encoded, std::span<std::byte> out) const {
  const ChunkLayout& array_layout = layouts_.back();
  const uint64_t array_bytes = array_layout.num_bytes();
  if (out.size() != layout().num_bytes()) {
    throw InternalError("decode buffer has " + std::to_string(out.size()) + " bytes, expected " +
                        std::to_string(layout().num_bytes()));
  }
  // Stage 1: undo the bytes->bytes codecs. The last one writes straight into
  // `out` when nothing after it changes the bytes.
  const bool direct = array_to_array_.empty() && array_to_bytes_->IsIdentity(array_layout);
  Buffer owned;
  std::span<const std::byte> bytes = encoded;
  for (size_t i = bytes_to_bytes_.size(); i-- > 0;) {
    if (i == 0 && direct) {
      bytes_to_bytes_[0]->DecodeInto(bytes, out);
      return;
    }
    owned = bytes_to_bytes_[i]->Decode(bytes, IntermediateBound(array_bytes));
    bytes = owned.span();
  }
  // Stage 2: bytes to an array, then undo the array->array codecs.
  if (array_to_array_.empty()) {
    array_to_bytes_->Decode(bytes, array_layout, out);
    return;
  }
  Buffer array(array_bytes);
  array_to_bytes_->Decode(bytes, array_layout, array.span());
  for (size_t i = array_to_array_.size(); i-- > 0;) {
    if (i == 0) {
      array_to_array_[0]->Decode(array.span(), layouts_[0], out);
    } else {
      Buffer next(layouts_[i].num_bytes());
      array_to_array_[i]->Decode(array.span(), layouts_[i], next.span());
      array = std::move(next);
    }
  }
}

Buffer CodecChain::Encode(std::span<const std::byte> decoded) const {
  Buffer array;
  std::span<const std::byte> current = decoded;
  for (size_t i = 0; i < array_to_array_.size(); ++i) {
    array = array_to_array_[i]->Encode(current, layouts_[i]);
    current = array.span();
  }
  Buffer bytes = array_to_bytes_->Encode(current, layouts_.back());
  for (const auto& codec : bytes_to_bytes_) bytes = codec->Encode(bytes.span());
  return bytes;
}

nlohmann::json CodecChain::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& codec : array_to_array_) out.push_back(codec->ToJson());
  out.push_back(array_to_bytes_->ToJson());
  for (const auto& codec : bytes_to_bytes_) out.push_back(codec->ToJson());
  return out;
}

bool CodecChain::stores_decoded_bytes() const {
  return array_to_array_.empty() && bytes_to_bytes_.empty() && array_to_bytes_->IsIdentity(layouts_.back());
}

const ShardingCodec* CodecChain::sharding() const {
  if (!array_to_array_.empty() || !bytes_to_bytes_.empty()) return nullptr;
  return dynamic_cast<const ShardingCodec*>(array_to_bytes_.get());
}

}  // namespace geobatch
