#include "geobatch/gpu/cufile_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace geobatch::gpu {
namespace {

struct LoadState {
  std::once_flag once;
  const CuFileLibrary* library = nullptr;
  std::string error;
};

LoadState& State() {
  static auto* state = new LoadState();  // never unloaded
  return *state;
}

}  // namespace

const CuFileLibrary* CuFileLibrary::Get() {
  LoadState& state = State();
  std::call_once(state.once, [&state] {
    const char* configured = std::getenv("GEOBATCH_CUFILE_LIBRARY");
    const std::string path = configured && *configured ? configured : "libcufile.so.0";
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      state.error = "cuFile cannot be loaded (" + std::string(why ? why : path) + ")";
      return;
    }
    auto* library = new CuFileLibrary();
    CuFileError (*driver_open)() = nullptr;
    std::string missing;
    auto bind = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name));
      if (!fn) missing += std::string(missing.empty() ? "" : ", ") + name;
    };
    bind(driver_open, "cuFileDriverOpen");
    bind(library->handle_register, "cuFileHandleRegister");
    bind(library->handle_deregister, "cuFileHandleDeregister");
    bind(library->read, "cuFileRead");
    if (!missing.empty()) {
      state.error = path + " lacks " + missing;
    } else if (const CuFileError opened = driver_open(); opened.err != 0) {
      state.error = "cuFileDriverOpen failed (cuFile error " + std::to_string(opened.err) + ", CUDA error " +
                    std::to_string(opened.cu_err) + ")";
    } else {
      state.library = library;
      return;
    }
    delete library;
    dlclose(handle);
  });
  return state.library;
}

std::string CuFileLibrary::LoadError() { return Get() ? "" : State().error; }

}  // namespace geobatch::gpu
