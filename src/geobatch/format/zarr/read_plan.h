// Index arithmetic for reads: which grid cells a box touches and how each
// cell's overlap maps between the cell and the destination box.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace geobatch {

// One grid cell (chunk, shard or inner chunk) overlapping a box.
struct CellOverlap {
  std::vector<uint64_t> cell;         // grid coordinates
  std::vector<uint64_t> cell_origin;  // where the overlap starts inside the cell
  std::vector<uint64_t> box_origin;   // where it starts inside the box
  std::vector<uint64_t> extent;       // its size
};

// Every cell of a grid with `cell_shape` (cells beyond `grid_limit` do not
// exist) that overlaps the box [origin, origin + extent), in C order.
std::vector<CellOverlap> OverlappingCells(std::span<const uint64_t> origin,
                                          std::span<const uint64_t> extent,
                                          std::span<const uint64_t> cell_shape);

// True when the overlap is the whole cell.
bool CoversWholeCell(const CellOverlap& overlap, std::span<const uint64_t> cell_shape);

// True when the cell is covered whole by the overlap and its bytes form one
// contiguous run of the C-ordered box, so it may be decoded in place.
bool CoversContiguousRun(const CellOverlap& overlap, std::span<const uint64_t> cell_shape,
                         std::span<const uint64_t> box_extent);

// Byte offset of `origin` in a C-ordered array of `shape`.
uint64_t ByteOffset(std::span<const uint64_t> origin, std::span<const uint64_t> shape,
                    size_t elem_size);

}  // namespace geobatch
