// The store layer: bytes by key. Every backend (local files, memory, and the
// remote stores) implements this one interface. Keys are '/'-separated paths
// relative to the store's root, as in the Zarr abstract store interface:
// https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#abstract-store-interface
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geobatch/util/buffer.h"

namespace geobatch {

// Which bytes of a value to read.
struct ByteRange {
  enum class Kind { kAll, kOffsetLength, kSuffix };
  Kind kind = Kind::kAll;
  uint64_t offset = 0;  // kOffsetLength
  uint64_t length = 0;  // kOffsetLength: bytes from offset; kSuffix: last `length` bytes

  static ByteRange All() { return {}; }
  static ByteRange Of(uint64_t offset, uint64_t length) {
    return {Kind::kOffsetLength, offset, length};
  }
  static ByteRange Suffix(uint64_t length) { return {Kind::kSuffix, 0, length}; }
  std::string ToString() const;
};

// The outcome of one asynchronous read: a value, "absent", or an error.
struct ReadResult {
  std::optional<Buffer> value;  // nullopt (and no error) when the key is absent
  std::exception_ptr error;
};
using ReadCallback = std::function<void(ReadResult)>;

// The outcome of a read into the caller's memory: found or absent, or an error.
struct ReadIntoResult {
  bool found = false;
  std::exception_ptr error;
};
using ReadIntoCallback = std::function<void(ReadIntoResult)>;

class Store {
 public:
  virtual ~Store() = default;

  // Reads `range` of the value at `key`; nullopt when the key does not exist.
  // A range that reaches past the end of the value is a CorruptError (the
  // caller asked for bytes the metadata promised).
  virtual std::optional<Buffer> Get(std::string_view key, ByteRange range = ByteRange::All()) = 0;
  // Get(), with a failure in the result rather than thrown.
  ReadResult GetResult(std::string_view key, ByteRange range);

  // Starts a read and returns at once; `done` runs exactly once, on any
  // thread, when it finishes. Many reads may be in flight. The default runs
  // Get() on the shared IO pool; remote stores override it with their own
  // event loops.
  virtual void GetAsync(std::string key, ByteRange range, ReadCallback done);

  // Like GetAsync, but the bytes land in the caller's memory: scattered over
  // `pieces` in order (one piece for a contiguous destination), which must
  // stay valid until `done` runs; a value (or range) of another size than
  // the pieces together is a CorruptError. Readers use it where stored bytes
  // are the decoded bytes (uncompressed chunks). The default reads with
  // GetAsync and copies; stores that can read straight into memory override it.
  virtual void GetIntoAsync(std::string key, ByteRange range, std::vector<std::span<std::byte>> pieces,
                            ReadIntoCallback done);

  // Reads `range` of `key` on the calling thread when that needs no wait on
  // a device or the network (a local file whose bytes are in the page cache,
  // a memory store): true with `result` set (a value, absent, or an error),
  // or false, having read nothing, when the read would wait (use GetAsync).
  // Decoders call it on their own thread, so local bytes are decoded while
  // still in the CPU's cache, with no hand-off through the IO pool.
  virtual bool TryGetNow(std::string_view key, ByteRange range, ReadResult& result);
  // Whether TryGetNow can succeed at all; callers skip it for stores where
  // it never does (remote ones), keeping their reads on GetAsync.
  virtual bool MayReadNow() const { return false; }

  virtual bool Exists(std::string_view key) = 0;

  // Every key below `prefix` ("" for all, otherwise ending in '/'), as full
  // keys, in no particular order.
  virtual std::vector<std::string> List(std::string_view prefix) = 0;

  // The names directly below `prefix` (keys and key prefixes), sorted.
  virtual std::vector<std::string> ListDir(std::string_view prefix);

  // The URL this store was opened from, for messages.
  virtual std::string url() const = 0;
};

// Refuses keys that could escape the store's root: empty, absolute, with
// backslashes or NUL, or with "", "." or ".." segments.
void ValidateKey(std::string_view key);

// Applies `range` to a value of `size` bytes: {offset, length}; throws
// CorruptError when the range reaches past the end.
std::pair<uint64_t, uint64_t> ResolveRange(ByteRange range, uint64_t size, std::string_view key);

// Throws CorruptError unless a read of `key` produced exactly `expected` bytes.
void CheckReadSize(uint64_t actual, uint64_t expected, std::string_view key);

// The bytes `pieces` hold together.
uint64_t TotalSize(std::span<const std::span<std::byte>> pieces);

}  // namespace geobatch
