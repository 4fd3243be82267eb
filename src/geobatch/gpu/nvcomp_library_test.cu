#include "geobatch/gpu/nvcomp_library.h"

#include <gtest/gtest.h>

namespace geobatch::gpu {
namespace {

TEST(NvcompLibraryTest, LoadsOrSaysWhyNot) {
  const NvcompLibrary* nvcomp = NvcompLibrary::Get();
  if (nvcomp) {
    EXPECT_TRUE(NvcompLibrary::LoadError().empty());
    EXPECT_GE(nvcomp->version(), 5000u);
    for (NvcompCodec codec : {NvcompCodec::kZstd, NvcompCodec::kLz4, NvcompCodec::kDeflate, NvcompCodec::kGzip}) {
      EXPECT_NE(nvcomp->decompressor(codec).decompress, nullptr) << NvcompCodecName(codec);
    }
  } else {
    EXPECT_NE(NvcompLibrary::LoadError().find("GEOBATCH_NVCOMP_LIBRARY"), std::string::npos)
        << NvcompLibrary::LoadError();
  }
}

}  // namespace
}  // namespace geobatch::gpu
