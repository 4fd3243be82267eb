#include "geobatch/codec/numeric_filter_codec.h"

#include "geobatch/util/error.h"

namespace geobatch {

std::string NumericDtype::str() const {
  std::string out = dtype.numpy_str();
  if (size() > 1 && endian == Endian::kBig) out[0] = '>';
  return out;
}

NumericDtype ParseNumericDtype(const CodecConfig& config, std::string_view key) {
  const std::string str = config.String(key);
  NumpyDataType parsed;
  try {
    parsed = DataTypeFromNumpy(str);
  } catch (const Error&) {
    config.FailField(key, "an integer or float NumPy dtype", str);
  }
  if (!IsNumeric(parsed.dtype.id) || !parsed.dtype.datetime_unit.empty()) {
    config.FailField(key, "an integer or float NumPy dtype", str);
  }
  return {parsed.dtype, parsed.endian};
}

uint64_t NumericFilterCodec::DecodedSize(std::span<const std::byte> encoded) const {
  if (encoded.size() % encoded_type_.size() != 0) {
    throw CorruptError(name_ + ": " + std::to_string(encoded.size()) +
                       " bytes is not a whole number of " + encoded_type_.str() + " elements");
  }
  return encoded.size() / encoded_type_.size() * decoded_type_.size();
}

void NumericFilterCodec::DecodeInto(std::span<const std::byte> encoded,
                                    std::span<std::byte> out) const {
  CheckDecodedSizeExact(name_, DecodedSize(encoded), out.size());
  DecodeElements(encoded.data(), out.data(), encoded.size() / encoded_type_.size());
}

Buffer NumericFilterCodec::Encode(std::span<const std::byte> decoded) const {
  if (decoded.size() % decoded_type_.size() != 0) {
    throw InvalidArgumentError(name_ + ": " + std::to_string(decoded.size()) +
                               " bytes is not a whole number of " + decoded_type_.str() +
                               " elements");
  }
  const size_t count = decoded.size() / decoded_type_.size();
  Buffer out(count * encoded_type_.size());
  EncodeElements(decoded.data(), out.data(), count);
  return out;
}

}  // namespace geobatch
