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

// Calls visit(index) for every index over the first `outer_dims` dims of
// `extent`, in C order (nothing when one of them is 0).
template <typename Visit>
void ForEachRun(std::span<const uint64_t> extent, size_t outer_dims, Visit visit) {
  for (size_t d = 0; d < outer_dims; ++d) {
    if (extent[d] == 0) return;
  }
  std::vector<uint64_t> index(outer_dims, 0);
  for (;;) {
    visit(index);
    size_t d = outer_dims;
    while (d > 0) {
      if (++index[d - 1] < extent[d - 1]) break;
      index[d - 1] = 0;
      --d;
    }
    if (d == 0) return;
  }
}

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
