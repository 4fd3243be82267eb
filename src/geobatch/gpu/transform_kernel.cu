// One kernel for every (source, destination) dtype pair: the dtypes are
// kernel arguments, switched on per element (the branch is uniform across
// a warp), which keeps compile time and binary size to one instantiation.
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <algorithm>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/transform.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

// A loaded element: floats as double (exact for float16/32), integers as
// 64-bit of their signedness.
struct Value {
  enum Kind { kFloat, kSigned, kUnsigned } kind;
  double f;
  int64_t i;
  uint64_t u;
};

__device__ Value Load(const void* src, DataTypeId type, uint64_t k) {
  switch (type) {
    case DataTypeId::kBool: return {Value::kUnsigned, 0, 0, static_cast<const uint8_t*>(src)[k] != 0};
    case DataTypeId::kInt8: return {Value::kSigned, 0, static_cast<const int8_t*>(src)[k], 0};
    case DataTypeId::kInt16: return {Value::kSigned, 0, static_cast<const int16_t*>(src)[k], 0};
    case DataTypeId::kInt32: return {Value::kSigned, 0, static_cast<const int32_t*>(src)[k], 0};
    case DataTypeId::kInt64: return {Value::kSigned, 0, static_cast<const int64_t*>(src)[k], 0};
    case DataTypeId::kUInt8: return {Value::kUnsigned, 0, 0, static_cast<const uint8_t*>(src)[k]};
    case DataTypeId::kUInt16: return {Value::kUnsigned, 0, 0, static_cast<const uint16_t*>(src)[k]};
    case DataTypeId::kUInt32: return {Value::kUnsigned, 0, 0, static_cast<const uint32_t*>(src)[k]};
    case DataTypeId::kUInt64: return {Value::kUnsigned, 0, 0, static_cast<const uint64_t*>(src)[k]};
    case DataTypeId::kFloat16: return {Value::kFloat, __half2float(static_cast<const __half*>(src)[k]), 0, 0};
    case DataTypeId::kFloat32: return {Value::kFloat, static_cast<const float*>(src)[k], 0, 0};
    default: return {Value::kFloat, static_cast<const double*>(src)[k], 0, 0};
  }
}

// Rounds a double to the storage precision of float dtype `type`.
__device__ double RoundTo(DataTypeId type, double x) {
  if (type == DataTypeId::kFloat16) return __half2float(__double2half(x));
  if (type == DataTypeId::kFloat32) return __double2float_rn(x);
  return x;
}

// NumPy's `x op= s` for a floating x: computed in `op_type` (float16 in
// float32, then rounded), stored rounded to x's dtype. `s` is already
// rounded to `op_type`.
__device__ double Apply(bool subtract, DataTypeId x_type, DataTypeId op_type, double x, double s) {
  if (op_type == DataTypeId::kFloat64) return RoundTo(x_type, subtract ? __dsub_rn(x, s) : __dmul_rn(x, s));
  const float a = static_cast<float>(x), b = static_cast<float>(s);
  return RoundTo(x_type, RoundTo(op_type, subtract ? __fsub_rn(a, b) : __fmul_rn(a, b)));
}

// NumPy's unsafe cast of a float to an integer of `bytes` bytes, as x86
// builds do it: through int32 for narrower types, int64 otherwise.
__device__ uint64_t FloatToIntegerBits(double x, DataTypeId type) {
  switch (type) {
    case DataTypeId::kInt64: return static_cast<uint64_t>(static_cast<int64_t>(x));
    case DataTypeId::kUInt64: return static_cast<uint64_t>(x);
    case DataTypeId::kUInt32: return static_cast<uint64_t>(static_cast<int64_t>(x));
    default: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(x)));
  }
}

template <typename T>
__device__ void Put(void* dst, uint64_t k, T value) {
  static_cast<T*>(dst)[k] = value;
}

__device__ void Store(void* dst, DataTypeId type, uint64_t k, const Value& v, DataTypeId src_type) {
  const bool is_float = v.kind == Value::kFloat;
  switch (type) {
    case DataTypeId::kBool:
      Put<uint8_t>(dst, k, is_float ? v.f != 0 : (v.kind == Value::kSigned ? v.i != 0 : v.u != 0));
      return;
    case DataTypeId::kFloat64:
      Put<double>(dst, k, is_float ? v.f : v.kind == Value::kSigned ? __ll2double_rn(v.i) : __ull2double_rn(v.u));
      return;
    case DataTypeId::kFloat32:
      Put<float>(dst, k, is_float ? __double2float_rn(v.f)
                                  : v.kind == Value::kSigned ? __ll2float_rn(v.i) : __ull2float_rn(v.u));
      return;
    case DataTypeId::kFloat16:
      if (is_float && src_type == DataTypeId::kFloat64) {
        Put<__half>(dst, k, __double2half(v.f));
      } else {
        const float x = is_float ? static_cast<float>(v.f)
                                 : v.kind == Value::kSigned ? __ll2float_rn(v.i) : __ull2float_rn(v.u);
        Put<__half>(dst, k, __float2half_rn(x));
      }
      return;
    default:
      break;
  }
  // Integer destinations: two's complement truncation of the 64-bit value.
  const uint64_t bits = is_float ? FloatToIntegerBits(v.f, type)
                                 : v.kind == Value::kSigned ? static_cast<uint64_t>(v.i) : v.u;
  switch (type) {
    case DataTypeId::kInt8: case DataTypeId::kUInt8: Put<uint8_t>(dst, k, static_cast<uint8_t>(bits)); return;
    case DataTypeId::kInt16: case DataTypeId::kUInt16: Put<uint16_t>(dst, k, static_cast<uint16_t>(bits)); return;
    case DataTypeId::kInt32: case DataTypeId::kUInt32: Put<uint32_t>(dst, k, static_cast<uint32_t>(bits)); return;
    default: Put<uint64_t>(dst, k, bits); return;
  }
}

__device__ void StorePad(void* dst, uint64_t k, uint64_t bits, size_t size) {
  switch (size) {
    case 1: Put<uint8_t>(dst, k, static_cast<uint8_t>(bits)); return;
    case 2: Put<uint16_t>(dst, k, static_cast<uint16_t>(bits)); return;
    case 4: Put<uint32_t>(dst, k, static_cast<uint32_t>(bits)); return;
    default: Put<uint64_t>(dst, k, bits); return;
  }
}

__global__ void TransformKernel(const void* src, DataTypeId src_type, void* dst, DataTypeId dst_type,
                                size_t dst_size, uint64_t count, TransformParams p) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t k = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < count; k += stride) {
    if (k >= p.valid) {
      StorePad(dst, k, p.pad_bits, dst_size);
      continue;
    }
    Value v = Load(src, src_type, k);
    if (v.kind == Value::kFloat) {
      if (p.normalize) {
        v.f = Apply(true, src_type, p.subtract_type, v.f, p.mean);
        v.f = Apply(false, src_type, p.multiply_type, v.f, p.inv_std);
      }
      if (p.fill_nan && isnan(v.f)) v.f = RoundTo(src_type, p.fill);
    }
    Store(dst, dst_type, k, v, src_type);
  }
}

}  // namespace

bool TransformSupports(DataTypeId type) {
  return type != DataTypeId::kComplex64 && type != DataTypeId::kComplex128;
}

bool IsIdentity(DataTypeId src, DataTypeId dst, const TransformParams& params, uint64_t count) {
  return src == dst && !params.normalize && !params.fill_nan && params.valid >= count;
}

void LaunchTransform(const void* src, DataTypeId src_type, void* dst, DataTypeId dst_type, uint64_t count,
                     const TransformParams& params, CudaStream stream) {
  if (!TransformSupports(src_type) || !TransformSupports(dst_type)) {
    throw UnsupportedError("GPU transforms handle bool, integer and float dtypes, not complex");
  }
  if (params.normalize && (!TypeOf(src_type).is_float() || !TypeOf(params.subtract_type).is_float() ||
                           !TypeOf(params.multiply_type).is_float())) {
    throw InvalidArgumentError("normalisation needs a floating source and floating operation dtypes");
  }
  if (count == 0) return;
  constexpr int kThreads = 256;
  const uint64_t blocks = std::min<uint64_t>((count + kThreads - 1) / kThreads, 65535 * 8);
  const size_t dst_size = TypeOf(dst_type).size();
  TransformKernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(src, src_type, dst, dst_type, dst_size,
                                                                          count, params);
  GEOBATCH_CUDA(cudaGetLastError());
}

}  // namespace geobatch::gpu
