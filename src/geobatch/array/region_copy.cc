#include "geobatch/array/region_copy.h"

#include <cstring>
#include <vector>

namespace geobatch {
namespace {

// Strides in bytes of a C-ordered array.
std::vector<uint64_t> ByteStrides(std::span<const uint64_t> shape, size_t elem_size) {
  std::vector<uint64_t> strides(shape.size());
  uint64_t stride = elem_size;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

uint64_t Offset(std::span<const uint64_t> origin, const std::vector<uint64_t>& strides) {
  uint64_t offset = 0;
  for (size_t d = 0; d < origin.size(); ++d) offset += origin[d] * strides[d];
  return offset;
}

// Number of trailing dims (from the innermost) over which both the source and
// destination boxes are contiguous, and the byte length of that run.
struct ContiguousRun {
  size_t outer_dims;  // dims left to iterate over
  uint64_t bytes;
};

ContiguousRun FindRun(std::span<const uint64_t> extent, std::span<const uint64_t> a_shape,
                      std::span<const uint64_t> b_shape, size_t elem_size) {
  size_t d = extent.size();
  uint64_t bytes = elem_size;
  while (d > 0) {
    bytes *= extent[d - 1];
    --d;
    // The next outer dim can be merged only when this one spans both arrays.
    if (extent[d] != a_shape[d] || extent[d] != b_shape[d]) break;
  }
  return {d, bytes};
}

}  // namespace

void CopyRegion(ConstRegionView src, RegionView dst, std::span<const uint64_t> extent,
                size_t elem_size) {
  const auto src_strides = ByteStrides(src.shape, elem_size);
  const auto dst_strides = ByteStrides(dst.shape, elem_size);
  const std::byte* src_base = src.data + Offset(src.origin, src_strides);
  std::byte* dst_base = dst.data + Offset(dst.origin, dst_strides);
  const ContiguousRun run = FindRun(extent, src.shape, dst.shape, elem_size);
  if (run.bytes == 0) return;
  if (run.outer_dims == 0) {
    std::memcpy(dst_base, src_base, run.bytes);
    return;
  }
  // The innermost outer dim runs as a tight strided loop: windows of batches
  // are many short rows (e.g. 48 floats), where per-row index arithmetic
  // would cost as much as the copy.
  const size_t inner = run.outer_dims - 1;
  const uint64_t rows = extent[inner], src_step = src_strides[inner], dst_step = dst_strides[inner];
  ForEachRun(extent, inner, [&](const std::vector<uint64_t>& index) {
    const std::byte* from = src_base + Offset(index, src_strides);
    std::byte* to = dst_base + Offset(index, dst_strides);
    for (uint64_t r = 0; r < rows; ++r, from += src_step, to += dst_step) std::memcpy(to, from, run.bytes);
  });
}

std::vector<std::span<std::byte>> RegionRuns(RegionView dst, std::span<const uint64_t> extent,
                                             size_t elem_size) {
  const auto strides = ByteStrides(dst.shape, elem_size);
  std::byte* base = dst.data + Offset(dst.origin, strides);
  const ContiguousRun run = FindRun(extent, extent, dst.shape, elem_size);
  std::vector<std::span<std::byte>> runs;
  if (run.bytes == 0) return runs;
  ForEachRun(extent, run.outer_dims, [&](const std::vector<uint64_t>& index) {
    runs.emplace_back(base + Offset(index, strides), run.bytes);
  });
  return runs;
}

void FillBytes(std::span<std::byte> out, std::span<const std::byte> value) {
  const size_t n = value.size();
  if (out.empty() || n == 0) return;
  bool all_same = true;
  for (size_t i = 1; i < n; ++i) all_same = all_same && value[i] == value[0];
  if (all_same) {
    std::memset(out.data(), static_cast<int>(value[0]), out.size());
    return;
  }
  std::memcpy(out.data(), value.data(), n);
  // Double the filled prefix until the whole span is covered.
  size_t filled = n;
  while (filled < out.size()) {
    const size_t step = std::min(filled, out.size() - filled);
    std::memcpy(out.data() + filled, out.data(), step);
    filled += step;
  }
}

void FillRegion(RegionView dst, std::span<const uint64_t> extent,
                std::span<const std::byte> value) {
  const auto dst_strides = ByteStrides(dst.shape, value.size());
  std::byte* base = dst.data + Offset(dst.origin, dst_strides);
  const ContiguousRun run = FindRun(extent, dst.shape, dst.shape, value.size());
  if (run.bytes == 0) return;
  ForEachRun(extent, run.outer_dims, [&](const std::vector<uint64_t>& index) {
    uint64_t t = 0;
    for (size_t d = 0; d < index.size(); ++d) t += index[d] * dst_strides[d];
    FillBytes({base + t, run.bytes}, value);
  });
}

}  // namespace geobatch
