// NumPy's scalar semantics, as the numcodecs filters (delta, fixedscaleoffset,
// astype) rely on them: the C++ types of the numeric dtypes (float16
// included), astype casts, np.result_type promotion and per-type arithmetic.
// https://numpy.org/doc/stable/reference/arrays.promotion.html
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

#include "geobatch/array/dtype.h"
#include "geobatch/util/error.h"

namespace geobatch {

// IEEE binary16, the storage of NumPy's float16.
struct Half {
  uint16_t bits = 0;
};
float HalfToFloat(Half h);
// Rounds to nearest even in one step, as npy_double_to_half does (going
// through float would round twice).
Half DoubleToHalf(double v);

template <typename T>
concept NumpyFloat = std::floating_point<T> || std::same_as<T, Half>;

// The C++ types of the numeric DataTypeIds, in DataTypeId order from kInt8.
using NumericTypes = std::tuple<int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t,
                                uint64_t, Half, float, double>;
constexpr size_t kFirstNumericId = static_cast<size_t>(DataTypeId::kInt8);

constexpr bool IsNumeric(DataTypeId id) {
  const size_t index = static_cast<size_t>(id) - kFirstNumericId;
  return static_cast<size_t>(id) >= kFirstNumericId && index < std::tuple_size_v<NumericTypes>;
}

template <DataTypeId id>
using NumericTypeOf = std::tuple_element_t<static_cast<size_t>(id) - kFirstNumericId, NumericTypes>;

namespace numpy_internal {
template <typename T, typename... Ts>
constexpr size_t TypeIndex(const std::tuple<Ts...>*) {
  constexpr bool kMatches[] = {std::is_same_v<T, Ts>...};
  for (size_t i = 0; i < sizeof...(Ts); ++i) {
    if (kMatches[i]) return i;
  }
  return sizeof...(Ts);
}
}  // namespace numpy_internal

template <typename T>
constexpr DataTypeId kNumericTypeId = static_cast<DataTypeId>(
    kFirstNumericId + numpy_internal::TypeIndex<T>(static_cast<const NumericTypes*>(nullptr)));

// Calls fn(std::type_identity<T>{}) with the C++ type T of numeric `id`.
template <typename Fn>
void VisitNumeric(DataTypeId id, Fn&& fn) {
  if (!IsNumeric(id)) throw InternalError("VisitNumeric: not a numeric data type");
  const size_t index = static_cast<size_t>(id) - kFirstNumericId;
  [&]<size_t... I>(std::index_sequence<I...>) {
    // Short-circuits after calling fn for the I that equals `index`.
    (void)((index == I &&
            (fn(std::type_identity<std::tuple_element_t<I, NumericTypes>>{}), true)) ||
           ...);
  }
  (std::make_index_sequence<std::tuple_size_v<NumericTypes>>());
}

// np.result_type of two numeric dtypes: the smallest type that holds both
// (a signed/unsigned 64-bit pair and integers with floats go to a float).
constexpr DataTypeId PromoteTypes(DataTypeId a, DataTypeId b) {
  struct Kind {
    char kind;  // 'i', 'u' or 'f'
    size_t size;
  };
  constexpr auto kind_of = [](DataTypeId id) {
    const size_t i = static_cast<size_t>(id) - kFirstNumericId;
    return i < 4   ? Kind{'i', size_t{1} << i}
           : i < 8 ? Kind{'u', size_t{1} << (i - 4)}
                   : Kind{'f', size_t{2} << (i - 8)};
  };
  constexpr auto id_of = [](Kind k) {
    const size_t log2 = static_cast<size_t>(std::countr_zero(k.size));
    const size_t i = k.kind == 'i' ? log2 : k.kind == 'u' ? 4 + log2 : 8 + log2 - 1;
    return static_cast<DataTypeId>(kFirstNumericId + i);
  };
  Kind x = kind_of(a), y = kind_of(b);
  if (x.kind == y.kind) return id_of({x.kind, std::max(x.size, y.size)});
  if (y.kind == 'f') std::swap(x, y);
  if (x.kind == 'f') {
    // The float that holds every integer of the type: 1 byte in float16,
    // 2 bytes in float32, wider in float64.
    const size_t needed = y.size == 1 ? 2 : y.size == 2 ? 4 : 8;
    return id_of({'f', std::max(x.size, needed)});
  }
  if (x.kind == 'u') std::swap(x, y);  // x signed, y unsigned
  if (y.size < x.size) return id_of(x);
  return y.size < 8 ? id_of({'i', y.size * 2}) : DataTypeId::kFloat64;
}

template <typename A, typename B>
using Promoted = NumericTypeOf<PromoteTypes(kNumericTypeId<A>, kNumericTypeId<B>)>;

namespace numpy_internal {

// x86-64's truncating conversion (cvttsd2si): NaN and out-of-range values
// give the "integer indefinite", the type's minimum.
template <typename I>
I TruncateOrIndefinite(double v) {
  constexpr double kLimit = -static_cast<double>(std::numeric_limits<I>::min());
  if (v > -kLimit - 1.0 && v < kLimit) return static_cast<I>(v);
  return std::numeric_limits<I>::min();
}

// A float to integer cast as NumPy compiles it for x86-64: C's truncating
// conversion, whose out-of-range results (undefined in C) follow the
// hardware. Types narrower than 32 bits go through int32; unsigned 32/64-bit
// types subtract 2^(bits-1) from large values first.
template <std::integral To>
To FloatToInt(double v) {
  if constexpr (sizeof(To) < 4 || std::is_same_v<To, int32_t>) {
    return static_cast<To>(TruncateOrIndefinite<int32_t>(v));
  } else if constexpr (std::is_signed_v<To>) {
    return TruncateOrIndefinite<To>(v);
  } else {
    using Signed = std::make_signed_t<To>;
    constexpr double kHalfRange = -static_cast<double>(std::numeric_limits<Signed>::min());
    constexpr To kTopBit = To{1} << (sizeof(To) * 8 - 1);
    if (!(v >= kHalfRange)) return static_cast<To>(TruncateOrIndefinite<Signed>(v));
    return static_cast<To>(TruncateOrIndefinite<Signed>(v - kHalfRange)) ^ kTopBit;
  }
}

}  // namespace numpy_internal

// ndarray.astype for one value: integers wrap, integer and float conversions
// round to nearest, floats truncate toward zero into integers.
template <typename To, typename From>
To NumpyCast(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<From, Half>) {
    return NumpyCast<To>(HalfToFloat(v));
  } else if constexpr (std::is_same_v<To, Half>) {
    return DoubleToHalf(static_cast<double>(v));
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return numpy_internal::FloatToInt<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

// One ufunc loop step in T: integers wrap around, float16 computes in float
// and rounds back after every operation, as NumPy's half loops do.
template <typename T, typename Op>
T NumpyArithmetic(T a, T b, Op op) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(op(static_cast<uint64_t>(a), static_cast<uint64_t>(b)));
  } else if constexpr (std::is_same_v<T, Half>) {
    return DoubleToHalf(op(HalfToFloat(a), HalfToFloat(b)));
  } else {
    return op(a, b);
  }
}

template <typename T>
T NumpyAdd(T a, T b) {
  return NumpyArithmetic(a, b, [](auto x, auto y) { return x + y; });
}
template <typename T>
T NumpySub(T a, T b) {
  return NumpyArithmetic(a, b, [](auto x, auto y) { return x - y; });
}
template <typename T>
T NumpyMul(T a, T b) {
  return NumpyArithmetic(a, b, [](auto x, auto y) { return x * y; });
}
template <NumpyFloat T>
T NumpyDiv(T a, T b) {
  return NumpyArithmetic(a, b, [](auto x, auto y) { return x / y; });
}

// np.around(x) (np.rint): round half to even; integers are unchanged.
template <typename T>
T NumpyRint(T v) {
  if constexpr (std::is_integral_v<T>) {
    return v;
  } else if constexpr (std::is_same_v<T, Half>) {
    return DoubleToHalf(std::nearbyint(HalfToFloat(v)));
  } else {
    return std::nearbyint(v);
  }
}

}  // namespace geobatch
