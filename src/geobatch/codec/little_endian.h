// Little-endian 32-bit fields of codec framings (crc32c trailer, numcodecs
// lz4 size header, gzip ISIZE). The host is little-endian (see dtype.cc), so
// these are unaligned copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace geobatch {

inline uint32_t LoadLittleEndian32(const std::byte* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void StoreLittleEndian32(std::byte* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }

}  // namespace geobatch
