// nvCOMP's batched decompressors, loaded at run time (dlopen) so that
// building geobatch never needs nvCOMP and running without it falls back to
// CPU decoding. The few C entry points used are declared here from nvCOMP's
// documented C API (nvcomp/{zstd,lz4,deflate,gzip}.h, nvCOMP 5 and later).
//
// Where the library comes from: $GEOBATCH_NVCOMP_LIBRARY (a path), else
// libnvcomp.so.6 on the loader's search path. The Python package points the
// variable at the nvidia-libnvcomp-cu13 wheel when it is installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "geobatch/gpu/cuda_handles.h"

namespace geobatch::gpu {

// nvCOMP's batched decompressors geobatch uses.
enum class NvcompCodec { kZstd, kLz4, kDeflate, kGzip };

const char* NvcompCodecName(NvcompCodec codec);

// nvCOMP's options structs for decompression are all 64 bytes with the
// backend first; all zero selects the defaults of every codec.
struct NvcompDecompressOpts {
  int backend = 0;
  char reserved[60] = {};
};
static_assert(sizeof(NvcompDecompressOpts) == 64);

struct NvcompAlignments {
  size_t input = 1;
  size_t output = 1;
  size_t temp = 1;
};

// One codec's entry points (nvcompStatus_t is an int-sized C enum).
struct NvcompDecompressor {
  int (*get_alignments)(NvcompDecompressOpts opts, NvcompAlignments* out) = nullptr;
  int (*get_temp_size)(size_t num_chunks, size_t max_uncompressed_chunk_bytes, NvcompDecompressOpts opts,
                       size_t* temp_bytes, size_t max_total_uncompressed_bytes, CudaStream stream) = nullptr;
  int (*decompress)(const void* const* compressed_ptrs, const size_t* compressed_bytes,
                    const size_t* uncompressed_buffer_bytes, size_t* uncompressed_actual_bytes, size_t num_chunks,
                    void* temp, size_t temp_bytes, void* const* uncompressed_ptrs, NvcompDecompressOpts opts,
                    int* statuses, CudaStream stream) = nullptr;
};

class NvcompLibrary {
 public:
  // The process's nvCOMP, loaded on first call; null when it cannot be
  // loaded, and LoadError() says why.
  static const NvcompLibrary* Get();
  static std::string LoadError();

  const NvcompDecompressor& decompressor(NvcompCodec codec) const { return codecs_[static_cast<int>(codec)]; }
  // nvCOMP's words for a status code.
  std::string StatusString(int status) const;
  // Semantic version (major * 1000 + minor * 100 + patch).
  uint32_t version() const { return version_; }
  const std::string& path() const { return path_; }

 private:
  NvcompLibrary() = default;

  NvcompDecompressor codecs_[4];
  const char* (*status_string_)(int) = nullptr;
  uint32_t version_ = 0;
  std::string path_;
};

}  // namespace geobatch::gpu
