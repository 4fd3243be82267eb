// What every store over HTTP shares (http(s)://, s3://, gs://): reads of
// whole values and byte ranges through the retrying HttpClient, a 404 read
// as "absent", other failures reported with the URL (never credentials),
// the memory and disk caches, and one fetch for concurrent reads of the same
// bytes. Subclasses say how a key becomes a URL, how a request is
// authorized, and how the service words its errors.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geobatch/store/cache/disk_cache.h"
#include "geobatch/store/cache/memory_cache.h"
#include "geobatch/store/cache/single_flight.h"
#include "geobatch/store/http/http_client.h"
#include "geobatch/store/http/remote_options.h"
#include "geobatch/store/http/retry_policy.h"
#include "geobatch/store/store.h"

namespace geobatch {

class RemoteStore : public Store, public std::enable_shared_from_this<RemoteStore> {
 public:
  std::optional<Buffer> Get(std::string_view key, ByteRange range = ByteRange::All()) override;
  void GetAsync(std::string key, ByteRange range, ReadCallback done) override;
  bool Exists(std::string_view key) override;
  std::string url() const override { return url_; }

 protected:
  RemoteStore(std::string url, const RemoteOptions& options);

  // The percent-encoded URL of the object at `key` (also its cache key).
  virtual std::string ObjectUrl(std::string_view key) const = 0;

  // A request ready to send: `method` on `url` with `headers`, plus whatever
  // the service needs (S3 signs it here).
  virtual HttpRequest Prepare(std::string method, std::string url, std::vector<std::string> headers) const = 0;

  // Whether a 404 says that the key is absent (rather than, say, that the
  // bucket does not exist).
  virtual bool IsAbsentKey(const HttpResponse& response) const;

  // The error for a final response that is neither the value nor "absent".
  virtual Error StatusError(const HttpRequest& request, const HttpResponse& response) const;

  // Sends with retries and waits; throws the transport error, if any.
  HttpResponse Fetch(HttpRequest request) const;

 private:
  using Entry = std::shared_ptr<const CachedValue>;

  std::optional<ReadResult> FromCache(const std::string& url, ByteRange range);
  Entry CachedEntry(const std::string& url, const std::string& tag);
  void Remember(const std::string& url, const std::string& tag, const Entry& entry);
  ReadResult Interpret(const HttpRequest& request, ByteRange range, HttpResult& result, Entry& to_cache) const;
  std::optional<Buffer> GetEmptyRange(const std::string& url, ByteRange range);

  const std::string url_;
  const RetryPolicy retry_;
  const std::shared_ptr<HttpClient> client_;
  const std::shared_ptr<MemoryCache> memory_cache_;  // null when off
  const std::shared_ptr<DiskCache> disk_cache_;      // null when off
  SingleFlight flights_;
};

}  // namespace geobatch
