#include "geobatch/gpu/gpu_file_reader.h"

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/gpu_test_util.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

class GpuFileReaderTest : public ::testing::TestWithParam<FileIoMode> {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("geobatch_gpu_file_" + std::to_string(::getpid()))).string();
    data_.resize((20 << 20) + 123);  // more than two staging slices
    for (size_t i = 0; i < data_.size(); ++i) data_[i] = std::byte(static_cast<uint8_t>(i * 31 + (i >> 12)));
    std::ofstream(path_, std::ios::binary).write(reinterpret_cast<const char*>(data_.data()), data_.size());
  }
  void TearDown() override { std::remove(path_.c_str()); }

  std::string path_;
  std::vector<std::byte> data_;
};

TEST_P(GpuFileReaderTest, ReadsRangesIntoDeviceMemory) {
  GEOBATCH_REQUIRE_GPU();
  GpuFileReader reader(0, GetParam());
  void* device = nullptr;
  GEOBATCH_CUDA(cudaMalloc(&device, data_.size()));
  const uint64_t offset = 4099, length = data_.size() - offset - 17;
  reader.Read(path_, offset, length, device);
  const auto got = CopyToHost(device, length);
  GEOBATCH_CUDA(cudaFree(device));
  EXPECT_TRUE(std::equal(got.begin(), got.end(), data_.begin() + offset));
  EXPECT_THROW(reader.Read(path_, data_.size() - 1, 2, nullptr), Error);
  EXPECT_THROW(reader.Read(path_ + ".missing", 0, 1, nullptr), Error);
}

INSTANTIATE_TEST_SUITE_P(Modes, GpuFileReaderTest, ::testing::Values(FileIoMode::kAuto, FileIoMode::kCompat));

TEST(GpuFileReaderModesTest, ParsesModes) {
  EXPECT_EQ(ParseFileIoMode("auto"), FileIoMode::kAuto);
  EXPECT_EQ(ParseFileIoMode("gds"), FileIoMode::kGds);
  EXPECT_EQ(ParseFileIoMode("compat"), FileIoMode::kCompat);
  EXPECT_THROW(ParseFileIoMode("direct"), Error);
}

}  // namespace
}  // namespace geobatch::gpu
