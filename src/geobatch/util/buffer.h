// An owning, move-only byte buffer whose storage is not zero-initialised, so
// that reads and decoders write into it without paying for a memset first.
// Large buffers come from and go back to BufferPool::Global().
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

#include "geobatch/util/buffer_pool.h"

namespace geobatch {

// Returns a Buffer's storage to the pool it came from.
struct GiveToPool {
  size_t capacity = 0;
  std::shared_ptr<BufferPool> pool;  // null: BufferPool::Global()
  void operator()(std::byte* data) const noexcept { (pool ? *pool : BufferPool::Global()).Give(data, capacity); }
};

class Buffer {
 public:
  Buffer() = default;
  // `size` uninitialised bytes from `pool` (the process-wide one when null),
  // given back to it when the Buffer goes.
  explicit Buffer(size_t size, std::shared_ptr<BufferPool> pool = nullptr) : size_(size) {
    if (size == 0) return;
    size_t capacity = 0;
    std::byte* data = (pool ? *pool : BufferPool::Global()).Take(size, capacity);
    data_ = Storage(data, GiveToPool{capacity, std::move(pool)});
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
  using Storage = std::unique_ptr<std::byte[], GiveToPool>;

  Storage data_;
  size_t size_ = 0;
};

}  // namespace geobatch
