// For tests that need a GPU: they skip, saying why, where none is usable;
// and a blocking device-to-host read-back for checking results.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "geobatch/gpu/device.h"

#define GEOBATCH_REQUIRE_GPU()                                                      \
  do {                                                                              \
    if (::geobatch::gpu::DeviceCount() == 0) {                                      \
      GTEST_SKIP() << "no CUDA device: " << ::geobatch::gpu::UnavailableReason(); \
    }                                                                               \
  } while (0)

namespace geobatch::gpu {

// `bytes` bytes of device memory at `data`, after the whole device is idle.
std::vector<std::byte> CopyToHost(const void* data, size_t bytes);

}  // namespace geobatch::gpu
