// cuFile (GPUDirect Storage), loaded at run time (dlopen) so that building
// needs no cuFile and machines without it read through pinned staging
// instead. The entry points used are declared here from cuFile's documented
// C API (cufile.h). The library comes from $GEOBATCH_CUFILE_LIBRARY (a path),
// else libcufile.so.0 on the loader's search path.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace geobatch::gpu {

struct CuFileError {
  int err = 0;     // CUfileOpError; 0 is success
  int cu_err = 0;  // CUresult
};

struct CuFileDescriptor {
  int type = 1;  // CU_FILE_HANDLE_TYPE_OPAQUE_FD
  union {
    int fd;
    void* handle;
  } handle = {};
  const void* fs_ops = nullptr;
};

class CuFileLibrary {
 public:
  // The process's cuFile with its driver opened, or null; LoadError() says why.
  static const CuFileLibrary* Get();
  static std::string LoadError();

  CuFileError (*handle_register)(void** handle, CuFileDescriptor* descriptor) = nullptr;
  void (*handle_deregister)(void* handle) = nullptr;
  ssize_t (*read)(void* handle, void* device_base, size_t size, off_t file_offset, off_t device_offset) = nullptr;

 private:
  CuFileLibrary() = default;
};

}  // namespace geobatch::gpu
