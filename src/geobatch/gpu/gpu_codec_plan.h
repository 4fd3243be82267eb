// Which chunks can be decoded on the GPU, and what nvCOMP is given of each.
// A codec chain qualifies when it is an identity `bytes` codec (native byte
// order) followed by at most one compressor nvCOMP reads: zstd, gzip,
// numcodecs zlib (deflate inside a 2-byte header and an Adler-32 trailer) or
// numcodecs lz4 (one LZ4 block behind a 4-byte size). Anything else (blosc,
// filters, transpose, checksums, big-endian data) decodes on the CPU.
// Pure C++: no CUDA.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "geobatch/codec/codec_chain.h"
#include "geobatch/gpu/nvcomp_library.h"

namespace geobatch::gpu {

struct GpuDecodePlan {
  enum class Framing { kNone, kZlib, kNumcodecsLz4 };
  bool compressed = true;  // false: the stored bytes are the decoded chunk
  NvcompCodec codec = NvcompCodec::kZstd;
  Framing framing = Framing::kNone;
};

// The plan for chunks of `chain`, or nullopt with `why_not` set.
std::optional<GpuDecodePlan> PlanGpuDecode(const CodecChain& chain, std::string* why_not = nullptr);

// The bytes of an encoded chunk that nvCOMP decompresses: the chunk less its
// framing, checked (a CorruptError when the framing is malformed or declares
// another size than `decoded_size`). Zlib's Adler-32 is not checked on this
// path.
std::span<const std::byte> NvcompPayload(const GpuDecodePlan& plan, std::span<const std::byte> encoded,
                                         uint64_t decoded_size);

}  // namespace geobatch::gpu
