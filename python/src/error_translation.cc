#include "error_translation.h"

#include <nanobind/nanobind.h>

#include "geobatch/util/error.h"

namespace nb = nanobind;

namespace geobatch::python {
namespace {

const char* ExceptionClassName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return "InvalidArgumentError";
    case ErrorKind::kNotFound: return "NotFoundError";
    case ErrorKind::kCorrupt: return "CorruptError";
    case ErrorKind::kTransient: return "TransientError";
    case ErrorKind::kUnsupported: return "UnsupportedError";
    case ErrorKind::kPermission: return "PermissionDeniedError";
    case ErrorKind::kInternal: return "InternalError";
  }
  return "Error";
}

}  // namespace

void RegisterErrorTranslation() {
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const Error& e) {
      nb::object errors = nb::module_::import_("geobatch._errors");
      nb::object cls = errors.attr(ExceptionClassName(e.kind()));
      PyErr_SetString(cls.ptr(), e.what());
    }
  });
}

}  // namespace geobatch::python
