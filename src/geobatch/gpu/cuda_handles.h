// CUDA handle types for geobatch's public GPU headers, which stay free of the
// CUDA headers so that code compiled by the host compiler alone (the Python
// bindings) can use them. These are the very types behind cudaStream_t and
// cudaEvent_t, so values pass between the two unchanged.
#pragma once

struct CUstream_st;
struct CUevent_st;

namespace geobatch::gpu {

using CudaStream = CUstream_st*;
using CudaEvent = CUevent_st*;

}  // namespace geobatch::gpu
