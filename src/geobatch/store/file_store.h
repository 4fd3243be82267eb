// A store over a directory of the local filesystem: key "a/b" is file
// <root>/a/b. Reads use pread on the shared IO pool.
#pragma once

#include <string>

#include "geobatch/store/store.h"

namespace geobatch {

class FileStore final : public Store {
 public:
  // `root` is a directory path (it need not exist yet for reads to report
  // every key as absent).
  explicit FileStore(std::string root);

  std::optional<Buffer> Get(std::string_view key, ByteRange range) override;
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
};

}  // namespace geobatch
