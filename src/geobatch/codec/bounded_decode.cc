#include "geobatch/codec/bounded_decode.h"

#include <algorithm>
#include <cstring>

#include "geobatch/util/error.h"

namespace geobatch {

void CheckDecodedSizeBound(std::string_view codec, uint64_t size, size_t max_size) {
  if (size > max_size) {
    throw CorruptError(std::string(codec) + ": decoded size " + std::to_string(size) +
                       " exceeds the limit of " + std::to_string(max_size) + " bytes");
  }
}

void CheckDecodedSizeExact(std::string_view codec, uint64_t size, size_t expected) {
  if (size != expected) {
    throw CorruptError(std::string(codec) + ": decoded size " + std::to_string(size) +
                       " differs from the expected " + std::to_string(expected) + " bytes");
  }
}

Buffer SizedBytesToBytesCodec::Decode(std::span<const std::byte> encoded,
                                      size_t max_decoded_size) const {
  const uint64_t size = DecodedSize(encoded);
  CheckDecodedSizeBound(codec_name(), size, max_decoded_size);
  Buffer out(size);
  DecodeInto(encoded, out.span());
  return out;
}

OutputSink::OutputSink(std::string_view codec, std::span<std::byte> out)
    : codec_(codec), max_size_(out.size()), storage_(out), growing_(false) {}

OutputSink::OutputSink(std::string_view codec, size_t max_size, size_t size_hint)
    : codec_(codec), max_size_(max_size), growing_(true) {
  constexpr size_t kMinAllocation = 4096;
  owned_ = Buffer(std::min(std::max(size_hint, kMinAllocation), max_size));
  storage_ = owned_.span();
}

std::span<std::byte> OutputSink::Space() {
  if (written_ < storage_.size()) return storage_.subspan(written_);
  if (!growing_ || storage_.size() >= max_size_) return overflow_probe_;
  // Doubling keeps the copying linear in the decoded size.
  const size_t new_size = std::min(max_size_, std::max<size_t>(storage_.size() * 2, 1));
  Buffer grown(new_size);
  if (written_ > 0) std::memcpy(grown.data(), owned_.data(), written_);
  owned_ = std::move(grown);
  storage_ = owned_.span();
  return storage_.subspan(written_);
}

void OutputSink::Commit(size_t n) {
  if (written_ >= storage_.size() && n > 0) {
    throw CorruptError(codec_ + ": decoded data exceeds the limit of " + std::to_string(max_size_) +
                       " bytes");
  }
  written_ += n;
}

Buffer OutputSink::TakeBuffer() {
  owned_.Shrink(written_);
  return std::move(owned_);
}

}  // namespace geobatch
