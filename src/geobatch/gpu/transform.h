// The per-variable transforms a batch gets on the GPU — normalisation, NaN
// fill, cast to the output dtype — with NumPy's arithmetic exactly, so that
// a batch transformed on the GPU equals, bit for bit, the same batch
// transformed on the CPU by geobatch.batching.transforms:
//
//   np.subtract(x, mean, out=x); np.multiply(x, inv_std, out=x)   (in x's dtype)
//   np.nan_to_num(x, nan=fill, posinf=inf, neginf=-inf)
//   np.copyto(out, x, casting="unsafe"); out[valid:] = pad
//
// Each NumPy ufunc computes in the dtype NumPy resolves for (x.dtype, scalar)
// (float64 when the scalar is a NumPy float64, x's dtype for a Python float),
// and rounds the result to x's dtype; float16 arithmetic runs in float32.
// Float-to-integer casts of NaN or out-of-range values are undefined in NumPy
// and may differ.
#pragma once

#include <cstdint>
#include <limits>

#include "geobatch/array/dtype.h"
#include "geobatch/gpu/cuda_handles.h"

namespace geobatch::gpu {

struct TransformParams {
  bool normalize = false;
  double mean = 0;             // already rounded to its operation's dtype
  double inv_std = 1;
  // The dtypes NumPy computes x - mean and x * inv_std in: float16, float32
  // or float64 (np.result_type(x.dtype, scalar)).
  DataTypeId subtract_type = DataTypeId::kFloat64;
  DataTypeId multiply_type = DataTypeId::kFloat64;
  bool fill_nan = false;
  double fill = 0;             // NaN replacement, rounded to x's dtype by the kernel
  uint64_t valid = std::numeric_limits<uint64_t>::max();  // elements past it get `pad`
  uint64_t pad_bits = 0;       // one output element's bytes, little-endian
};

inline DataType TypeOf(DataTypeId id) {
  DataType type;
  type.id = id;
  return type;
}

// Whether the transform kernel handles these dtypes (bool, integers, floats).
bool TransformSupports(DataTypeId type);

// True when the transform is a plain copy (same dtype, nothing to do).
bool IsIdentity(DataTypeId src, DataTypeId dst, const TransformParams& params, uint64_t count);

// Enqueues on `stream`: dst[i] = transform(src[i]) for i < count.
// Normalisation and NaN fill apply to floating `src` only.
void LaunchTransform(const void* src, DataTypeId src_type, void* dst, DataTypeId dst_type, uint64_t count,
                     const TransformParams& params, CudaStream stream);

}  // namespace geobatch::gpu
