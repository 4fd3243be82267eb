#include "geobatch/util/error.h"

namespace geobatch {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return "invalid argument";
    case ErrorKind::kNotFound: return "not found";
    case ErrorKind::kCorrupt: return "corrupt";
    case ErrorKind::kTransient: return "transient";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kPermission: return "permission denied";
    case ErrorKind::kInternal: return "internal";
  }
  return "unknown";
}

Error WithContext(const Error& error, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += error.what();
  return Error(error.kind(), message);
}

}  // namespace geobatch
