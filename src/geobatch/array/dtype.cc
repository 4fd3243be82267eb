#include "geobatch/array/dtype.h"

#include <array>
#include <bit>

#include "geobatch/util/error.h"

static_assert(std::endian::native == std::endian::little, "geobatch assumes a little-endian host");

namespace geobatch {
namespace {

// A plain type (no datetime unit). Not `DataType{id}`: GCC warns about the
// members left to their defaults.
DataType OfId(DataTypeId id) {
  DataType type;
  type.id = id;
  return type;
}

struct TypeInfo {
  DataTypeId id;
  std::string_view name;
  char numpy_kind;  // 'b', 'i', 'u', 'f', 'c'
  size_t size;
};

constexpr std::array<TypeInfo, 14> kTypes = {{
    {DataTypeId::kBool, "bool", 'b', 1},
    {DataTypeId::kInt8, "int8", 'i', 1},
    {DataTypeId::kInt16, "int16", 'i', 2},
    {DataTypeId::kInt32, "int32", 'i', 4},
    {DataTypeId::kInt64, "int64", 'i', 8},
    {DataTypeId::kUInt8, "uint8", 'u', 1},
    {DataTypeId::kUInt16, "uint16", 'u', 2},
    {DataTypeId::kUInt32, "uint32", 'u', 4},
    {DataTypeId::kUInt64, "uint64", 'u', 8},
    {DataTypeId::kFloat16, "float16", 'f', 2},
    {DataTypeId::kFloat32, "float32", 'f', 4},
    {DataTypeId::kFloat64, "float64", 'f', 8},
    {DataTypeId::kComplex64, "complex64", 'c', 8},
    {DataTypeId::kComplex128, "complex128", 'c', 16},
}};

const TypeInfo& Info(DataTypeId id) { return kTypes[static_cast<size_t>(id)]; }

}  // namespace

size_t DataType::size() const { return Info(id).size; }
std::string_view DataType::name() const { return Info(id).name; }
bool DataType::is_float() const { return Info(id).numpy_kind == 'f'; }
bool DataType::is_complex() const { return Info(id).numpy_kind == 'c'; }
bool DataType::is_signed() const { return Info(id).numpy_kind == 'i'; }

std::string DataType::numpy_str() const {
  if (!datetime_unit.empty()) {
    return std::string("<") + (is_timedelta ? "m8[" : "M8[") + datetime_unit + "]";
  }
  const TypeInfo& info = Info(id);
  std::string out(1, info.size == 1 ? '|' : '<');
  out += info.numpy_kind;
  out += std::to_string(info.size);
  return out;
}

DataType DataTypeFromV3Name(std::string_view name) {
  for (const TypeInfo& info : kTypes) {
    if (info.name == name) return OfId(info.id);
  }
  throw UnsupportedError("unsupported data type '" + std::string(name) + "'");
}

NumpyDataType DataTypeFromNumpy(std::string_view str) {
  // Appended rather than `"'" + std::string(str) + "'"`, which trips GCC 12's
  // false -Wrestrict (GCC bug 105651).
  std::string quoted = "'";
  quoted.append(str).append("'");
  if (str.size() < 3) throw UnsupportedError("unsupported NumPy dtype " + quoted);
  Endian endian;
  switch (str[0]) {
    case '<': case '|': endian = Endian::kLittle; break;
    case '>': endian = Endian::kBig; break;
    default: throw UnsupportedError("unsupported NumPy dtype " + quoted);
  }
  const char kind = str[1];
  std::string_view rest = str.substr(2);
  if (kind == 'M' || kind == 'm') {
    // "M8[ns]": 8-byte integers counting `unit`s since the epoch.
    if (rest.size() < 4 || rest[0] != '8' || rest[1] != '[' || rest.back() != ']') {
      throw UnsupportedError("unsupported NumPy dtype " + quoted);
    }
    DataType dtype{DataTypeId::kInt64, std::string(rest.substr(2, rest.size() - 3)),
                   kind == 'm'};
    return {dtype, endian};
  }
  size_t size = 0;
  for (char c : rest) {
    if (c < '0' || c > '9' || size > 64) throw UnsupportedError("unsupported NumPy dtype " + quoted);
    size = size * 10 + static_cast<size_t>(c - '0');
  }
  for (const TypeInfo& info : kTypes) {
    if (info.numpy_kind == kind && info.size == size) return {OfId(info.id), endian};
  }
  throw UnsupportedError("unsupported NumPy dtype " + quoted);
}

}  // namespace geobatch
