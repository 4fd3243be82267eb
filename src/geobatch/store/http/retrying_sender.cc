#include "geobatch/store/http/retrying_sender.h"

#include <cstdio>
#include <future>

#include "geobatch/store/http/url.h"

namespace geobatch {
namespace {

using Clock = std::chrono::steady_clock;

struct Attempts : std::enable_shared_from_this<Attempts> {
  std::shared_ptr<HttpClient> client;
  HttpRequest request;
  RetryPolicy policy;
  HttpClient::Callback done;
  Clock::time_point start = Clock::now();
  int attempts = 0;
  std::mt19937_64 random{std::random_device{}()};

  void Send(std::chrono::nanoseconds delay) {
    ++attempts;
    client->Send(request, [self = shared_from_this()](HttpResult result) { self->OnResult(std::move(result)); },
                 delay);
  }

  void OnResult(HttpResult result) {
    const auto reason = RetryReason(result);
    if (!reason) {
      done(std::move(result));
      return;
    }
    const auto elapsed = Clock::now() - start;
    const auto retry_after = result.error ? std::nullopt : RetryAfterSeconds(result.response);
    if (auto delay = policy.Delay(attempts, elapsed, retry_after, random)) {
      Send(*delay);
      return;
    }
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", std::chrono::duration<double>(elapsed).count());
    std::string message = result.error ? std::string(result.error->what())
                                       : request.method + " " + RedactUrl(request.url) + ": " + *reason;
    result.error = TransientError(message + " (gave up after " + std::to_string(attempts) + " attempts in " +
                                  seconds + " s)");
    done(std::move(result));
  }
};

}  // namespace

void SendWithRetry(std::shared_ptr<HttpClient> client, HttpRequest request, const RetryPolicy& policy,
                   HttpClient::Callback done) {
  auto attempts = std::make_shared<Attempts>();
  attempts->client = std::move(client);
  attempts->request = std::move(request);
  attempts->policy = policy;
  attempts->done = std::move(done);
  attempts->Send({});
}

HttpResult SendWithRetryAndWait(std::shared_ptr<HttpClient> client, HttpRequest request,
                                const RetryPolicy& policy) {
  std::promise<HttpResult> promise;
  auto future = promise.get_future();
  SendWithRetry(std::move(client), std::move(request), policy,
                [&promise](HttpResult result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace geobatch
