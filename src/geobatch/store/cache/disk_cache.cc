#include "geobatch/store/cache/disk_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "geobatch/store/http/digest.h"
#include "geobatch/util/error.h"
#include "geobatch/util/process_registry.h"

namespace geobatch {
namespace {

namespace fs = std::filesystem;

// Bytes queued for writing beyond which new entries are not written.
constexpr uint64_t kMaxPendingBytes = uint64_t{256} << 20;
constexpr char kMagic[4] = {'G', 'B', 'C', '1'};

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// Writes `contents` to `path` atomically: a reader sees all of it or nothing.
void WriteFileAtomically(const fs::path& path, std::string_view head, std::span<const std::byte> body) {
  fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    out.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      return;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

// Sets the file's modification time to now (best effort: it may be gone).
void Touch(const std::string& path) { (void)::utimensat(AT_FDCWD, path.c_str(), nullptr, 0); }

// Entry layout: magic, absent flag, ETag length (4 bytes, little end first), ETag, bytes.
std::string EntryHead(const CachedValue& value) {
  std::string head(kMagic, sizeof kMagic);
  head += value.absent ? '\1' : '\0';
  const uint32_t n = static_cast<uint32_t>(value.etag.size());
  for (int i = 0; i < 4; ++i) head += static_cast<char>((n >> (8 * i)) & 0xff);
  return head + value.etag;
}

std::optional<CachedValue> ParseEntry(std::string_view file) {
  if (file.size() < 9 || std::memcmp(file.data(), kMagic, 4) != 0) return std::nullopt;
  CachedValue value;
  value.absent = file[4] == '\1';
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<uint8_t>(file[5 + i])) << (8 * i);
  if (file.size() < 9 + uint64_t{n}) return std::nullopt;
  value.etag = std::string(file.substr(9, n));
  const std::string_view bytes = file.substr(9 + n);
  if (value.absent && !bytes.empty()) return std::nullopt;
  value.bytes = Buffer::CopyOf(std::as_bytes(std::span(bytes.data(), bytes.size())));
  return value;
}

}  // namespace

DiskCache::DiskCache(std::string directory, uint64_t max_bytes)
    : directory_(std::move(directory)), max_bytes_(max_bytes) {
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec) throw InvalidArgumentError("cannot create cache directory '" + directory_ + "': " + ec.message());
  writer_ = std::thread([this] { WriterLoop(); });
}

DiskCache::~DiskCache() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

std::shared_ptr<DiskCache> DiskCache::Shared(const std::string& directory, uint64_t max_bytes) {
  static std::once_flag close_at_exit;
  std::call_once(close_at_exit, [] {
    // Exit handlers run last registered first: initialising OpenSSL (which
    // registers its own cleanup) before registering ours lets the pending
    // writes finish while hashing still works.
    Sha256("");
    std::atexit([] { ProcessRegistry<DiskCache>::ForEach([](DiskCache& cache) { cache.Close(); }); });
  });
  // Lives until exit.
  return ProcessRegistry<DiskCache>::GetOrCreate(fs::absolute(directory).lexically_normal().string(),
                                                 [&] { return std::make_shared<DiskCache>(directory, max_bytes); });
}

std::string DiskCache::PathOf(std::string_view url, std::string_view suffix) const {
  const std::string name = Hex(Sha256(url));
  return directory_ + "/" + name.substr(0, 2) + "/" + name + "." + std::string(suffix);
}

std::optional<CachedValue> DiskCache::Get(std::string_view url, std::string_view range_tag) const {
  const std::string path = PathOf(url, range_tag);
  const auto file = ReadFile(path);
  if (!file) return std::nullopt;
  auto value = ParseEntry(*file);
  if (!value) return std::nullopt;
  const std::string etag_path = PathOf(url, "etag");
  if (!value->absent) {
    const auto current = ReadFile(etag_path);
    if (current && *current != value->etag) return std::nullopt;  // from an older version of the object
  }
  // A hit is a use: eviction goes by modification time.
  Touch(path);
  Touch(etag_path);
  return value;
}

void DiskCache::Put(std::string_view url, std::string_view range_tag, std::shared_ptr<const CachedValue> value) {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || pending_bytes_ + value->bytes.size() > kMaxPendingBytes) return;
    pending_bytes_ += value->bytes.size();
    pending_.push_back({std::string(url), std::string(range_tag), std::move(value)});
  }
  wake_.notify_one();
}

void DiskCache::Flush() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return pending_.empty() && !writing_; });
}

void DiskCache::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  Flush();
}

void DiskCache::Write(const PendingWrite& write) {
  const CachedValue& value = *write.value;
  if (!value.absent && !value.etag.empty()) {
    const fs::path etag_path = PathOf(write.url, "etag");
    const auto current = ReadFile(etag_path);
    if (current != value.etag) {
      // A new version of the object: its older entries go.
      if (current) {
        const std::string stem = etag_path.stem().string() + ".";
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(etag_path.parent_path(), ec)) {
          if (entry.path().filename().string().starts_with(stem)) fs::remove(entry.path(), ec);
        }
      }
      WriteFileAtomically(etag_path, value.etag, {});
    }
  }
  const std::string head = EntryHead(value);
  WriteFileAtomically(PathOf(write.url, write.range_tag), head, value.bytes.span());
  if (!disk_bytes_ || *disk_bytes_ + head.size() + value.bytes.size() > max_bytes_) {
    Evict();  // counts the directory the first time
  } else {
    *disk_bytes_ += head.size() + value.bytes.size();
  }
}

void DiskCache::Evict() {
  struct File {
    fs::path path;
    fs::file_time_type used;
    uint64_t bytes;
    bool removed = false;
  };
  std::vector<File> files;
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(directory_, ec); !ec && it != fs::end(it); it.increment(ec)) {
    std::error_code gone;  // another process may delete files meanwhile
    if (!it->is_regular_file(gone)) continue;
    File file{it->path(), it->last_write_time(gone), it->file_size(gone)};
    if (gone) continue;
    total += file.bytes;
    files.push_back(std::move(file));
  }
  if (total > max_bytes_) {
    std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.used < b.used; });
    // An object's files share the name before the first '.': its ETag record
    // and one entry per range.
    std::unordered_map<std::string, std::vector<size_t>> objects;
    auto object_of = [](const fs::path& path) {
      const std::string name = path.filename().string();
      return (path.parent_path() / name.substr(0, name.find('.'))).string();
    };
    for (size_t i = 0; i < files.size(); ++i) objects[object_of(files[i].path)].push_back(i);
    auto remove = [&](File& file) {
      if (file.removed) return;
      std::error_code ignored;
      fs::remove(file.path, ignored);
      file.removed = true;
      total -= file.bytes;
    };
    const uint64_t target = max_bytes_ / 10 * 9;
    for (size_t i = 0; i < files.size() && total > target; ++i) {
      if (files[i].path.extension() == ".etag") {
        // Without its ETag record an entry of an older version could no
        // longer be told from the current one: the entries go with it.
        for (size_t j : objects[object_of(files[i].path)]) remove(files[j]);
      } else {
        remove(files[i]);
      }
    }
  }
  disk_bytes_ = total;
}

void DiskCache::WriterLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping and drained
    PendingWrite write = std::move(pending_.front());
    pending_.pop_front();
    writing_ = true;
    lock.unlock();
    try {
      Write(write);
    } catch (...) {
      // Best effort: a value that could not be cached is fetched again later.
    }
    lock.lock();
    writing_ = false;
    pending_bytes_ -= write.value->bytes.size();
    if (pending_.empty()) drained_.notify_all();
  }
}

}  // namespace geobatch
