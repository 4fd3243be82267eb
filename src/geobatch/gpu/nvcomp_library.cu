#include "geobatch/gpu/nvcomp_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace geobatch::gpu {
namespace {

struct LoadState {
  std::once_flag once;
  const NvcompLibrary* library = nullptr;
  std::string error;
};

LoadState& State() {
  static auto* state = new LoadState();  // never unloaded
  return *state;
}

}  // namespace

const char* NvcompCodecName(NvcompCodec codec) {
  switch (codec) {
    case NvcompCodec::kZstd: return "Zstd";
    case NvcompCodec::kLz4: return "LZ4";
    case NvcompCodec::kDeflate: return "Deflate";
    case NvcompCodec::kGzip: return "Gzip";
  }
  return "?";
}

const NvcompLibrary* NvcompLibrary::Get() {
  LoadState& state = State();
  std::call_once(state.once, [&state] {
    const char* configured = std::getenv("GEOBATCH_NVCOMP_LIBRARY");
    const std::string path = configured && *configured ? configured : "libnvcomp.so.6";
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      state.error = "nvCOMP cannot be loaded (" + std::string(why ? why : path) +
                    "); install nvidia-libnvcomp-cu13 or set GEOBATCH_NVCOMP_LIBRARY";
      return;
    }
    auto* library = new NvcompLibrary();
    library->path_ = path;
    std::string missing;
    auto bind = [&](auto& fn, const std::string& name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name.c_str()));
      if (!fn) missing += (missing.empty() ? "" : ", ") + name;
    };
    for (NvcompCodec codec : {NvcompCodec::kZstd, NvcompCodec::kLz4, NvcompCodec::kDeflate, NvcompCodec::kGzip}) {
      const std::string prefix = std::string("nvcompBatched") + NvcompCodecName(codec);
      NvcompDecompressor& d = library->codecs_[static_cast<int>(codec)];
      bind(d.get_alignments, prefix + "DecompressGetRequiredAlignments");
      bind(d.get_temp_size, prefix + "DecompressGetTempSize");
      bind(d.decompress, prefix + "DecompressAsync");
    }
    bind(library->status_string_, "nvcompGetStatusString");
    struct Properties {
      uint32_t version;
      uint32_t cudart_version;
    } properties = {};
    int (*get_properties)(Properties*) = nullptr;
    bind(get_properties, "nvcompGetProperties");
    if (!missing.empty()) {
      state.error = path + " lacks " + missing + " (geobatch needs nvCOMP 5 or later)";
      delete library;
      dlclose(handle);
      return;
    }
    if (get_properties(&properties) == 0) library->version_ = properties.version;
    state.library = library;
  });
  return state.library;
}

std::string NvcompLibrary::LoadError() {
  return Get() ? "" : State().error;
}

std::string NvcompLibrary::StatusString(int status) const {
  const char* text = status_string_ ? status_string_(status) : nullptr;
  return (text ? std::string(text) : "nvCOMP status") + " (" + std::to_string(status) + ")";
}

}  // namespace geobatch::gpu
