// Reads byte ranges of local files into GPU memory. Through GPUDirect
// Storage (cuFile) where the driver, the GPU and the filesystem allow it:
// storage DMAs straight into device memory, no host copy. Elsewhere, in
// compatibility mode: pread into a pinned staging buffer and an asynchronous
// copy, in slices so that reading the next overlaps copying the last.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "geobatch/gpu/cuda_handles.h"
#include "geobatch/gpu/pinned_ring.h"

namespace geobatch::gpu {

enum class FileIoMode {
  kAuto,    // GPUDirect Storage when available, else compatibility mode
  kGds,     // GPUDirect Storage, or an UnsupportedError saying why not
  kCompat,  // pinned staging and copies
};

// "auto", "gds", "compat"; anything else is an InvalidArgumentError.
FileIoMode ParseFileIoMode(std::string_view mode);

class GpuFileReader {
 public:
  GpuFileReader(int device, FileIoMode mode);
  ~GpuFileReader();
  GpuFileReader(const GpuFileReader&) = delete;
  GpuFileReader& operator=(const GpuFileReader&) = delete;

  // Reads bytes [offset, offset + length) of the file at `path` into device
  // memory at `dst`; bytes past the end of the file are a CorruptError.
  // Returns once the bytes are on the device.
  void Read(const std::string& path, uint64_t offset, uint64_t length, void* dst);

  bool uses_gds() const { return gds_; }
  // Why compatibility mode is used ("" with GPUDirect Storage).
  const std::string& compat_reason() const { return compat_reason_; }

 private:
  // Reads on the GDS path; false when cuFile refuses this file (then the
  // compatibility path reads it).
  bool ReadDirect(int fd, const std::string& path, uint64_t offset, uint64_t length, void* dst);
  void ReadStaged(int fd, const std::string& path, uint64_t offset, uint64_t length, void* dst);

  const int device_;
  bool gds_ = false;
  std::string compat_reason_;
  std::shared_ptr<PinnedRing> staging_;
  CudaStream stream_ = nullptr;
};

}  // namespace geobatch::gpu
