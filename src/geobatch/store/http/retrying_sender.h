// Sends a request through an HttpClient and sends it again, after the
// policy's backoff, for as long as the outcome is worth retrying and the
// policy allows. When the retries run out, the outcome's error names the URL,
// the last failure and the attempts (a persistent 503 becomes a
// TransientError saying so).
#pragma once

#include <memory>

#include "geobatch/store/http/http_client.h"
#include "geobatch/store/http/retry_policy.h"

namespace geobatch {

void SendWithRetry(std::shared_ptr<HttpClient> client, HttpRequest request, const RetryPolicy& policy,
                   HttpClient::Callback done);

// Sends with retries and blocks until the outcome is in. Never call it from
// a completion callback (it would wait on its own thread).
HttpResult SendWithRetryAndWait(std::shared_ptr<HttpClient> client, HttpRequest request,
                                const RetryPolicy& policy);

}  // namespace geobatch
