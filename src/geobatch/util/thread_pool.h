// A fixed-size pool of worker threads running queued tasks in FIFO order, and
// the two process-wide pools geobatch uses: one for blocking IO (many
// threads, mostly waiting) and one for CPU work (exactly one per core).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace geobatch {

class ThreadPool {
 public:
  explicit ThreadPool(size_t num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Submit(std::function<void()> task);
  size_t size() const { return workers_.size(); }

 private:
  void WorkerLoop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// Decode and copy work: one thread per hardware core.
ThreadPool& CpuPool();
// Blocking reads: enough threads to keep many requests in flight.
ThreadPool& IoPool();

}  // namespace geobatch
