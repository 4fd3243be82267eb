#include "geobatch/array/region_copy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <vector>

namespace geobatch {
namespace {

TEST(RegionCopy, CopiesAnInteriorBoxBetweenDifferentShapes) {
  std::vector<int32_t> src(4 * 5 * 6);
  std::iota(src.begin(), src.end(), 0);
  std::vector<int32_t> dst(3 * 4 * 4, -1);
  const std::vector<uint64_t> src_shape{4, 5, 6}, dst_shape{3, 4, 4};
  const std::vector<uint64_t> src_origin{1, 2, 1}, dst_origin{0, 1, 0}, extent{2, 3, 4};
  CopyRegion({reinterpret_cast<const std::byte*>(src.data()), src_shape, src_origin},
             {reinterpret_cast<std::byte*>(dst.data()), dst_shape, dst_origin}, extent, 4);
  for (uint64_t i = 0; i < 3; ++i) {
    for (uint64_t j = 0; j < 4; ++j) {
      for (uint64_t k = 0; k < 4; ++k) {
        const bool inside = i < 2 && j >= 1 && j < 4 && k < 4;
        const int32_t expected =
            inside ? src[((i + 1) * 5 + (j - 1 + 2)) * 6 + (k + 1)] : -1;
        EXPECT_EQ(dst[(i * 4 + j) * 4 + k], expected) << i << "," << j << "," << k;
      }
    }
  }
}

TEST(RegionCopy, FillsWithMultiByteValues) {
  std::vector<uint16_t> dst(4 * 4, 0);
  const uint16_t value = 0x1234;
  const std::vector<uint64_t> shape{4, 4}, origin{1, 1}, extent{2, 3};
  FillRegion({reinterpret_cast<std::byte*>(dst.data()), shape, origin}, extent,
             std::as_bytes(std::span(&value, 1)));
  int filled = 0;
  for (uint16_t v : dst) filled += v == value;
  EXPECT_EQ(filled, 6);
  EXPECT_EQ(dst[1 * 4 + 1], value);
  EXPECT_EQ(dst[2 * 4 + 3], value);
  EXPECT_EQ(dst[3 * 4 + 1], 0);
}

TEST(RegionCopy, ZeroDimensionalAndEmpty) {
  int64_t src = 42, dst = 0;
  CopyRegion({reinterpret_cast<const std::byte*>(&src), {}, {}},
             {reinterpret_cast<std::byte*>(&dst), {}, {}}, {}, 8);
  EXPECT_EQ(dst, 42);
  const std::vector<uint64_t> shape{0, 3}, origin{0, 0};
  CopyRegion({nullptr, shape, origin}, {nullptr, shape, origin}, shape, 8);  // no access
}

// Scattering a C-ordered box over RegionRuns lands every element where
// CopyRegion from that box puts it.
void ExpectRunsMatchCopy(std::vector<uint64_t> shape, std::vector<uint64_t> origin,
                         std::vector<uint64_t> extent, size_t expected_runs) {
  uint64_t dst_elems = 1, box_elems = 1;
  for (size_t d = 0; d < shape.size(); ++d) dst_elems *= shape[d], box_elems *= extent[d];
  std::vector<int16_t> box(box_elems);
  std::iota(box.begin(), box.end(), 1);
  std::vector<int16_t> copied(dst_elems, 0), scattered(dst_elems, 0);
  const std::vector<uint64_t> zeros(shape.size(), 0);
  CopyRegion({reinterpret_cast<const std::byte*>(box.data()), extent, zeros},
             {reinterpret_cast<std::byte*>(copied.data()), shape, origin}, extent, 2);
  const auto runs = RegionRuns({reinterpret_cast<std::byte*>(scattered.data()), shape, origin}, extent, 2);
  EXPECT_EQ(runs.size(), expected_runs);
  const std::byte* from = reinterpret_cast<const std::byte*>(box.data());
  for (auto run : runs) {
    std::memcpy(run.data(), from, run.size());
    from += run.size();
  }
  EXPECT_EQ(from, reinterpret_cast<const std::byte*>(box.data() + box.size()));
  EXPECT_EQ(scattered, copied);
}

TEST(RegionRuns, ScatterLandsWhereCopyRegionDoes) {
  ExpectRunsMatchCopy({4, 5, 6}, {1, 2, 1}, {2, 3, 4}, 2 * 3);  // a row per (i, j)
  ExpectRunsMatchCopy({4, 5, 6}, {1, 0, 0}, {2, 5, 6}, 1);      // whole planes: one run
  ExpectRunsMatchCopy({4, 5, 6}, {0, 1, 0}, {4, 3, 6}, 4);      // whole rows merge per plane
  ExpectRunsMatchCopy({7}, {2}, {3}, 1);
  ExpectRunsMatchCopy({4, 5, 6}, {0, 0, 0}, {4, 0, 6}, 0);      // empty
}

}  // namespace
}  // namespace geobatch
