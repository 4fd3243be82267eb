#include "geobatch/store/store.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "geobatch/util/error.h"
#include "geobatch/util/thread_pool.h"

namespace geobatch {

std::string ByteRange::ToString() const {
  switch (kind) {
    case Kind::kAll: return "all";
    case Kind::kOffsetLength:
      return "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length);
    case Kind::kSuffix: return "last " + std::to_string(length) + " bytes";
  }
  return "?";
}

ReadResult Store::GetResult(std::string_view key, ByteRange range) {
  ReadResult result;
  try {
    result.value = Get(key, range);
  } catch (...) {
    result.error = std::current_exception();
  }
  return result;
}

void Store::GetAsync(std::string key, ByteRange range, ReadCallback done) {
  IoPool().Submit([this, key = std::move(key), range, done = std::move(done)] { done(GetResult(key, range)); });
}

bool Store::TryGetNow(std::string_view, ByteRange, ReadResult&) { return false; }

void Store::GetIntoAsync(std::string key, ByteRange range, std::vector<std::span<std::byte>> pieces,
                         ReadIntoCallback done) {
  GetAsync(key, range, [key, pieces = std::move(pieces), done = std::move(done)](ReadResult result) {
    ReadIntoResult into{result.value.has_value(), result.error};
    if (into.found) {
      try {
        CheckReadSize(result.value->size(), TotalSize(pieces), key);
        const std::byte* from = result.value->data();
        for (std::span<std::byte> piece : pieces) {
          std::memcpy(piece.data(), from, piece.size());
          from += piece.size();
        }
      } catch (...) {
        into.error = std::current_exception();
      }
    }
    done(std::move(into));
  });
}

uint64_t TotalSize(std::span<const std::span<std::byte>> pieces) {
  uint64_t total = 0;
  for (std::span<std::byte> piece : pieces) total += piece.size();
  return total;
}

std::vector<std::string> Store::ListDir(std::string_view prefix) {
  std::set<std::string> names;
  for (const std::string& key : List(prefix)) {
    std::string_view rest = std::string_view(key).substr(prefix.size());
    names.emplace(rest.substr(0, rest.find('/')));
  }
  return {names.begin(), names.end()};
}

void ValidateKey(std::string_view key) {
  auto refuse = [&](const char* why) {
    throw InvalidArgumentError("refusing store key '" + std::string(key) + "': " + why);
  };
  if (key.empty()) refuse("empty key");
  if (key.front() == '/') refuse("absolute path");
  if (key.find('\\') != std::string_view::npos) refuse("backslash");
  if (key.find('\0') != std::string_view::npos) refuse("NUL byte");
  size_t start = 0;
  for (;;) {
    const size_t end = std::min(key.find('/', start), key.size());
    const std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) refuse("empty path segment");
    if (segment == "." || segment == "..") refuse("'.' or '..' segment escapes the store root");
    if (end == key.size()) return;
    start = end + 1;
  }
}

std::pair<uint64_t, uint64_t> ResolveRange(ByteRange range, uint64_t size, std::string_view key) {
  switch (range.kind) {
    case ByteRange::Kind::kAll: return {0, size};
    case ByteRange::Kind::kSuffix:
      if (range.length > size) break;
      return {size - range.length, range.length};
    case ByteRange::Kind::kOffsetLength:
      if (range.offset > size || range.length > size - range.offset) break;
      return {range.offset, range.length};
  }
  throw CorruptError("'" + std::string(key) + "' has " + std::to_string(size) +
                     " bytes; cannot read " + range.ToString());
}

void CheckReadSize(uint64_t actual, uint64_t expected, std::string_view key) {
  if (actual != expected) {
    throw CorruptError("'" + std::string(key) + "' has " + std::to_string(actual) + " bytes, expected " +
                       std::to_string(expected));
  }
}

}  // namespace geobatch
