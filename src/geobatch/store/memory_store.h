// A store held in process memory. `memory://NAME` URLs name process-wide
// instances, so that a store filled by one component can be opened by URL.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "geobatch/store/store.h"

namespace geobatch {

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(std::string name = "") : name_(std::move(name)) {}

  std::optional<Buffer> Get(std::string_view key, ByteRange range) override;
  bool TryGetNow(std::string_view key, ByteRange range, ReadResult& result) override;
  bool MayReadNow() const override { return true; }
  bool Exists(std::string_view key) override;
  std::vector<std::string> List(std::string_view prefix) override;
  std::string url() const override { return "memory://" + name_; }

  void Set(std::string_view key, std::span<const std::byte> value);
  void Erase(std::string_view key);

  // The process-wide store called `name`, created on first use.
  static std::shared_ptr<MemoryStore> Named(const std::string& name);

 private:
  std::string name_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Buffer>, std::less<>> values_;
};

}  // namespace geobatch
