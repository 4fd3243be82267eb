// An on-disk cache of remote reads, keyed by URL and ETag: the value of
// (URL, range) lives in DIR/hh/<sha256(URL)>.<range>, beside
// <sha256(URL)>.etag, the object's ETag when it was last fetched. An entry
// whose ETag differs from that record is stale and never served; a fetch
// that brings a new ETag drops the URL's older entries. Entries are served
// without asking the server (the datasets are written once, read many
// times), so a second epoch, even in another process, does not touch the
// network. Writes go to a background thread, through a temporary file and a
// rename, and are skipped (the cache is best effort) when too many bytes
// are already waiting to be written. The directory is kept within a byte
// budget: a hit refreshes its entry's time, and when the writer finds the
// directory over budget it deletes the least recently used entries (an
// object's ETag record goes with all its entries) down to 90% of it.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <deque>

#include "geobatch/store/cache/cached_value.h"

namespace geobatch {

class DiskCache {
 public:
  // Creates the directory; `max_bytes` bounds what it holds (the default is
  // RemoteOptions::cache_dir_bytes).
  DiskCache(std::string directory, uint64_t max_bytes);
  ~DiskCache();                               // finishes pending writes
  DiskCache(const DiskCache&) = delete;
  DiskCache& operator=(const DiskCache&) = delete;

  // The process-wide cache of `directory` (one writer thread per directory;
  // the first caller's `max_bytes` holds); its pending writes are finished
  // when the process exits.
  static std::shared_ptr<DiskCache> Shared(const std::string& directory, uint64_t max_bytes);

  // `range_tag` names the byte range ("all", "0+100", "-16"): a short token
  // of [0-9a-z+-].
  std::optional<CachedValue> Get(std::string_view url, std::string_view range_tag) const;
  void Put(std::string_view url, std::string_view range_tag, std::shared_ptr<const CachedValue> value);

  // Blocks until every Put so far is on disk.
  void Flush();

  // Ignores further Puts and flushes the pending ones.
  void Close();


 private:
  struct PendingWrite {
    std::string url;
    std::string range_tag;
    std::shared_ptr<const CachedValue> value;
  };
  std::string PathOf(std::string_view url, std::string_view suffix) const;
  void Write(const PendingWrite& write);
  void WriterLoop();
  // Deletes least recently used entries until the directory holds at most
  // 90% of max_bytes_; sets disk_bytes_ to what is left. Writer thread only.
  void Evict();

  const std::string directory_;
  const uint64_t max_bytes_;
  std::optional<uint64_t> disk_bytes_;  // writer thread's estimate; unknown until first counted
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<PendingWrite> pending_;
  uint64_t pending_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace geobatch
