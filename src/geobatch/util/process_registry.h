// Process-wide objects that own threads (an HTTP event loop, a cache writer),
// one per key. fork() copies only the calling thread, so a child must not use
// the parent's objects: their threads do not exist there and requests to them
// would wait forever. A forked child (a PyTorch DataLoader worker) therefore
// starts with an empty registry and builds its own objects on first use; the
// parent's are leaked there on purpose, since their threads cannot be joined.
#pragma once

#include <pthread.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace geobatch {

template <typename T>
class ProcessRegistry {
 public:
  // The object under `key`, made by `make()` (under the registry's lock) on
  // first use in this process.
  template <typename Make>
  static std::shared_ptr<T> GetOrCreate(const std::string& key, Make&& make) {
    State& state = Current();
    std::lock_guard lock(state.mutex);
    auto& item = state.items[key];
    if (!item) item = make();
    return item;
  }

  // Calls `visit(object)` for each object this process made.
  template <typename Visit>
  static void ForEach(Visit&& visit) {
    State& state = Current();
    std::lock_guard lock(state.mutex);
    for (auto& [key, item] : state.items) visit(*item);
  }

 private:
  struct State {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<T>> items;
  };

  static std::atomic<State*>& Slot() {
    static std::atomic<State*> slot{nullptr};
    return slot;
  }

  static State& Current() {
    static std::once_flag once;
    std::call_once(once, [] {
      Slot().store(new State);
      // The lock is held across fork() so that the child's copy is never
      // taken mid-update; the child then drops it with the parent's objects.
      pthread_atfork([] { Slot().load()->mutex.lock(); }, [] { Slot().load()->mutex.unlock(); },
                     [] { Slot().store(new State); });
    });
    return *Slot().load();
  }
};

}  // namespace geobatch
