#include "geobatch/util/thread_pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>

namespace geobatch {

ThreadPool::ThreadPool(size_t num_threads) { SetThreads(num_threads); }

size_t ThreadPool::size() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void ThreadPool::SetThreads(size_t num_threads) {
  {
    std::lock_guard lock(mutex_);
    active_ = std::max<size_t>(1, num_threads);
    while (workers_.size() < active_) {
      const size_t index = workers_.size();
      workers_.emplace_back([this, index] { WorkerLoop(index); });
    }
  }
  wake_.notify_all();  // threads that may now take tasks
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::Submit(std::function<void()> task) {
  bool some_parked;
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    some_parked = active_ < workers_.size();
  }
  // notify_one could wake a parked thread, which would go back to sleep and
  // leave the task waiting.
  if (some_parked) {
    wake_.notify_all();
  } else {
    wake_.notify_one();
  }
}

void ThreadPool::WorkerLoop(size_t index) {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this, index] { return stopping_ || (index < active_ && !tasks_.empty()); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

namespace {

// The shared pools are created on first use. A fork()ed child (a PyTorch
// DataLoader worker) inherits none of their threads, so it forgets the
// parent's pools — leaking them on purpose, since they cannot be joined
// there — and builds its own on first use.
std::atomic<ThreadPool*> cpu_pool{nullptr};
std::atomic<ThreadPool*> io_pool{nullptr};

void ForgetPoolsAfterFork() {
  cpu_pool.store(nullptr);
  io_pool.store(nullptr);
}

ThreadPool& SharedPool(std::atomic<ThreadPool*>& slot, size_t num_threads) {
  static std::once_flag register_fork_handler;
  std::call_once(register_fork_handler, [] { pthread_atfork(nullptr, nullptr, ForgetPoolsAfterFork); });
  if (ThreadPool* pool = slot.load(std::memory_order_acquire)) return *pool;
  static std::mutex creating;
  std::lock_guard lock(creating);
  ThreadPool* pool = slot.load(std::memory_order_acquire);
  if (!pool) {
    pool = new ThreadPool(num_threads);
    slot.store(pool, std::memory_order_release);
  }
  return *pool;
}

}  // namespace

ThreadPool& CpuPool() { return SharedPool(cpu_pool, std::max(1u, std::thread::hardware_concurrency())); }

ThreadPool& IoPool() { return SharedPool(io_pool, 32); }

}  // namespace geobatch
