// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the
// Zarr v3 "crc32c" codec and of sharding indexes.
// https://zarr-specs.readthedocs.io/en/latest/v3/codecs/crc32c/index.html
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace geobatch {

// The CRC-32C of `data`, continuing from `crc` (the CRC of the preceding
// bytes; 0 to start). Uses the SSE4.2 crc32 instruction where the CPU has it.
uint32_t Crc32c(std::span<const std::byte> data, uint32_t crc = 0);

}  // namespace geobatch
