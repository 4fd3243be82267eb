#include "npy_writer.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "geobatch/util/error.h"

namespace geobatch::cli {

void WriteNpy(const std::string& path, const std::string& descr, std::span<const uint64_t> shape,
              std::span<const std::byte> data, bool overwrite) {
  if (!overwrite && std::filesystem::exists(path)) {
    throw InvalidArgumentError("'" + path + "' exists; pass --force to replace it");
  }
  std::string shape_text = "(";
  for (uint64_t n : shape) shape_text += std::to_string(n) + ", ";
  if (shape.size() > 1) shape_text.resize(shape_text.size() - 2);
  if (shape.size() == 1) shape_text.pop_back();
  shape_text += ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_text + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to 64 bytes.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) throw InvalidArgumentError("array has too many dimensions for .npy");

  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InvalidArgumentError("cannot create '" + tmp + "'");
    const uint16_t length = static_cast<uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    out.put(static_cast<char>(length & 0xff));
    out.put(static_cast<char>(length >> 8));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) {
      std::remove(tmp.c_str());
      throw InvalidArgumentError("cannot write '" + tmp + "'");
    }
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace geobatch::cli
