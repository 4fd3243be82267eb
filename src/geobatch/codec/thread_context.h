// One compression-library context per thread: contexts are costly to create
// (zstd's hold window buffers) and are not safe to share between threads.
#pragma once

#include <memory>

#include "geobatch/util/error.h"

namespace geobatch {

// The calling thread's context made by `Create`, freed by `Free` when the
// thread exits.
template <typename T, auto Create, auto Free>
T* ThreadContext() {
  struct Deleter {
    void operator()(T* context) const { Free(context); }
  };
  thread_local std::unique_ptr<T, Deleter> context(Create());
  if (!context) throw InternalError("out of memory creating a codec context");
  return context.get();
}

}  // namespace geobatch
