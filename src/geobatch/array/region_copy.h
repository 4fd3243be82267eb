// N-dimensional copies between C-ordered buffers: the one copy a decoded chunk
// makes into a destination region, and fills of missing chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace geobatch {

// A box inside a C-ordered array of `shape`: `origin` and `extent` per dim.
struct RegionView {
  std::byte* data;
  std::span<const uint64_t> shape;
  std::span<const uint64_t> origin;
};
struct ConstRegionView {
  const std::byte* data;
  std::span<const uint64_t> shape;
  std::span<const uint64_t> origin;
};

// Copies the box of size `extent` at src.origin in src to dst.origin in dst.
// All spans have the same rank; elements are `elem_size` bytes.
void CopyRegion(ConstRegionView src, RegionView dst, std::span<const uint64_t> extent,
                size_t elem_size);

// The box of size `extent` at dst.origin as its contiguous byte runs in C
// order (merged where the box spans dst's inner dims): where a C-ordered
// buffer of that box lands when scattered into dst.
std::vector<std::span<std::byte>> RegionRuns(RegionView dst, std::span<const uint64_t> extent,
                                             size_t elem_size);

// Sets every element of the box of size `extent` at dst.origin to `value`
// (`value.size()` is the element size).
void FillRegion(RegionView dst, std::span<const uint64_t> extent, std::span<const std::byte> value);

// Fills `out` with repetitions of `value` (whose size divides out.size()).
void FillBytes(std::span<std::byte> out, std::span<const std::byte> value);

}  // namespace geobatch
