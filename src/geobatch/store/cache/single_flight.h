// Collapses concurrent reads of the same key into one fetch: the first
// caller of Join starts the fetch; callers that join while it is in flight
// wait for it; Complete hands every waiter its own copy of the result.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "geobatch/store/store.h"

namespace geobatch {

class SingleFlight {
 public:
  // Adds `waiter` to the flight for `key`; true when the caller must start
  // the fetch (no flight was under way).
  bool Join(const std::string& key, ReadCallback waiter);

  // Ends the flight for `key`, handing `result` to every waiter.
  void Complete(const std::string& key, ReadResult result);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<ReadCallback>> flights_;
};

}  // namespace geobatch
