#include "geobatch/store/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>

#include "geobatch/store/http/curl_transfer.h"
#include "geobatch/util/process_registry.h"

namespace geobatch {
namespace {

CURLM* Multi(void* multi) { return static_cast<CURLM*>(multi); }

// Transport settings that must match for two stores to share a client.
std::string TransportKey(const RemoteOptions& o) {
  return std::to_string(o.max_requests) + "|" + std::to_string(o.connect_timeout_ms) + "|" +
         std::to_string(o.stall_timeout_s) + "|" + (o.verify_tls ? "1" : "0") + "|" + o.ca_bundle;
}

}  // namespace

HttpClient::HttpClient(const RemoteOptions& options) : options_(options) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = curl_multi_init();
  const long limit = static_cast<long>(options_.max_requests);
  curl_multi_setopt(Multi(multi_), CURLMOPT_MAX_TOTAL_CONNECTIONS, limit);
  curl_multi_setopt(Multi(multi_), CURLMOPT_MAXCONNECTS, limit);
  thread_ = std::thread([this] { Loop(); });
}

HttpClient::~HttpClient() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(Multi(multi_));
  thread_.join();
  for (void* easy : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(easy));
  curl_multi_cleanup(Multi(multi_));
}

std::shared_ptr<HttpClient> HttpClient::Shared(const RemoteOptions& options) {
  // Never destroyed: clients serve until the process exits.
  return ProcessRegistry<HttpClient>::GetOrCreate(TransportKey(options),
                                                  [&] { return std::make_shared<HttpClient>(options); });
}

void HttpClient::Send(HttpRequest request, Callback done, std::chrono::nanoseconds delay) {
  {
    std::lock_guard lock(mutex_);
    if (delay.count() > 0) {
      delayed_.emplace(Clock::now() + delay, Queued{std::move(request), std::move(done)});
    } else {
      ready_.push_back({std::move(request), std::move(done)});
    }
  }
  curl_multi_wakeup(Multi(multi_));
}

void HttpClient::Start(Queued queued) {
  CURL* easy;
  if (idle_handles_.empty()) {
    easy = curl_easy_init();
  } else {
    easy = static_cast<CURL*>(idle_handles_.back());
    idle_handles_.pop_back();
  }
  auto transfer = std::make_unique<CurlTransfer>(easy, std::move(queued.request), std::move(queued.done), options_);
  curl_multi_add_handle(Multi(multi_), easy);
  transfers_[easy] = std::move(transfer);
  ++active_;
}

void HttpClient::FinishDone() {
  CURLMsg* message;
  int left = 0;
  while ((message = curl_multi_info_read(Multi(multi_), &left))) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    curl_multi_remove_handle(Multi(multi_), easy);
    auto node = transfers_.extract(easy);
    HttpResult result = node.mapped()->Finish(code);
    Callback done = node.mapped()->TakeCallback();
    node.mapped().reset();
    curl_easy_reset(easy);  // keeps the connection cache and DNS cache
    idle_handles_.push_back(easy);
    --active_;
    done(std::move(result));
  }
}

int HttpClient::PollTimeoutMs() {
  std::lock_guard lock(mutex_);
  if (!ready_.empty() && active_ < options_.max_requests) return 0;
  if (delayed_.empty()) return 1000;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(delayed_.begin()->first - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(wait.count() + 1, 0, 1000));
}

void HttpClient::Loop() {
  std::vector<Queued> starting;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      const auto now = Clock::now();
      while (!delayed_.empty() && delayed_.begin()->first <= now) {
        ready_.push_back(std::move(delayed_.begin()->second));
        delayed_.erase(delayed_.begin());
      }
      while (active_ + starting.size() < options_.max_requests && !ready_.empty()) {
        starting.push_back(std::move(ready_.front()));
        ready_.pop_front();
      }
    }
    for (Queued& queued : starting) Start(std::move(queued));
    starting.clear();
    int running = 0;
    curl_multi_perform(Multi(multi_), &running);
    FinishDone();
    curl_multi_poll(Multi(multi_), nullptr, 0, PollTimeoutMs(), nullptr);
  }
  // Shutting down: everything unfinished fails.
  std::vector<Callback> abandoned;
  for (auto& [easy, transfer] : transfers_) {
    curl_multi_remove_handle(Multi(multi_), static_cast<CURL*>(easy));
    abandoned.push_back(transfer->TakeCallback());
    transfer.reset();
    idle_handles_.push_back(easy);
  }
  transfers_.clear();
  {
    std::lock_guard lock(mutex_);
    for (auto& queued : ready_) abandoned.push_back(std::move(queued.done));
    for (auto& [due, queued] : delayed_) abandoned.push_back(std::move(queued.done));
    ready_.clear();
    delayed_.clear();
  }
  for (Callback& done : abandoned) {
    HttpResult result;
    result.error = TransientError("the HTTP client shut down before the request finished");
    done(std::move(result));
  }
}

}  // namespace geobatch
