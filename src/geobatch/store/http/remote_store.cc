#include "geobatch/store/http/remote_store.h"

#include <charconv>
#include <future>

#include "geobatch/store/http/http_range.h"
#include "geobatch/store/http/retrying_sender.h"
#include "geobatch/store/http/url.h"
#include "geobatch/util/error.h"

namespace geobatch {
namespace {

// Names a byte range in cache keys and cache file names.
std::string RangeTag(ByteRange range) {
  switch (range.kind) {
    case ByteRange::Kind::kAll: return "all";
    case ByteRange::Kind::kOffsetLength:
      return std::to_string(range.offset) + "+" + std::to_string(range.length);
    case ByteRange::Kind::kSuffix: return std::string("-") + std::to_string(range.length);
  }
  return "?";
}

std::optional<Buffer> ValueOf(const CachedValue& entry) {
  if (entry.absent) return std::nullopt;
  return Buffer::CopyOf(entry.bytes.span());
}

}  // namespace

RemoteStore::RemoteStore(std::string url, const RemoteOptions& options)
    : url_(std::move(url)),
      retry_(RetryPolicy::From(options)),
      client_(HttpClient::Shared(options)),
      memory_cache_(MemoryCache::Shared(options.cache_bytes)),
      disk_cache_(options.cache_dir.empty() ? nullptr : DiskCache::Shared(options.cache_dir, options.cache_dir_bytes)) {}

std::optional<Buffer> RemoteStore::Get(std::string_view key, ByteRange range) {
  ValidateKey(key);
  if (IsEmptyRange(range)) return GetEmptyRange(ObjectUrl(key), range);
  std::promise<ReadResult> promise;
  auto future = promise.get_future();
  GetAsync(std::string(key), range, [&promise](ReadResult result) { promise.set_value(std::move(result)); });
  ReadResult result = future.get();
  if (result.error) std::rethrow_exception(result.error);
  return std::move(result.value);
}

void RemoteStore::GetAsync(std::string key, ByteRange range, ReadCallback done) {
  std::string url;
  try {
    ValidateKey(key);
    url = ObjectUrl(key);
    if (IsEmptyRange(range)) {
      Store::GetAsync(std::move(key), range, std::move(done));  // rare: a HEAD on the IO pool
      return;
    }
    if (auto cached = FromCache(url, range)) {
      done(std::move(*cached));
      return;
    }
  } catch (...) {
    done({std::nullopt, std::current_exception()});
    return;
  }
  const std::string tag = RangeTag(range);
  std::string flight = url + "#" + tag;
  if (!flights_.Join(flight, std::move(done))) return;
  std::vector<std::string> headers;
  if (auto value = RangeHeaderValue(range)) headers.push_back("Range: " + *value);
  HttpRequest request = Prepare("GET", url, std::move(headers));
  SendWithRetry(client_, request, retry_,
                [self = shared_from_this(), request, range, url, tag, flight](HttpResult result) {
                  Entry to_cache;
                  ReadResult read = self->Interpret(request, range, result, to_cache);
                  if (to_cache) self->Remember(url, tag, to_cache);
                  self->flights_.Complete(flight, std::move(read));
                });
}

ReadResult RemoteStore::Interpret(const HttpRequest& request, ByteRange range, HttpResult& result,
                                  Entry& to_cache) const {
  ReadResult read;
  try {
    if (result.error) throw *result.error;
    HttpResponse& response = result.response;
    const bool caching = memory_cache_ || disk_cache_;
    if (response.status == 404 && IsAbsentKey(response)) {
      if (caching) to_cache = std::make_shared<CachedValue>(CachedValue{true, "", {}});
      return read;
    }
    if (response.status != 200 && response.status != 206 && response.status != 416) {
      throw StatusError(request, response);
    }
    Buffer bytes = TakeRequestedBytes(range, response, RedactUrl(request.url));
    if (caching) {
      auto entry = std::make_shared<CachedValue>(CachedValue{false, response.Header("etag"), std::move(bytes)});
      read.value = Buffer::CopyOf(entry->bytes.span());
      to_cache = std::move(entry);
    } else {
      read.value = std::move(bytes);
    }
  } catch (...) {
    read.error = std::current_exception();
  }
  return read;
}

RemoteStore::Entry RemoteStore::CachedEntry(const std::string& url, const std::string& tag) {
  const std::string key = url + "#" + tag;
  if (memory_cache_) {
    if (Entry entry = memory_cache_->Get(key)) return entry;
  }
  if (disk_cache_) {
    if (auto value = disk_cache_->Get(url, tag)) {
      Entry entry = std::make_shared<CachedValue>(std::move(*value));
      if (memory_cache_) memory_cache_->Put(key, entry);
      return entry;
    }
  }
  return nullptr;
}

std::optional<ReadResult> RemoteStore::FromCache(const std::string& url, ByteRange range) {
  if (!memory_cache_ && !disk_cache_) return std::nullopt;
  if (Entry exact = CachedEntry(url, RangeTag(range))) return ReadResult{ValueOf(*exact), nullptr};
  if (range.kind == ByteRange::Kind::kAll) return std::nullopt;
  // Any range of a value cached whole.
  Entry whole = CachedEntry(url, RangeTag(ByteRange::All()));
  if (!whole) return std::nullopt;
  if (whole->absent) return ReadResult{};
  const auto [offset, length] = ResolveRange(range, whole->bytes.size(), RedactUrl(url));
  return ReadResult{Buffer::CopyOf(whole->bytes.span().subspan(offset, length)), nullptr};
}

void RemoteStore::Remember(const std::string& url, const std::string& tag, const Entry& entry) {
  if (memory_cache_) memory_cache_->Put(url + "#" + tag, entry);
  if (disk_cache_) disk_cache_->Put(url, tag, entry);
}

std::optional<Buffer> RemoteStore::GetEmptyRange(const std::string& url, ByteRange range) {
  HttpRequest request = Prepare("HEAD", url, {});
  const HttpResponse response = Fetch(request);
  if (response.status == 404 && IsAbsentKey(response)) return std::nullopt;
  if (response.status != 200) throw StatusError(request, response);
  const std::string length = response.Header("content-length");
  uint64_t size = 0;
  if (std::from_chars(length.data(), length.data() + length.size(), size).ec != std::errc()) {
    throw CorruptError("HEAD " + RedactUrl(url) + ": no valid Content-Length");
  }
  ResolveRange(range, size, RedactUrl(url));
  return Buffer();
}

bool RemoteStore::Exists(std::string_view key) {
  ValidateKey(key);
  HttpRequest request = Prepare("HEAD", ObjectUrl(key), {});
  const HttpResponse response = Fetch(request);
  if (response.status == 200) return true;
  if (response.status == 404 && IsAbsentKey(response)) return false;
  throw StatusError(request, response);
}

HttpResponse RemoteStore::Fetch(HttpRequest request) const {
  HttpResult result = SendWithRetryAndWait(client_, std::move(request), retry_);
  if (result.error) throw *result.error;
  return std::move(result.response);
}

bool RemoteStore::IsAbsentKey(const HttpResponse&) const { return true; }

Error RemoteStore::StatusError(const HttpRequest& request, const HttpResponse& response) const {
  const std::string message = request.method + " " + RedactUrl(request.url) + ": " + response.StatusText();
  switch (response.status) {
    case 401:
    case 403: return PermissionError(message);
    case 404: return NotFoundError(message);
    default: return IsRetryableStatus(response.status) ? TransientError(message) : InvalidArgumentError(message);
  }
}

}  // namespace geobatch
