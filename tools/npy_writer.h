// Writes arrays as NumPy .npy files (format version 1.0).
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace geobatch::cli {

// Writes to a temporary file beside `path` and renames it into place, so
// an interrupted write never leaves a partial file. Refuses to replace an
// existing file unless `overwrite`.
void WriteNpy(const std::string& path, const std::string& descr, std::span<const uint64_t> shape,
              std::span<const std::byte> data, bool overwrite);

}  // namespace geobatch::cli
