#include "geobatch/gpu/host_to_device.h"

#include <cuda_fp16.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/gpu_test_util.h"

namespace geobatch::gpu {
namespace {

template <typename T>
std::vector<T> Download(const DeviceBuffer& buffer) {
  const auto bytes = CopyToHost(buffer.data(), buffer.bytes());
  std::vector<T> out(bytes.size() / sizeof(T));
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

template <typename T>
PinnedLease Stage(PinnedRing& ring, const std::vector<T>& values) {
  PinnedLease lease = ring.Acquire(values.size() * sizeof(T));
  std::memcpy(lease->data(), values.data(), values.size() * sizeof(T));
  return lease;
}

TEST(HostToDeviceTest, CopiesPinnedAndPageableMemory) {
  GEOBATCH_REQUIRE_GPU();
  auto ring = PinnedRing::Create(0, 2);
  std::vector<uint32_t> values(100000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(i * 2654435761u);
  PinnedLease lease = Stage(*ring, values);
  auto pinned = DeliverToDevice({lease->data(), lease}, values.size(), DataTypeId::kUInt32, DataTypeId::kUInt32,
                                {}, 0);
  auto pageable = DeliverToDevice({values.data(), nullptr}, values.size(), DataTypeId::kUInt32,
                                  DataTypeId::kUInt32, {}, 0);
  EXPECT_EQ(Download<uint32_t>(*pinned), values);
  EXPECT_EQ(Download<uint32_t>(*pageable), values);
}

TEST(HostToDeviceTest, StagingSlotIsKeptUntilTheCopyHasReadIt) {
  GEOBATCH_REQUIRE_GPU();
  auto ring = PinnedRing::Create(0, 1);
  std::vector<float> values(1 << 20, 1.5f);
  std::shared_ptr<DeviceBuffer> out;
  {
    PinnedLease lease = Stage(*ring, values);
    out = DeliverToDevice({lease->data(), lease}, values.size(), DataTypeId::kFloat32, DataTypeId::kFloat32, {}, 0);
  }
  // The only slot is reused at once; Acquire waited for the copy first.
  PinnedLease next = ring->Acquire(values.size() * sizeof(float));
  std::memset(next->data(), 0, values.size() * sizeof(float));
  EXPECT_EQ(Download<float>(*out), values);
}

TEST(HostToDeviceTest, HandsTheBufferToAConsumerStream) {
  GEOBATCH_REQUIRE_GPU();
  std::vector<int64_t> values(1 << 18);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i) - 5;
  auto out = DeliverToDevice({values.data(), nullptr}, values.size(), DataTypeId::kInt64, DataTypeId::kInt64, {},
                             0);
  cudaStream_t consumer = nullptr;
  GEOBATCH_CUDA(cudaStreamCreateWithFlags(&consumer, cudaStreamNonBlocking));
  out->HandTo(consumer);
  std::vector<int64_t> host(values.size());
  GEOBATCH_CUDA(cudaMemcpyAsync(host.data(), out->data(), out->bytes(), cudaMemcpyDeviceToHost, consumer));
  GEOBATCH_CUDA(cudaStreamSynchronize(consumer));
  out->ConsumerDone(consumer);
  out.reset();  // freed once the consumer's event has passed
  GEOBATCH_CUDA(cudaStreamDestroy(consumer));
  EXPECT_EQ(host, values);
}

TEST(HostToDeviceTest, NormalizesFillsAndCastsLikeNumpy) {
  GEOBATCH_REQUIRE_GPU();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> values = {1.0f, -2.5f, nan, 1e30f, 0.1f, 3.0f};
  TransformParams params;
  params.normalize = true;
  params.mean = static_cast<float>(0.3);  // a Python float: NumPy computes in float32
  params.inv_std = static_cast<float>(1.0 / 0.7);
  params.subtract_type = DataTypeId::kFloat32;
  params.multiply_type = DataTypeId::kFloat32;
  params.fill_nan = true;
  params.fill = -1.0;
  params.valid = 5;
  const uint16_t pad = 0x7e00;  // float16 NaN
  params.pad_bits = pad;
  auto out = DeliverToDevice({values.data(), nullptr}, values.size(), DataTypeId::kFloat32, DataTypeId::kFloat16,
                             params, 0);
  const auto got = Download<uint16_t>(*out);
  for (size_t i = 0; i < 5; ++i) {
    float x = values[i];
    if (!std::isnan(x)) x = (x - static_cast<float>(params.mean)) * static_cast<float>(params.inv_std);
    if (std::isnan(x)) x = -1.0f;
    const __half expected = __float2half_rn(x);
    uint16_t bits;
    std::memcpy(&bits, &expected, 2);
    EXPECT_EQ(got[i], bits) << i;
  }
  EXPECT_EQ(got[5], pad);
}

TEST(HostToDeviceTest, IntegerCastsWrapLikeNumpy) {
  GEOBATCH_REQUIRE_GPU();
  const std::vector<int32_t> values = {-1, 300, 65535, std::numeric_limits<int32_t>::min()};
  auto out = DeliverToDevice({values.data(), nullptr}, values.size(), DataTypeId::kInt32, DataTypeId::kUInt8, {}, 0);
  EXPECT_EQ(Download<uint8_t>(*out), (std::vector<uint8_t>{255, 44, 255, 0}));
  auto as_float = DeliverToDevice({values.data(), nullptr}, values.size(), DataTypeId::kInt32,
                                  DataTypeId::kFloat64, {}, 0);
  EXPECT_EQ(Download<double>(*as_float), (std::vector<double>{-1, 300, 65535, -2147483648.0}));
}

}  // namespace
}  // namespace geobatch::gpu
