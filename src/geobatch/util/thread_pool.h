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
  // Threads taking tasks. SetThreads starts threads or parks the extra ones
  // (a parked thread takes no task until the count grows again); safe while
  // tasks run, so a process can size the shared pool to its share of the
  // cores (a DataLoader worker) at any time.
  size_t size() const;
  void SetThreads(size_t num_threads);

 private:
  void WorkerLoop(size_t index);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  size_t active_ = 0;  // workers_[i] takes tasks when i < active_
  std::vector<std::thread> workers_;
};

// Decode and copy work: one thread per hardware core.
ThreadPool& CpuPool();
// Blocking reads: enough threads to keep many requests in flight.
ThreadPool& IoPool();

}  // namespace geobatch
