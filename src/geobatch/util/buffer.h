// An owning, move-only byte buffer whose storage is not zero-initialised, so
// that reads and decoders write into it without paying for a memset first.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

namespace geobatch {

// Asks the kernel to back a large allocation with transparent huge pages (as
// numpy does for its arrays), which makes first touch of a fresh output far
// cheaper; a no-op for small ones and where THP is off.
void AdviseHugePages(std::byte* data, size_t size);

class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t size)
      : data_(size ? std::make_unique_for_overwrite<std::byte[]>(size) : nullptr), size_(size) {
    AdviseHugePages(data_.get(), size_);
  }

  static Buffer CopyOf(std::span<const std::byte> bytes) {
    Buffer buffer(bytes.size());
    if (!bytes.empty()) std::memcpy(buffer.data(), bytes.data(), bytes.size());
    return buffer;
  }

  std::byte* data() { return data_.get(); }
  const std::byte* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  std::span<std::byte> span() { return {data_.get(), size_}; }
  std::span<const std::byte> span() const { return {data_.get(), size_}; }
  operator std::span<const std::byte>() const { return span(); }

  // Forgets bytes past `size`; the allocation is kept.
  void Shrink(size_t size) {
    if (size < size_) size_ = size;
  }

 private:
  std::unique_ptr<std::byte[]> data_;
  size_t size_ = 0;
};

}  // namespace geobatch
