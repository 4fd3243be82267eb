// libFuzzer target for the Zarr metadata parsers. The input is parsed whole as
// a v3 zarr.json, and split at its first NUL byte into a v2 .zarray and
// .zattrs. Malformed metadata must raise geobatch::Error; any other exception,
// crash or sanitizer report is a bug.
#include <cstdint>
#include <string_view>

#include "geobatch/format/zarr/array_metadata.h"
#include "geobatch/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    geobatch::ParseArrayMetadataV3(text);
  } catch (const geobatch::Error&) {
  }
  const size_t split = text.find('\0');
  const std::string_view zarray = text.substr(0, split);
  const std::string_view zattrs =
      split == std::string_view::npos ? std::string_view("{}") : text.substr(split + 1);
  try {
    geobatch::ParseArrayMetadataV2(zarray, zattrs);
  } catch (const geobatch::Error&) {
  }
  return 0;
}
