// A store over a directory of the local filesystem: key "a/b" is file
// <root>/a/b. Asynchronous reads use pread on the shared IO pool; a reader
// may instead read on its own thread the values already in the page cache
// (TryGetNow, with preadv2's RWF_NOWAIT).
#pragma once

#include <atomic>
#include <string>

#include "geobatch/store/store.h"

namespace geobatch {

class FileStore final : public Store {
 public:
  // `root` is a directory path (it need not exist yet for reads to report
  // every key as absent).
  explicit FileStore(std::string root);

  std::optional<Buffer> Get(std::string_view key, ByteRange range) override;
  // Reads when every byte asked for is in the page cache; false otherwise,
  // or where the kernel or filesystem cannot tell (then never again).
  bool TryGetNow(std::string_view key, ByteRange range, ReadResult& result) override;
  bool MayReadNow() const override { return reads_without_waiting_.load(std::memory_order_relaxed); }
  // Reads with preadv straight into the pieces, on the IO pool.
  void GetIntoAsync(std::string key, ByteRange range, std::vector<std::span<std::byte>> pieces,
                    ReadIntoCallback done) override;
  bool Exists(std::string_view key) override;
  std::vector<std::string> List(std::string_view prefix) override;
  std::string url() const override { return "file://" + root_; }

  // Writes a value, creating parent directories (used by tests and tools).
  void Set(std::string_view key, std::span<const std::byte> value);

 private:
  std::string PathOf(std::string_view key) const;
  std::string root_;
  std::atomic<bool> reads_without_waiting_{true};
};

}  // namespace geobatch
