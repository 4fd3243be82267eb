#include "geobatch/store/file_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "geobatch/util/error.h"
#include "geobatch/util/thread_pool.h"

namespace geobatch {
namespace {

Error IoError(const std::string& what, const std::string& path, int err) {
  const std::string message = what + " '" + path + "': " + std::strerror(err);
  if (err == EACCES || err == EPERM) return PermissionError(message);
  if (err == EINTR || err == EAGAIN || err == EIO) return TransientError(message);
  return InvalidArgumentError(message);
}

// Closes the descriptor when it goes out of scope.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens `path` (the value of `key`) into `file` and resolves `range` against
// its size as {offset, length}; nullopt when there is no such value.
std::optional<std::pair<uint64_t, uint64_t>> OpenRange(const std::string& path, std::string_view key,
                                                       ByteRange range, FileDescriptor& file) {
  file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw IoError("cannot open", path, errno);
  }
  struct stat info;
  if (::fstat(file.fd, &info) != 0) throw IoError("cannot stat", path, errno);
  if (S_ISDIR(info.st_mode)) return std::nullopt;  // a key prefix, not a value
  return ResolveRange(range, static_cast<uint64_t>(info.st_size), key);
}

// Fills `pieces`, in order, from `offset` of the open file: one preadv per
// IOV_MAX pieces, resumed where a short read stopped.
void ReadFully(const FileDescriptor& file, const std::string& path, uint64_t offset,
               std::span<const std::span<std::byte>> pieces) {
  size_t next = 0;       // first piece not yet filled
  uint64_t partial = 0;  // bytes of pieces[next] already filled
  std::vector<iovec> batch;
  while (next < pieces.size()) {
    batch.clear();
    for (size_t i = next; i < pieces.size() && batch.size() < IOV_MAX; ++i) {
      const uint64_t skip = i == next ? partial : 0;
      batch.push_back({pieces[i].data() + skip, pieces[i].size() - skip});
    }
    const ssize_t n = ::preadv(file.fd, batch.data(), static_cast<int>(batch.size()), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot read", path, errno);
    }
    if (n == 0 && batch.front().iov_len > 0) throw CorruptError("'" + path + "' shrank while being read");
    offset += static_cast<uint64_t>(n);
    uint64_t left = static_cast<uint64_t>(n) + partial;
    while (next < pieces.size() && left >= pieces[next].size()) left -= pieces[next++].size();
    partial = left;
  }
}

enum class CachedRead { kDone, kWouldWait, kUnsupported };

// Fills `out` from `offset` of the open file if every byte is in the page
// cache. kWouldWait at the first byte that would have to come from the
// device (what was read is of no use: the caller reads again another way);
// kUnsupported where the kernel or filesystem refuses RWF_NOWAIT. Throws
// like ReadFully.
CachedRead ReadFullyIfCached(const FileDescriptor& file, const std::string& path, uint64_t offset,
                             std::span<std::byte> out) {
  while (!out.empty()) {
    iovec piece{out.data(), out.size()};
    const ssize_t n = ::preadv2(file.fd, &piece, 1, static_cast<off_t>(offset), RWF_NOWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return CachedRead::kWouldWait;
      if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) return CachedRead::kUnsupported;
      throw IoError("cannot read", path, errno);
    }
    if (n == 0) throw CorruptError("'" + path + "' shrank while being read");
    offset += static_cast<uint64_t>(n);
    out = out.subspan(static_cast<size_t>(n));
  }
  return CachedRead::kDone;
}

}  // namespace

FileStore::FileStore(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string FileStore::PathOf(std::string_view key) const {
  ValidateKey(key);
  return root_ + "/" + std::string(key);
}

std::optional<Buffer> FileStore::Get(std::string_view key, ByteRange range) {
  const std::string path = PathOf(key);
  FileDescriptor file{-1};
  const auto resolved = OpenRange(path, key, range, file);
  if (!resolved) return std::nullopt;
  Buffer buffer(resolved->second);
  const std::span<std::byte> whole[] = {buffer.span()};
  ReadFully(file, path, resolved->first, whole);
  return buffer;
}

bool FileStore::TryGetNow(std::string_view key, ByteRange range, ReadResult& result) {
  if (!MayReadNow()) return false;
  try {
    const std::string path = PathOf(key);
    FileDescriptor file{-1};
    const auto resolved = OpenRange(path, key, range, file);
    if (resolved) {
      Buffer buffer(resolved->second);
      switch (ReadFullyIfCached(file, path, resolved->first, buffer.span())) {
        case CachedRead::kDone: break;
        case CachedRead::kWouldWait: return false;
        case CachedRead::kUnsupported:
          reads_without_waiting_.store(false, std::memory_order_relaxed);
          return false;
      }
      result.value = std::move(buffer);
    }
  } catch (...) {
    result.error = std::current_exception();
  }
  return true;
}

void FileStore::GetIntoAsync(std::string key, ByteRange range, std::vector<std::span<std::byte>> pieces,
                             ReadIntoCallback done) {
  IoPool().Submit([this, key = std::move(key), range, pieces = std::move(pieces), done = std::move(done)] {
    ReadIntoResult result;
    try {
      const std::string path = PathOf(key);
      FileDescriptor file{-1};
      const auto resolved = OpenRange(path, key, range, file);
      result.found = resolved.has_value();
      if (resolved) {
        CheckReadSize(resolved->second, TotalSize(pieces), key);
        ReadFully(file, path, resolved->first, pieces);
      }
    } catch (...) {
      result.error = std::current_exception();
    }
    done(std::move(result));
  });
}

bool FileStore::Exists(std::string_view key) {
  struct stat info;
  return ::stat(PathOf(key).c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::vector<std::string> FileStore::List(std::string_view prefix) {
  namespace fs = std::filesystem;
  const fs::path base = prefix.empty() ? fs::path(root_) : fs::path(PathOf(prefix.substr(0, prefix.size() - 1)));
  std::vector<std::string> keys;
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return keys;
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    keys.push_back(std::string(prefix) + fs::relative(it->path(), base, ec).generic_string());
  }
  if (ec) throw IoError("cannot list", base.string(), ec.value());
  return keys;
}

void FileStore::Set(std::string_view key, std::span<const std::byte> value) {
  namespace fs = std::filesystem;
  const fs::path path = PathOf(key);
  fs::create_directories(path.parent_path());
  // Write to a temporary name and rename, so a reader never sees half a value.
  const std::string tmp = path.string() + ".partial";
  FileDescriptor file{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (file.fd < 0) throw IoError("cannot create", tmp, errno);
  size_t done = 0;
  while (done < value.size()) {
    const ssize_t n = ::write(file.fd, value.data() + done, value.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write", tmp, errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw IoError("cannot rename", tmp, errno);
}

}  // namespace geobatch
