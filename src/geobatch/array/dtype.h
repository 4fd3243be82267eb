// Element data types of the Zarr v3 core spec and their NumPy spellings.
// https://zarr-specs.readthedocs.io/en/latest/v3/data-types/index.html
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace geobatch {

enum class DataTypeId {
  kBool, kInt8, kInt16, kInt32, kInt64, kUInt8, kUInt16, kUInt32, kUInt64,
  kFloat16, kFloat32, kFloat64, kComplex64, kComplex128,
};

enum class Endian { kLittle, kBig };

struct DataType {
  DataTypeId id = DataTypeId::kUInt8;
  // NumPy datetime64/timedelta64 (Zarr v2 only) are read as int64; this keeps
  // "M8[ns]" / "m8[s]" so that the unit is not lost.
  std::string datetime_unit;
  bool is_timedelta = false;

  size_t size() const;
  // The v3 name: "float32", "complex64", "bool", ...
  std::string_view name() const;
  // NumPy type string in native (little) byte order: "<f4", "|b1", "<M8[ns]".
  std::string numpy_str() const;
  bool is_float() const;    // float16/32/64
  bool is_complex() const;  // complex64/128
  bool is_signed() const;   // signed integers
  bool operator==(const DataType&) const = default;
};

// Parses a v3 data type name; throws UnsupportedError for anything else.
DataType DataTypeFromV3Name(std::string_view name);

struct NumpyDataType {
  DataType dtype;
  Endian endian;
};
// Parses a NumPy type string as Zarr v2 stores it ("<f4", ">i8", "|u1",
// "<M8[ns]"); throws UnsupportedError for structured, string or object types.
NumpyDataType DataTypeFromNumpy(std::string_view str);

// Host byte order.
constexpr Endian kNativeEndian = Endian::kLittle;

}  // namespace geobatch
