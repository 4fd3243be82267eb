#include "geobatch/format/zarr/fill_value.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "geobatch/codec/numpy_cast.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

Error BadFill(const nlohmann::json& value, const DataType& dtype) {
  return InvalidArgumentError("fill value " + value.dump() + " is not valid for data type " +
                              std::string(dtype.name()));
}

template <typename T>
std::vector<std::byte> BytesOf(T value) {
  std::vector<std::byte> out(sizeof(T));
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

// "0x7fc00000" -> the integer whose bytes are the element (big-endian text).
std::vector<std::byte> ParseHexBits(const std::string& text, size_t size, const nlohmann::json& value,
                                    const DataType& dtype) {
  if (text.size() != 2 + 2 * size) throw BadFill(value, dtype);
  uint64_t bits = 0;
  for (size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else throw BadFill(value, dtype);
    bits = (bits << 4) | static_cast<uint64_t>(digit);
  }
  std::vector<std::byte> out(size);
  std::memcpy(out.data(), &bits, size);  // little-endian host: low bytes first
  return out;
}

double ParseFloat(const nlohmann::json& value, const DataType& dtype) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  throw BadFill(value, dtype);
}

// One float component of `size` bytes (2, 4 or 8).
std::vector<std::byte> FloatBytes(const nlohmann::json& value, size_t size, const DataType& dtype) {
  if (value.is_string() && value.get<std::string>().starts_with("0x")) {
    return ParseHexBits(value.get<std::string>(), size, value, dtype);
  }
  const double v = ParseFloat(value, dtype);
  if (size == 2) return BytesOf(DoubleToHalf(v).bits);
  if (size == 4) return BytesOf(static_cast<float>(v));
  return BytesOf(v);
}

template <typename T>
std::vector<std::byte> IntegerBytes(const nlohmann::json& value, const DataType& dtype) {
  if (value.is_number_integer()) {
    // JSON text parses non-negative integers as unsigned; C++ literals do not.
    if (!value.is_number_unsigned() && value.get<int64_t>() < 0) {
      const int64_t v = value.get<int64_t>();
      if (!std::is_signed_v<T> || v < static_cast<int64_t>(std::numeric_limits<T>::min())) {
        throw BadFill(value, dtype);
      }
      return BytesOf(static_cast<T>(v));
    }
    const uint64_t v = value.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) throw BadFill(value, dtype);
    return BytesOf(static_cast<T>(v));
  }
  // zarr-python v2 writes integral floats (e.g. 0.0) for integer arrays.
  if (value.is_number_float()) {
    const double v = value.get<double>();
    // T's range is [min, 2^digits); 2^digits itself is exact as a double
    // while max() is not.
    const double limit = std::ldexp(1.0, std::numeric_limits<T>::digits);
    if (v != std::floor(v) || v < static_cast<double>(std::numeric_limits<T>::min()) || v >= limit) {
      throw BadFill(value, dtype);
    }
    return BytesOf(static_cast<T>(v));
  }
  if (value.is_string() && value.get<std::string>().starts_with("0x")) {
    return ParseHexBits(value.get<std::string>(), sizeof(T), value, dtype);
  }
  throw BadFill(value, dtype);
}

}  // namespace

std::vector<std::byte> ParseFillValue(const nlohmann::json& value, const DataType& dtype) {
  if (value.is_null()) return std::vector<std::byte>(dtype.size(), std::byte{0});
  switch (dtype.id) {
    case DataTypeId::kBool:
      if (value.is_boolean()) return {std::byte{value.get<bool>() ? uint8_t{1} : uint8_t{0}}};
      if (value.is_number_integer() && (value == 0 || value == 1)) return {std::byte{value.get<uint8_t>()}};
      throw BadFill(value, dtype);
    case DataTypeId::kInt8: return IntegerBytes<int8_t>(value, dtype);
    case DataTypeId::kInt16: return IntegerBytes<int16_t>(value, dtype);
    case DataTypeId::kInt32: return IntegerBytes<int32_t>(value, dtype);
    case DataTypeId::kInt64: return IntegerBytes<int64_t>(value, dtype);
    case DataTypeId::kUInt8: return IntegerBytes<uint8_t>(value, dtype);
    case DataTypeId::kUInt16: return IntegerBytes<uint16_t>(value, dtype);
    case DataTypeId::kUInt32: return IntegerBytes<uint32_t>(value, dtype);
    case DataTypeId::kUInt64: return IntegerBytes<uint64_t>(value, dtype);
    case DataTypeId::kFloat16:
    case DataTypeId::kFloat32:
    case DataTypeId::kFloat64: return FloatBytes(value, dtype.size(), dtype);
    case DataTypeId::kComplex64:
    case DataTypeId::kComplex128: {
      const size_t half = dtype.size() / 2;
      if (value.is_array() && value.size() == 2) {
        auto out = FloatBytes(value[0], half, dtype);
        const auto imag = FloatBytes(value[1], half, dtype);
        out.insert(out.end(), imag.begin(), imag.end());
        return out;
      }
      // A bare real number: imaginary part zero.
      auto out = FloatBytes(value, half, dtype);
      out.resize(dtype.size(), std::byte{0});
      return out;
    }
  }
  throw BadFill(value, dtype);
}

}  // namespace geobatch
