// Overflow-checked size arithmetic for sizes that come from untrusted metadata.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "geobatch/util/error.h"

namespace geobatch {

inline uint64_t CheckedMul(uint64_t a, uint64_t b, const char* what) {
  uint64_t out;
  if (__builtin_mul_overflow(a, b, &out)) {
    throw InvalidArgumentError(std::string(what) + " overflows 64 bits");
  }
  return out;
}

inline uint64_t CheckedAdd(uint64_t a, uint64_t b, const char* what) {
  uint64_t out;
  if (__builtin_add_overflow(a, b, &out)) {
    throw InvalidArgumentError(std::string(what) + " overflows 64 bits");
  }
  return out;
}

inline uint64_t CheckedProduct(std::span<const uint64_t> values, const char* what) {
  uint64_t out = 1;
  for (uint64_t v : values) out = CheckedMul(out, v, what);
  return out;
}

}  // namespace geobatch
