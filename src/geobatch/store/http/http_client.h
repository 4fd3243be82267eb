// Many HTTP requests in flight on one thread: a libcurl multi handle
// (https://curl.se/libcurl/c/libcurl-multi.html) driven by an event loop
// that keeps up to `max_requests` transfers running, reuses connections
// (keep-alive, HTTP/2 multiplexing where the server offers it), and starts
// delayed requests (retries) when they fall due. Completion callbacks run on
// the loop thread: they must be quick and must not block or throw.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "geobatch/store/http/http_message.h"
#include "geobatch/store/http/remote_options.h"

namespace geobatch {

class CurlTransfer;

class HttpClient {
 public:
  using Callback = std::function<void(HttpResult)>;

  // Uses the transport fields of `options` (max_requests, timeouts, TLS).
  explicit HttpClient(const RemoteOptions& options);
  ~HttpClient();  // fails what is still queued or in flight
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The process-wide client for these transport settings; it lives until
  // the process exits, so that every store opened with them shares its
  // connections.
  static std::shared_ptr<HttpClient> Shared(const RemoteOptions& options);

  // Sends `request` once, after `delay`; `done` gets the response or the
  // transport error. Returns at once; callable from any thread, including
  // from a completion callback.
  void Send(HttpRequest request, Callback done, std::chrono::nanoseconds delay = {});

 private:
  struct Queued {
    HttpRequest request;
    Callback done;
  };
  using Clock = std::chrono::steady_clock;

  void Loop();
  void Start(Queued queued);
  void FinishDone();
  int PollTimeoutMs();

  const RemoteOptions options_;
  void* multi_;  // CURLM*
  std::mutex mutex_;
  bool stopping_ = false;
  std::deque<Queued> ready_;
  std::multimap<Clock::time_point, Queued> delayed_;
  size_t active_ = 0;                                   // loop thread only
  std::map<void*, std::unique_ptr<CurlTransfer>> transfers_;  // by easy handle; loop thread only
  std::vector<void*> idle_handles_;                     // loop thread only
  std::thread thread_;
};

}  // namespace geobatch
