// Helpers that keep bytes->bytes decoders within their output bound: size
// checks with uniform messages, a base class for codecs whose decoded size is
// known before decoding, and an output sink for streaming decompressors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "geobatch/codec/codec.h"
#include "geobatch/util/buffer.h"

namespace geobatch {

// CorruptError "<codec>: ..." unless `size` <= `max_size`.
void CheckDecodedSizeBound(std::string_view codec, uint64_t size, size_t max_size);
// CorruptError "<codec>: ..." unless `size` == `expected`.
void CheckDecodedSizeExact(std::string_view codec, uint64_t size, size_t expected);

// A codec whose encoded bytes tell the decoded size up front (a header, or a
// fixed ratio), so Decode can check the bound, allocate exactly once and
// decode in place. Subclasses implement DecodeInto and DecodedSize.
class SizedBytesToBytesCodec : public BytesToBytesCodec {
 public:
  Buffer Decode(std::span<const std::byte> encoded, size_t max_decoded_size) const final;

 protected:
  // The short name used in error messages.
  virtual std::string_view codec_name() const = 0;
  // Throws CorruptError when `encoded` is too damaged to tell.
  virtual uint64_t DecodedSize(std::span<const std::byte> encoded) const = 0;
};

// Where a streaming decompressor writes: the caller's exact-size span, or a
// buffer that grows up to a bound. Both offer one byte beyond the bound, so
// that a stream that is too long is caught when that byte is written, while
// a stream that ends exactly at the bound still reaches its end marker.
class OutputSink {
 public:
  OutputSink(std::string_view codec, std::span<std::byte> out);
  // `size_hint` is the first allocation (clamped to the bound).
  OutputSink(std::string_view codec, size_t max_size, size_t size_hint);

  // Free space after the bytes written so far; never empty.
  std::span<std::byte> Space();
  // Records that `n` bytes of Space() were written; CorruptError past the bound.
  void Commit(size_t n);
  size_t size() const { return written_; }
  // The decoded bytes, for the growing form.
  Buffer TakeBuffer();

 private:
  std::string codec_;
  size_t max_size_;
  std::span<std::byte> storage_;
  Buffer owned_;  // backs storage_ in the growing form
  bool growing_;
  std::byte overflow_probe_[1];
  size_t written_ = 0;
};

}  // namespace geobatch
