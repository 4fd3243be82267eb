#include "geobatch/format/zarr/cell_scatter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

namespace geobatch {
namespace {

// Streaming a cell's bytes over ScatterCell's pieces puts into the box
// exactly what CopyRegion of the overlap puts there, and nothing else.
void ExpectScatterMatchesCopy(std::vector<uint64_t> cell_shape, std::vector<uint64_t> box_shape,
                              CellOverlap overlap) {
  uint64_t cell_elems = 1, box_elems = 1;
  for (uint64_t n : cell_shape) cell_elems *= n;
  for (uint64_t n : box_shape) box_elems *= n;
  std::vector<int32_t> cell(cell_elems);
  std::iota(cell.begin(), cell.end(), 1);
  std::vector<int32_t> copied(box_elems, 0), scattered(box_elems, 0);
  CopyRegion({reinterpret_cast<const std::byte*>(cell.data()), cell_shape, overlap.cell_origin},
             {reinterpret_cast<std::byte*>(copied.data()), box_shape, overlap.box_origin}, overlap.extent, 4);
  auto scatter = ScatterCell(overlap, cell_shape, reinterpret_cast<std::byte*>(scattered.data()), box_shape, 4);
  ASSERT_TRUE(scatter.has_value());
  const std::byte* from = reinterpret_cast<const std::byte*>(cell.data());
  for (auto piece : scatter->pieces) {
    std::memcpy(piece.data(), from, piece.size());
    from += piece.size();
  }
  EXPECT_EQ(from, reinterpret_cast<const std::byte*>(cell.data() + cell.size())) << "pieces must cover the cell";
  EXPECT_EQ(scattered, copied);
}

TEST(ScatterCell, WholeCellInsideTheBox) {
  ExpectScatterMatchesCopy({2, 3, 4}, {4, 6, 8}, {{1, 1, 1}, {0, 0, 0}, {2, 3, 4}, {2, 3, 4}});
}

TEST(ScatterCell, EdgeChunkPaddingGoesToTheSink) {
  // The array ends 2 rows and 1 column into the cell.
  ExpectScatterMatchesCopy({3, 4}, {5, 5}, {{1, 1}, {0, 0}, {3, 4}, {2, 1}});
}

TEST(ScatterCell, PartOfACellInTheMiddle) {
  ExpectScatterMatchesCopy({4, 5, 6}, {2, 2, 3}, {{0, 0, 0}, {1, 2, 3}, {0, 0, 0}, {2, 2, 3}});
  ExpectScatterMatchesCopy({8}, {3}, {{0}, {5}, {0}, {3}});
}

TEST(ScatterCell, RefusesCellsOfTooManyTinyRows) {
  std::vector<int32_t> box(4);
  const std::vector<uint64_t> cell_shape{100, 3}, box_shape{2, 2};
  CellOverlap overlap{{0, 0}, {10, 1}, {0, 0}, {2, 2}};
  EXPECT_FALSE(ScatterCell(overlap, cell_shape, reinterpret_cast<std::byte*>(box.data()), box_shape, 4, 50));
  EXPECT_TRUE(ScatterCell(overlap, cell_shape, reinterpret_cast<std::byte*>(box.data()), box_shape, 4, 100));
}

}  // namespace
}  // namespace geobatch
