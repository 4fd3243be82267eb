#include "geobatch/store/cache/single_flight.h"

namespace geobatch {

bool SingleFlight::Join(const std::string& key, ReadCallback waiter) {
  std::lock_guard lock(mutex_);
  auto [it, first] = flights_.try_emplace(key);
  it->second.push_back(std::move(waiter));
  return first;
}

void SingleFlight::Complete(const std::string& key, ReadResult result) {
  std::vector<ReadCallback> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = flights_.find(key);
    if (it == flights_.end()) return;
    waiters = std::move(it->second);
    flights_.erase(it);
  }
  for (size_t i = 0; i + 1 < waiters.size(); ++i) {
    ReadResult copy;
    copy.error = result.error;
    if (result.value) copy.value = Buffer::CopyOf(result.value->span());
    waiters[i](std::move(copy));
  }
  if (!waiters.empty()) waiters.back()(std::move(result));
}

}  // namespace geobatch
