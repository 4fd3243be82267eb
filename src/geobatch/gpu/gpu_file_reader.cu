#include "geobatch/gpu/gpu_file_reader.h"

#include <cuda_runtime_api.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "geobatch/gpu/cufile_library.h"
#include "geobatch/gpu/cuda_check.h"
#include "geobatch/gpu/device.h"
#include "geobatch/gpu/device_context.h"
#include "geobatch/gpu/event_completion.h"
#include "geobatch/util/error.h"

namespace geobatch::gpu {
namespace {

// Compatibility mode: slices of this size alternate between staging slots.
constexpr uint64_t kSliceBytes = uint64_t{8} << 20;
constexpr size_t kStagingSlots = 2;

class FileDescriptor {
 public:
  FileDescriptor(const std::string& path, int flags) : fd_(open(path.c_str(), flags | O_CLOEXEC)) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Error OpenError(const std::string& path) {
  const std::string message = "cannot open '" + path + "': " + std::strerror(errno);
  return errno == ENOENT ? NotFoundError(message) : errno == EACCES ? PermissionError(message)
                                                                     : TransientError(message);
}

}  // namespace

FileIoMode ParseFileIoMode(std::string_view mode) {
  if (mode == "auto") return FileIoMode::kAuto;
  if (mode == "gds") return FileIoMode::kGds;
  if (mode == "compat") return FileIoMode::kCompat;
  throw InvalidArgumentError("io must be \"auto\", \"gds\" or \"compat\", got \"" + std::string(mode) + "\"");
}

GpuFileReader::GpuFileReader(int device, FileIoMode mode) : device_(device) {
  DeviceContext::Get(device);  // a clear error first when the device is unusable
  staging_ = PinnedRing::Create(device, kStagingSlots);
  if (mode == FileIoMode::kCompat) {
    compat_reason_ = "io=\"compat\" asked for";
  } else if (!CuFileLibrary::Get()) {
    compat_reason_ = CuFileLibrary::LoadError();
  } else {
    gds_ = true;
  }
  if (!gds_ && mode == FileIoMode::kGds) throw UnsupportedError("GPUDirect Storage is unavailable: " + compat_reason_);
  DeviceScope scope(device);
  GEOBATCH_CUDA(cudaStreamCreateWithFlags(reinterpret_cast<cudaStream_t*>(&stream_), cudaStreamNonBlocking));
}

GpuFileReader::~GpuFileReader() {
  DeviceScope scope(device_);
  cudaStreamSynchronize(stream_);
  cudaStreamDestroy(stream_);
}

void GpuFileReader::Read(const std::string& path, uint64_t offset, uint64_t length, void* dst) {
  FileDescriptor file(path, O_RDONLY);
  if (file.get() < 0) throw OpenError(path);
  struct stat info = {};
  if (fstat(file.get(), &info) != 0) throw OpenError(path);
  const auto size = static_cast<uint64_t>(info.st_size);
  if (offset > size || length > size - offset) {
    throw CorruptError("'" + path + "' has " + std::to_string(size) + " bytes; asked for " +
                       std::to_string(length) + " at " + std::to_string(offset));
  }
  if (length == 0) return;
  if (gds_) {
    // GPUDirect needs O_DIRECT; a filesystem without it reads staged.
    FileDescriptor direct(path, O_RDONLY | O_DIRECT);
    if (direct.get() >= 0 && ReadDirect(direct.get(), path, offset, length, dst)) return;
  }
  ReadStaged(file.get(), path, offset, length, dst);
}

bool GpuFileReader::ReadDirect(int fd, const std::string& path, uint64_t offset, uint64_t length, void* dst) {
  const CuFileLibrary* cufile = CuFileLibrary::Get();
  DeviceScope scope(device_);
  CuFileDescriptor descriptor;
  descriptor.handle.fd = fd;
  void* handle = nullptr;
  if (cufile->handle_register(&handle, &descriptor).err != 0) return false;
  uint64_t done = 0;
  while (done < length) {
    const ssize_t n = cufile->read(handle, dst, length - done, static_cast<off_t>(offset + done),
                                   static_cast<off_t>(done));
    if (n <= 0) {
      cufile->handle_deregister(handle);
      throw TransientError("cuFileRead of '" + path + "' failed (" + std::to_string(n) + ")");
    }
    done += static_cast<uint64_t>(n);
  }
  cufile->handle_deregister(handle);
  return true;
}

void GpuFileReader::ReadStaged(int fd, const std::string& path, uint64_t offset, uint64_t length, void* dst) {
  DeviceScope scope(device_);
  for (uint64_t done = 0; done < length;) {
    const uint64_t slice = std::min(kSliceBytes, length - done);
    PinnedLease block = staging_->Acquire(slice);  // waits for the copy that last used this slot
    for (uint64_t got = 0; got < slice;) {
      const ssize_t n = pread(fd, block->data() + got, slice - got, static_cast<off_t>(offset + done + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw TransientError("reading '" + path + "' failed: " + (n < 0 ? std::strerror(errno) : "EOF"));
      got += static_cast<uint64_t>(n);
    }
    GEOBATCH_CUDA(cudaMemcpyAsync(static_cast<std::byte*>(dst) + done, block->data(), slice,
                                  cudaMemcpyHostToDevice, stream_));
    block->AddUse(std::make_shared<EventCompletion>(stream_));
    done += slice;
  }
  GEOBATCH_CUDA(cudaStreamSynchronize(stream_));
}

}  // namespace geobatch::gpu
