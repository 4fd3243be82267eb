#include "geobatch/format/zarr/cell_scatter.h"

#include <algorithm>

namespace geobatch {

std::optional<CellScatter> ScatterCell(const CellOverlap& overlap, std::span<const uint64_t> cell_shape,
                                       std::byte* box, std::span<const uint64_t> box_shape, size_t elem_size,
                                       size_t max_pieces) {
  if (CoversWholeCell(overlap, cell_shape)) {
    auto pieces = RegionRuns({box, box_shape, overlap.box_origin}, overlap.extent, elem_size);
    if (pieces.size() > max_pieces) return std::nullopt;
    return CellScatter{std::move(pieces), nullptr};
  }
  // Row by row (innermost dim) through the cell, in C order; a null destination marks
  // bytes for the sink, and neighbouring sink pieces merge.
  const size_t rank = cell_shape.size();
  const size_t inner = rank - 1;  // rank >= 1: a 0-d cell is always covered whole
  uint64_t rows = 1;
  for (size_t d = 0; d < inner; ++d) rows *= cell_shape[d];
  if (rows > max_pieces) return std::nullopt;
  struct Planned {
    std::byte* to;  // null: the sink
    uint64_t bytes;
  };
  std::vector<Planned> plan;
  uint64_t largest_skip = 0;
  auto skip = [&](uint64_t bytes) {
    if (bytes == 0) return;
    if (!plan.empty() && plan.back().to == nullptr) {
      plan.back().bytes += bytes;
    } else {
      plan.push_back({nullptr, bytes});
    }
    largest_skip = std::max(largest_skip, plan.back().bytes);
  };
  const uint64_t row_bytes = cell_shape[inner] * elem_size;
  const uint64_t before = overlap.cell_origin[inner] * elem_size, wanted = overlap.extent[inner] * elem_size;
  std::vector<uint64_t> at(rank);
  ForEachRun(cell_shape, inner, [&](const std::vector<uint64_t>& index) {
    bool inside = true;
    for (size_t d = 0; d < inner; ++d) {
      inside = inside && index[d] >= overlap.cell_origin[d] && index[d] - overlap.cell_origin[d] < overlap.extent[d];
    }
    if (!inside) {
      skip(row_bytes);
      return;
    }
    for (size_t d = 0; d < inner; ++d) at[d] = overlap.box_origin[d] + index[d] - overlap.cell_origin[d];
    at[inner] = overlap.box_origin[inner];
    skip(before);
    plan.push_back({box + ByteOffset(at, box_shape, elem_size), wanted});
    skip(row_bytes - before - wanted);
  });
  auto sink = std::make_shared<Buffer>(largest_skip);
  std::vector<std::span<std::byte>> pieces;
  pieces.reserve(plan.size());
  for (const Planned& piece : plan) pieces.emplace_back(piece.to ? piece.to : sink->data(), piece.bytes);
  return CellScatter{std::move(pieces), std::move(sink)};
}

}  // namespace geobatch
