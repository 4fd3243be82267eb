#include "geobatch/util/buffer.h"

#include <sys/mman.h>

#include <cstdint>

namespace geobatch {
namespace {
constexpr size_t kHugePageThreshold = size_t{4} << 20;
constexpr uintptr_t kPage = 4096;
}  // namespace

void AdviseHugePages(std::byte* data, size_t size) {
  if (size < kHugePageThreshold) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kPage - 1) & ~(kPage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + size) & ~(kPage - 1);
  // Advice only: failure (e.g. THP compiled out) changes nothing.
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace geobatch
