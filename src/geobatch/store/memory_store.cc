#include "geobatch/store/memory_store.h"

#include <cstring>

namespace geobatch {

std::optional<Buffer> MemoryStore::Get(std::string_view key, ByteRange range) {
  ValidateKey(key);
  std::shared_ptr<const Buffer> value;
  {
    std::lock_guard lock(mutex_);
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    value = it->second;
  }
  const auto [offset, length] = ResolveRange(range, value->size(), key);
  return Buffer::CopyOf(value->span().subspan(offset, length));
}

bool MemoryStore::TryGetNow(std::string_view key, ByteRange range, ReadResult& result) {
  result = GetResult(key, range);
  return true;
}

bool MemoryStore::Exists(std::string_view key) {
  ValidateKey(key);
  std::lock_guard lock(mutex_);
  return values_.find(key) != values_.end();
}

std::vector<std::string> MemoryStore::List(std::string_view prefix) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> keys;
  for (auto it = values_.lower_bound(prefix); it != values_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    keys.push_back(it->first);
  }
  return keys;
}

void MemoryStore::Set(std::string_view key, std::span<const std::byte> value) {
  ValidateKey(key);
  auto stored = std::make_shared<const Buffer>(Buffer::CopyOf(value));
  std::lock_guard lock(mutex_);
  values_.insert_or_assign(std::string(key), std::move(stored));
}

void MemoryStore::Erase(std::string_view key) {
  std::lock_guard lock(mutex_);
  if (auto it = values_.find(key); it != values_.end()) values_.erase(it);
}

std::shared_ptr<MemoryStore> MemoryStore::Named(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<MemoryStore>> stores;
  std::lock_guard lock(mutex);
  auto& store = stores[name];
  if (!store) store = std::make_shared<MemoryStore>(name);
  return store;
}

}  // namespace geobatch
