#include "geobatch/format/zarr/read_plan.h"

#include <algorithm>

namespace geobatch {

std::vector<CellOverlap> OverlappingCells(std::span<const uint64_t> origin,
                                          std::span<const uint64_t> extent,
                                          std::span<const uint64_t> cell_shape) {
  const size_t rank = origin.size();
  std::vector<CellOverlap> cells;
  for (uint64_t e : extent) {
    if (e == 0) return cells;
  }
  std::vector<uint64_t> first(rank), last(rank);
  for (size_t d = 0; d < rank; ++d) {
    first[d] = origin[d] / cell_shape[d];
    last[d] = (origin[d] + extent[d] - 1) / cell_shape[d];
  }
  std::vector<uint64_t> cell = first;
  for (;;) {
    CellOverlap overlap{cell, std::vector<uint64_t>(rank), std::vector<uint64_t>(rank),
                        std::vector<uint64_t>(rank)};
    for (size_t d = 0; d < rank; ++d) {
      const uint64_t cell_start = cell[d] * cell_shape[d];
      const uint64_t start = std::max(cell_start, origin[d]);
      const uint64_t stop = std::min(cell_start + cell_shape[d], origin[d] + extent[d]);
      overlap.cell_origin[d] = start - cell_start;
      overlap.box_origin[d] = start - origin[d];
      overlap.extent[d] = stop - start;
    }
    cells.push_back(std::move(overlap));
    size_t d = rank;
    while (d > 0) {
      if (++cell[d - 1] <= last[d - 1]) break;
      cell[d - 1] = first[d - 1];
      --d;
    }
    if (d == 0) return cells;
  }
}

bool CoversWholeCell(const CellOverlap& overlap, std::span<const uint64_t> cell_shape) {
  for (size_t d = 0; d < cell_shape.size(); ++d) {
    if (overlap.extent[d] != cell_shape[d]) return false;
  }
  return true;
}

bool CoversContiguousRun(const CellOverlap& overlap, std::span<const uint64_t> cell_shape,
                         std::span<const uint64_t> box_extent) {
  if (!CoversWholeCell(overlap, cell_shape)) return false;
  const size_t rank = cell_shape.size();
  // Contiguous when, past the first dim with extent > 1, the cell spans the box.
  size_t d = 0;
  while (d < rank && overlap.extent[d] == 1) ++d;
  for (++d; d < rank; ++d) {
    if (overlap.extent[d] != box_extent[d]) return false;
  }
  return true;
}

uint64_t ByteOffset(std::span<const uint64_t> origin, std::span<const uint64_t> shape,
                    size_t elem_size) {
  uint64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d) offset = offset * shape[d] + origin[d];
  return offset * elem_size;
}

}  // namespace geobatch
