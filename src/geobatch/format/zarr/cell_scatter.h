// Reading an uncompressed chunk straight into a read's destination: where
// each byte of the stored (C-ordered) cell goes, as pieces for a scattered
// read (Store::GetIntoAsync): the overlap's rows land in the box, the rest of
// the cell (rows outside the read, an edge chunk's padding) in a sink.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "geobatch/array/region_copy.h"
#include "geobatch/format/zarr/read_plan.h"
#include "geobatch/util/buffer.h"

namespace geobatch {

struct CellScatter {
  std::vector<std::span<std::byte>> pieces;  // in the cell's byte order
  std::shared_ptr<Buffer> sink;              // bytes nobody asked for; must outlive the read
};

// The pieces for `overlap` of a cell of `cell_shape` into the box `box`
// (whose origin is ignored: overlap.box_origin places the cell), or nullopt
// when the cell would need more than `max_pieces` pieces (tiny rows).
std::optional<CellScatter> ScatterCell(const CellOverlap& overlap, std::span<const uint64_t> cell_shape,
                                       std::byte* box, std::span<const uint64_t> box_shape, size_t elem_size,
                                       size_t max_pieces = 1 << 16);

}  // namespace geobatch
