// `geobatch scan`: reads arrays whole (or chunk by chunk) and reports the
// decoded throughput — the quickest check of how fast a store reads.
#include <chrono>
#include <cstdio>
#include <functional>

#include "commands.h"
#include "geobatch/format/zarr/hierarchy.h"
#include "geobatch/format/zarr/read_plan.h"
#include "geobatch/store/store_registry.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"

namespace geobatch::cli {
namespace {

void CollectArrays(const ZarrNode& node, std::vector<std::shared_ptr<const ZarrArray>>& out) {
  if (node.array) {
    out.push_back(node.array);
    return;
  }
  for (const std::string& name : node.group->ChildNames()) CollectArrays(node.group->Open(name), out);
}

// Reads `array` whole, or one read-chunk at a time; returns decoded bytes.
uint64_t ScanArray(const ZarrArray& array, bool by_chunk) {
  const ArrayMetadata& meta = array.metadata();
  const size_t elem = meta.dtype.size();
  if (!by_chunk) {
    Buffer out(CheckedMul(CheckedProduct(meta.shape, "array size"), elem, "array size"));
    array.Read(std::vector<uint64_t>(meta.shape.size(), 0), meta.shape, out.span());
    return out.size();
  }
  const std::vector<uint64_t> origin(meta.shape.size(), 0);
  uint64_t total = 0;
  Buffer out;
  for (const CellOverlap& cell : OverlappingCells(origin, meta.shape, array.read_chunk_shape())) {
    const uint64_t bytes = CheckedProduct(cell.extent, "chunk size") * elem;
    if (out.size() < bytes) out = Buffer(bytes);
    array.Read(cell.box_origin, cell.extent, out.span().first(bytes));
    total += bytes;
  }
  return total;
}

}  // namespace

int ScanCommand(const std::vector<std::string>& args) {
  const ParsedArgs parsed = ParseArgs(args, {"--chunks"}, {"--array"});
  if (parsed.positional.size() != 1) throw InvalidArgumentError("scan takes exactly one URL");
  const std::string* array_path = parsed.Get("--array");
  std::vector<std::shared_ptr<const ZarrArray>> arrays;
  CollectArrays(OpenZarrNode(OpenStore(parsed.positional[0]), array_path ? *array_path : ""), arrays);
  const bool by_chunk = parsed.Has("--chunks");
  uint64_t grand_total = 0;
  double grand_seconds = 0;
  for (const auto& array : arrays) {
    const auto start = std::chrono::steady_clock::now();
    const uint64_t bytes = ScanArray(*array, by_chunk);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    grand_total += bytes;
    grand_seconds += seconds;
    std::printf("%-24s %10.1f MB in %7.3f s  %8.1f MB/s\n", array->path().empty() ? "/" : array->path().c_str(),
                bytes / 1e6, seconds, bytes / 1e6 / seconds);
  }
  std::printf("%-24s %10.1f MB in %7.3f s  %8.1f MB/s (%s)\n", "total", grand_total / 1e6, grand_seconds,
              grand_total / 1e6 / grand_seconds, by_chunk ? "chunk by chunk" : "whole arrays");
  return 0;
}

}  // namespace geobatch::cli
