// The single error model of geobatch: every failure is a geobatch::Error with
// a category that retry logic and the Python layer map from.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace geobatch {

enum class ErrorKind {
  kInvalidArgument,  // the caller asked for something malformed
  kNotFound,         // a key, array, group or variable does not exist
  kCorrupt,          // stored bytes or metadata are damaged or inconsistent
  kTransient,        // may succeed when retried (timeouts, server overload)
  kUnsupported,      // valid but not implemented (unknown codec, dtype, ...)
  kPermission,       // access denied
  kInternal,         // a bug in geobatch
};

std::string_view ErrorKindName(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

inline Error InvalidArgumentError(const std::string& m) { return {ErrorKind::kInvalidArgument, m}; }
inline Error NotFoundError(const std::string& m) { return {ErrorKind::kNotFound, m}; }
inline Error CorruptError(const std::string& m) { return {ErrorKind::kCorrupt, m}; }
inline Error TransientError(const std::string& m) { return {ErrorKind::kTransient, m}; }
inline Error UnsupportedError(const std::string& m) { return {ErrorKind::kUnsupported, m}; }
inline Error PermissionError(const std::string& m) { return {ErrorKind::kPermission, m}; }
inline Error InternalError(const std::string& m) { return {ErrorKind::kInternal, m}; }

// Returns the same error with `context` prepended ("context: message").
Error WithContext(const Error& error, std::string_view context);

}  // namespace geobatch
