#include "geobatch/codec/numpy_cast.h"

namespace geobatch {

float HalfToFloat(Half h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000) << 16;
  const uint32_t exponent = (h.bits >> 10) & 0x1F;
  const uint32_t mantissa = h.bits & 0x3FF;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  // Infinities and NaNs keep their payload; 112 rebiases 15 to 127.
  const uint32_t float_exponent = exponent == 0x1F ? 0xFF : exponent + 112;
  return std::bit_cast<float>(sign | (float_exponent << 23) | (mantissa << 13));
}

Half DoubleToHalf(double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  const auto sign = static_cast<uint16_t>((bits >> 48) & 0x8000);
  const uint64_t exponent = (bits >> 52) & 0x7FF;
  const uint64_t mantissa = bits & ((uint64_t{1} << 52) - 1);
  if (exponent == 0x7FF) {
    // A NaN keeps the top of its payload, and must not turn into infinity.
    auto h = static_cast<uint16_t>(0x7C00 | (mantissa >> 42));
    if (mantissa != 0 && h == 0x7C00) ++h;
    return {static_cast<uint16_t>(sign | h)};
  }
  const int e = static_cast<int>(exponent) - 1023;
  if (e > 15) return {static_cast<uint16_t>(sign | 0x7C00)};

  // Truncate to the half's precision, then round half to even using the
  // dropped bits. A carry out of the mantissa correctly bumps the exponent
  // (up to infinity, or from subnormal to normal).
  uint64_t h, dropped;
  int shift;
  if (e >= -14) {
    shift = 42;
    h = (static_cast<uint64_t>(e + 15) << 10) | (mantissa >> shift);
    dropped = mantissa & ((uint64_t{1} << shift) - 1);
  } else {
    // Half subnormals count units of 2^-24; below 2^-25 everything rounds to 0.
    shift = 28 - e;
    if (shift > 53) return {sign};
    const uint64_t significand = mantissa | (uint64_t{1} << 52);
    h = significand >> shift;
    dropped = significand & ((uint64_t{1} << shift) - 1);
  }
  const uint64_t halfway = uint64_t{1} << (shift - 1);
  if (dropped > halfway || (dropped == halfway && (h & 1))) ++h;
  return {static_cast<uint16_t>(sign | h)};
}

}  // namespace geobatch
