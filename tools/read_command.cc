// `geobatch read`: writes a region of an array as a .npy file.
#include <charconv>

#include "commands.h"
#include "geobatch/format/zarr/hierarchy.h"
#include "geobatch/store/store_registry.h"
#include "geobatch/util/checked_math.h"
#include "geobatch/util/error.h"
#include "npy_writer.h"

namespace geobatch::cli {
namespace {

uint64_t ParseIndex(std::string_view text, const std::string& region) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw InvalidArgumentError("malformed --region '" + region + "': expected start:stop per dimension");
  }
  return value;
}

// "0:10,5:20" -> origin and extent; an empty part or ":" means the whole dimension.
void ParseRegion(const std::string& region, const std::vector<uint64_t>& shape,
                 std::vector<uint64_t>& origin, std::vector<uint64_t>& extent) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t comma = region.find(',', start);
    parts.push_back(std::string_view(region).substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts.size() != shape.size()) {
    throw InvalidArgumentError("--region has " + std::to_string(parts.size()) +
                               " dimensions; the array has " + std::to_string(shape.size()));
  }
  for (size_t d = 0; d < shape.size(); ++d) {
    const size_t colon = parts[d].find(':');
    uint64_t lo = 0, hi = shape[d];
    if (colon == std::string_view::npos) {
      if (!parts[d].empty()) {
        lo = ParseIndex(parts[d], region);
        hi = lo + 1;
      }
    } else {
      if (colon > 0) lo = ParseIndex(parts[d].substr(0, colon), region);
      if (colon + 1 < parts[d].size()) hi = ParseIndex(parts[d].substr(colon + 1), region);
    }
    if (lo > hi || hi > shape[d]) {
      throw InvalidArgumentError("--region " + std::string(parts[d]) + " is outside dimension " +
                                 std::to_string(d) + " of size " + std::to_string(shape[d]));
    }
    origin[d] = lo;
    extent[d] = hi - lo;
  }
}

}  // namespace

int ReadCommand(const std::vector<std::string>& args) {
  const ParsedArgs parsed = ParseArgs(args, {"--force"}, {"--array", "--region", "--out"});
  if (parsed.positional.size() != 1) throw InvalidArgumentError("read takes exactly one URL");
  const std::string* out_path = parsed.Get("--out");
  if (!out_path) throw InvalidArgumentError("read needs --out FILE.npy");
  const std::string* array_path = parsed.Get("--array");
  const ZarrNode node = OpenZarrNode(OpenStore(parsed.positional[0]), array_path ? *array_path : "");
  if (!node.array) throw InvalidArgumentError("'" + (array_path ? *array_path : "") + "' is a group; pass --array");
  const ArrayMetadata& meta = node.array->metadata();
  std::vector<uint64_t> origin(meta.shape.size(), 0), extent = meta.shape;
  if (const std::string* region = parsed.Get("--region")) ParseRegion(*region, meta.shape, origin, extent);
  Buffer data(CheckedMul(CheckedProduct(extent, "region size"), meta.dtype.size(), "region size"));
  node.array->Read(origin, extent, data.span());
  WriteNpy(*out_path, meta.dtype.numpy_str(), extent, data.span(), parsed.Has("--force"));
  return 0;
}

}  // namespace geobatch::cli
